"""Every handler name has its registered function, at the dotted path the name says (jobs
queued before handlers had names carry that path)."""

from __future__ import annotations

from workers.handlers import Handler
from workers.registry import REGISTERED


def test_every_handler_name_is_registered_at_its_dotted_path() -> None:
    assert set(REGISTERED) == set(Handler)
    for handler, function in REGISTERED.items():
        assert f"{function.__module__}.{function.__name__}" == handler.value

"""Which jobs events call for: a run of erasures calls for one rewrite of Redis's history."""

from __future__ import annotations

from service.domain import events as e
from service.domain.state import WorkshopState
from tests.unit.test_rules import NOW
from workers.dispatch import dispatch


def test_a_run_of_erasures_calls_for_one_history_rewrite_at_its_first_erasure() -> None:
    erased = [e.PersonErased(at=NOW, subject=subject) for subject in ("a", "b", "c")]
    recorded = [(1, erased[0]), (2, erased[1]), (3, e.SessionOpened(at=NOW, session_id="s")), (4, erased[2])]
    jobs = dispatch(WorkshopState(id="w"), recorded)
    assert [job.job_id for job in jobs if job.handler == "workers.erasure.forget_history"] == [
        "w-1-forget_history",
        "w-4-forget_history",
    ]

"""The event catalogue and the stream's public projection: one definition per event type,
docs/events.md current, nothing but the allow-listed fields (and names of people) streamed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
import msgspec.inspect as mi
import pytest

from service.catalogue import event_type_name, event_types, markdown, schema
from service.domain.events import Event, Person
from service.domain.views import STREAMED_FIELDS, streamed

DOCS = Path(__file__).parents[2] / "docs" / "events.md"
PRIVATE = ("anna@example.org", "AWO", "keyed-hash-of-anna")
SECRET_NAMES = ("hash", "token", "code", "email", "organisation", "consent")


def _value(name: str, kind: mi.Type) -> Any:
    match kind:
        case mi.UnionType(types=types):
            return _value(name, next(t for t in types if not isinstance(t, mi.NoneType)))
        case mi.LiteralType(values=values):
            return values[0]
        case mi.CustomType(cls=cls) if cls is Person:
            return Person(f"{name}-subject", "Anna Beispiel", PRIVATE[0], PRIVATE[1], PRIVATE[2])
        case mi.VarTupleType():
            return (f"{name}-value",)
        case mi.StrType():
            return f"{name}-value"
        case mi.BoolType():
            return True
        case mi.IntType():
            return 7
        case mi.DateTimeType():
            return datetime(2026, 5, 4, 18, tzinfo=UTC)
        case mi.DateType():
            return date(2026, 6, 1)
        case mi.TimeDeltaType():
            return timedelta(hours=1)
    raise AssertionError(f"no example for {name}: {kind}")


def filled(kind: type[Event]) -> Event:
    """An event of `kind` with every field set, personal fields and secrets included."""
    info = mi.type_info(kind)
    assert isinstance(info, mi.StructType)
    return kind(**{field.name: _value(field.name, field.type) for field in info.fields})


@pytest.mark.parametrize("kind", event_types(), ids=event_type_name)
def test_every_event_type_has_a_public_projection_of_its_own_fields(kind: type[Event]) -> None:
    assert kind in STREAMED_FIELDS, f"{kind.__name__}: say in STREAMED_FIELDS which fields the stream shows"
    shown = STREAMED_FIELDS[kind]
    assert set(shown) <= set(kind.__struct_fields__)
    assert not [name for name in shown if any(secret in name for secret in SECRET_NAMES)]


@pytest.mark.parametrize("kind", event_types(), ids=event_type_name)
def test_the_stream_sends_type_version_and_the_projection_only(kind: type[Event]) -> None:
    sent = msgspec.json.decode(msgspec.json.encode(streamed(filled(kind))))
    assert sent["type"] == event_type_name(kind)
    assert sent["v"] == kind.v >= 1  # raised by one with each field a type gains
    assert set(sent) == {"type", "v", *STREAMED_FIELDS[kind]}
    text = repr(sent)
    assert not [value for value in PRIVATE if value in text]
    hidden = set(kind.__struct_fields__) - set(STREAMED_FIELDS[kind])
    assert not [name for name in hidden if f"{name}-value" in text]
    people = [value for value in sent.values() if isinstance(value, dict)]
    assert all(person == {"name": "Anna Beispiel"} for person in people)


def test_the_catalogue_has_one_definition_per_event_type_as_the_stream_sends_it() -> None:
    catalogue = schema()
    definitions = catalogue["$defs"]
    assert list(definitions) == [event_type_name(kind) for kind in event_types()]
    assert catalogue["oneOf"] == [{"$ref": f"#/$defs/{name}"} for name in definitions]
    for kind in event_types():
        definition = definitions[event_type_name(kind)]
        assert definition["properties"]["v"] == {"const": kind.v}
        assert list(definition["properties"]) == list(streamed(filled(kind)))
    assert "only ever gains fields, each with a default" in catalogue["description"]
    assert "never changes type" in catalogue["description"]


def test_docs_events_md_is_current() -> None:
    assert DOCS.read_text(encoding="utf-8") == markdown(), "docs/events.md is out of date: run `make events`"


def test_an_intro_slots_place_is_not_streamed() -> None:
    """A host may give their home address or phone number as the place of an intro talk: the
    stream (which phones on the public programme see too) shows the host's name, not that."""
    from service.domain.events import IntroSlotOffered

    host = Person("slot-1", "Agnes Wirt", "agnes@example.org")
    slot = IntroSlotOffered(
        at=datetime(2026, 5, 9, 10, tzinfo=UTC),
        slot_id="slot-1",
        host=host,
        starts_at=datetime(2026, 5, 10, 10, tzinfo=UTC),
        place="Musterweg 1, 3. Stock",
    )
    sent = streamed(slot)
    assert sent["host"] == {"name": "Agnes Wirt"}
    assert "Musterweg" not in str(sent)

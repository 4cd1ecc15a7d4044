"""How events become bytes and back. `Person` is the one custom type: it is sealed with its
subject's key on the way in and opened with it on the way out (see `vault`)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

import msgspec

from service.domain.events import AnyEvent, Event, Person
from service.store.vault import seal, unseal


def subjects_of(event: Event) -> list[str]:
    """The subjects whose personal fields an event carries."""
    found = []
    for name in event.__struct_fields__:
        value = getattr(event, name)
        if isinstance(value, Person):
            found.append(value.subject)
    return found


def _seal(keys: Mapping[str, bytes], obj: Any) -> Any:
    if isinstance(obj, Person):
        return seal(obj, keys[obj.subject])
    raise TypeError(f"cannot encode {type(obj).__name__}")


def _open(keys: Mapping[str, bytes], type_: type, obj: Any) -> Any:
    if type_ is Person:
        return unseal(obj, keys)
    raise TypeError(f"cannot decode {type_.__name__}")


class EventCodec:
    """Encodes and decodes events, sealing personal fields with the keys it is given."""

    def encode(self, event: Event, keys: Mapping[str, bytes]) -> bytes:
        return msgspec.json.encode(event, enc_hook=partial(_seal, keys))

    def decode(self, data: bytes, keys: Mapping[str, bytes]) -> Event:
        event: Event = msgspec.json.decode(data, type=AnyEvent, dec_hook=partial(_open, keys))
        return event

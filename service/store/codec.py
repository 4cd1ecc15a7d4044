"""How events become bytes and back. `Person` is the one custom type: it is sealed with its
subject's key on the way in and opened with it on the way out (see `vault`)."""

from __future__ import annotations

from collections import OrderedDict
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


DECODERS = 256


class EventCodec:
    """Encodes and decodes events, sealing personal fields with the keys it is given.

    A decoder for the union of every event is made once per key ring (the stores pass the same
    mapping of a workshop each time): `msgspec.json.decode(type=...)` would rebuild its type
    information on every call, about 60 µs an event, most of the time a large fold took
    (bench/results.md, benchmark 3).
    """

    def __init__(self) -> None:
        self._decoders: OrderedDict[int, tuple[Mapping[str, bytes], msgspec.json.Decoder[Event]]] = OrderedDict()

    def encode(self, event: Event, keys: Mapping[str, bytes]) -> bytes:
        return msgspec.json.encode(event, enc_hook=partial(_seal, keys))

    def decode(self, data: bytes, keys: Mapping[str, bytes]) -> Event:
        return self._decoder(keys).decode(data)

    def _decoder(self, keys: Mapping[str, bytes]) -> msgspec.json.Decoder[Event]:
        found = self._decoders.get(id(keys))
        if found is not None and found[0] is keys:  # the entry keeps `keys` alive, so its id is its own
            self._decoders.move_to_end(id(keys))
            return found[1]
        decoder: msgspec.json.Decoder[Event] = msgspec.json.Decoder(AnyEvent, dec_hook=partial(_open, keys))
        self._decoders[id(keys)] = (keys, decoder)
        while len(self._decoders) > DECODERS:
            self._decoders.popitem(last=False)
        return decoder

"""How events become bytes and back: one msgspec encoder and one typed decoder.

`Person` is the one custom type: the codec hands it to a `Vault`, which decides how
personal fields are written (sealed per person, so that deleting a key forgets them).
"""

from __future__ import annotations

from typing import Any, Protocol

import msgspec

from service.domain.events import AnyEvent, Event, Person


class Vault(Protocol):
    """Turns a person into a storable mapping and back."""

    def seal(self, person: Person) -> dict[str, Any]: ...

    def open(self, sealed: dict[str, Any]) -> Person: ...


class PlainVault:
    """Writes personal fields as they are: only for the in-memory twin and unit tests."""

    def seal(self, person: Person) -> dict[str, Any]:
        return {"subject": person.subject, "name": person.name, "email": person.email, "org": person.organisation}

    def open(self, sealed: dict[str, Any]) -> Person:
        return Person(sealed["subject"], sealed.get("name"), sealed.get("email"), sealed.get("org"))


class EventCodec:
    """Encodes and decodes events; reuse one instance, it keeps its encoder and decoder."""

    def __init__(self, vault: Vault) -> None:
        self._vault = vault
        self._encoder = msgspec.json.Encoder(enc_hook=self._enc_hook)
        self._decoder: msgspec.json.Decoder[AnyEvent] = msgspec.json.Decoder(AnyEvent, dec_hook=self._dec_hook)

    def encode(self, event: Event) -> bytes:
        return self._encoder.encode(event)

    def decode(self, data: bytes) -> Event:
        return self._decoder.decode(data)

    def _enc_hook(self, obj: Any) -> Any:
        if isinstance(obj, Person):
            return self._vault.seal(obj)
        raise NotImplementedError(f"cannot encode {type(obj).__name__}")

    def _dec_hook(self, type_: type, obj: Any) -> Any:
        if type_ is Person:
            return self._vault.open(obj)
        raise NotImplementedError(f"cannot decode {type_.__name__}")

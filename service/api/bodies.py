"""Request bodies whatever bytes a client sends: a body that cannot be read is a 400.

msgspec raises `DecodeError` for most malformed JSON (Litestar turns that into a 400), but
`UnicodeDecodeError` for strings that are not UTF-8 and `RecursionError` for arrays or
objects nested deeper than the interpreter's stack; both would otherwise be a 500.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import SerializationException


class ClientRequest(Request[Any, Any, Any]):
    """The app's request class: its JSON body decodes or is refused as malformed."""

    async def json(self) -> Any:
        try:
            return await super().json()
        except UnicodeDecodeError as exc:
            raise SerializationException("The body is not valid UTF-8.") from exc
        except RecursionError as exc:
            raise SerializationException("The body is nested too deeply.") from exc

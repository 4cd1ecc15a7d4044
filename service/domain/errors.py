"""Why a command was refused. The API turns each kind into its HTTP status."""

from __future__ import annotations


class DomainError(Exception):
    """A command that the rules refuse; nothing was decided."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(DomainError):
    """An id that does not exist in this workshop (404)."""

    def __init__(self, kind: str, ident: str) -> None:
        super().__init__(f"No {kind} with id {ident!r} in this workshop.")
        self.kind = kind


class Conflict(DomainError):
    """A command that the current state does not allow (409)."""


class Forbidden(DomainError):
    """A command that needs something the caller did not bring, such as the table code (403)."""


class Invalid(DomainError):
    """Input that is well-formed but breaks a rule about one field (400)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

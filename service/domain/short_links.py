"""Short links for the room: a code a person can type, `{base}/t/{code}`."""

from __future__ import annotations

import hashlib

TYPABLE = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no look-alikes: 0/O, 1/I/l
SHORT_CODE_LENGTH = 6


def derived_short_code(session_id: str) -> str:
    """The code of a session planned before sessions carried one: derived from its id."""
    number = int.from_bytes(hashlib.sha256(f"short-link:{session_id}".encode()).digest()[:8], "big")
    letters = []
    for _ in range(SHORT_CODE_LENGTH):
        number, index = divmod(number, len(TYPABLE))
        letters.append(TYPABLE[index])
    return "".join(letters)


def typed_short_code(typed: str) -> str | None:
    """The code as stored, from what a person typed (any case), or None when it cannot be one."""
    code = typed.strip().upper()
    if not 4 <= len(code) <= 8 or any(letter not in TYPABLE for letter in code):
        return None
    return code

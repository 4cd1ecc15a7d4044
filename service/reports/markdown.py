"""Text from people placed into Markdown as text: it cannot start a heading, a list or a quote,
nor make a link, an image, emphasis, code, a table cell or HTML."""

from __future__ import annotations

import re

_INLINE = re.compile(r"([\\`*_\[\]<>|~!])")
_BLOCK_MARK = re.compile(r"^([#>+=-])")
_ORDERED_MARK = re.compile(r"^(\d+)([.)])")
_LINE_BREAKS = re.compile(r"\s*[\r\n\u2028\u2029]+\s*")


def escape(value: object) -> str:
    """`value` as literal Markdown text on one line (a multi-line note becomes one line)."""
    if value is None:
        return ""
    text = _INLINE.sub(r"\\\1", _LINE_BREAKS.sub(" ", str(value)).strip())
    return _ORDERED_MARK.sub(r"\1\\\2", _BLOCK_MARK.sub(r"\\\1", text))

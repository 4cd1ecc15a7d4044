"""The project's own Python sources, parsed, for tests that read the code (import rules, URL builders).

`ast.parse` retries on SystemError: CPython 3.11 keeps the AST converter's recursion depth in one
per-interpreter struct, so a parse running while another thread parses (3.11's traceback module parses
the failing line to place its carets, e.g. when a server thread logs an exception) can trip its
consistency check ("AST constructor recursion depth mismatch"). The source is fine; parsing again is.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def python_sources() -> list[Path]:
    """Every module of service/ and workers/, in a stable order."""
    return sorted([*ROOT.glob("service/**/*.py"), *ROOT.glob("workers/**/*.py")])


def parsed(path: Path, attempts: int = 5) -> ast.Module:
    for attempt in range(attempts):
        try:
            return ast.parse(path.read_text(), str(path))
        except SystemError:  # the race described above, never the source
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")

"""Names of downloaded documents: a word in the reader's language, the title and the day, in
plain ASCII so that every browser and file system keeps them as they are."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

_SPELLED_OUT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
_LONGEST_TITLE = 60


def slug(text: str) -> str:
    """`Netzwerktreffen Süd` → `netzwerktreffen-sued`; empty when nothing of it is a letter or digit."""
    plain = unicodedata.normalize("NFKD", text.translate(_SPELLED_OUT)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:_LONGEST_TITLE].strip("-")


def download_name(word: str, title: str, day: date | None) -> str:
    """`bericht-netzwerktreffen-sued-2026-05-09` (the format's extension follows): what the
    document is, of what, from when."""
    parts = [slug(word) or "document", slug(title), day.isoformat() if day else ""]
    return "-".join(part for part in parts if part)


def disposition(filename: str, *, attachment: bool) -> str:
    """The Content-Disposition of a document: a file to keep, or a page to look at."""
    return f'{"attachment" if attachment else "inline"}; filename="{filename}"'

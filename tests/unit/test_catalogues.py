"""Every message in the code and templates has a German translation, and none is stale."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {**DEFAULT_KEYWORDS, "gettext": (2,), "N_": None}


def extracted() -> set[str]:
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    return {
        message if isinstance(message, str) else message[0]
        for _, _, message, _, _ in extract_from_dir(ROOT, method_map, options_map, keywords=KEYWORDS)
    }


def catalogue(language: str) -> dict[str, str]:
    with (ROOT / "service" / "locales" / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return {
            (m.id if isinstance(m.id, str) else m.id[0]): (
                m.string if isinstance(m.string, str) else all(m.string) and m.string[0]
            )
            for m in read_po(po)
            if m.id
        }


def test_every_message_has_a_german_translation() -> None:
    german = catalogue("de")
    missing = sorted(message for message in extracted() if not german.get(message))
    assert missing == [], f"run `make i18n` and translate: {missing}"


def test_the_catalogues_hold_no_messages_the_code_no_longer_uses() -> None:
    in_code = extracted()
    for language in ("de", "en"):
        assert set(catalogue(language)) <= in_code, f"stale messages in {language}: run `make i18n`"

"""PDF reports and digests break lines between words: a table column is at least as wide as
its longest word, so only a word wider than the page can give is broken inside."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from tests.integration.conftest import Api

LONG_WORDS = [
    "Freiwilligenkoordinatorin",
    "Nachbarschaftshilfeorganisation",
    "Landesarbeitsgemeinschaft",
    "Quartiersentwicklungskonferenz",
    "Raumbelegungsplan",
    "Ehrenamtskoordination",
    "Nachbarschaftshilfeverein",
]
REPORT_LABELS = ["Zukunftswerkstatt", "Warteliste", "bestätigt", "Organisationen", "überfällig"]
TOO_LONG = "Donaudampfschifffahrtsgesellschaftskapitänswitwenrentenversicherungsanstaltsunterabteilungsleiterin" * 2


def words_in(data: bytes) -> set[str]:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return set(re.findall(r"\w+", text))


async def test_report_and_digest_pdfs_break_no_word_that_fits(api: Api) -> None:
    workshop = await api.workshop(title="Quartiersentwicklungskonferenz Süd")
    auth = workshop["auth"]
    base = f"/api/workshops/{workshop['id']}"
    future = await api.session(workshop, title="Engagement Zukunftswerkstatt", format="zukunftswerkstatt", capacity=1)
    market = await api.session(workshop, title="Nachbarschaftshilfeorganisation", format="marktplatz")
    for number, session in enumerate((future, future, market)):
        response = await api.signup(
            workshop,
            session,
            name=f"Person {number} Nachbarschaftshilfeverein",
            email=f"person{number}.pdfwords@example.org",
            organisation="Landesarbeitsgemeinschaft Soziokultur",
            newcomer=True,  # the report lists newcomers by name (their intro talks)
        )
        assert response.status_code in {200, 201}, response.text
    commitments = [
        {"owner_name": "Carla Freiwilligenkoordinatorin", "text": "Raumbelegungsplan erstellen", "due": "2026-01-01"},
        {"owner_name": "Ehrenamtskoordination", "text": "Schlüssel", "due": "2026-01-01"},
        {"owner_name": "Dora", "text": f"Ein Wort, das auf keine Seite passt: {TOO_LONG}"},
    ]
    for body in commitments:
        created = await api.client.post(f"{base}/sessions/{future['id']}/commitments", json=body, headers=auth)
        assert created.status_code == 201, created.text
    assert (await api.client.post(f"{base}/close", headers=auth)).status_code == 200

    report = words_in((await api.client.get(f"{base}/report.pdf", params={"lang": "de"}, headers=auth)).content)
    digest = words_in((await api.client.get(f"{base}/sessions/{future['id']}/digest.pdf", headers=auth)).content)
    for document, expected in ((report, LONG_WORDS + REPORT_LABELS), (digest, LONG_WORDS[:1] + LONG_WORDS[2:])):
        broken = [word for word in expected if word not in document]
        assert broken == [], f"broken inside: {broken}"
    assert TOO_LONG not in report  # wider than the page: it had to be broken
    assert any(len(word) > 20 and word in TOO_LONG for word in report)

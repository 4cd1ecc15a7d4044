"""PDF digests and reports with fpdf2. Text stays text (searchable, copyable); the font is
the DejaVu Sans that matplotlib ships, so every name prints, whatever its alphabet."""

from __future__ import annotations

import io
import logging
from functools import partial
from pathlib import Path

import matplotlib
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from service.domain.digests import SessionDigest, WorkshopReport
from service.i18n import day, gettext, short_when, when
from service.reports import charts
from service.reports.labels import label

logging.getLogger("fontTools").setLevel(logging.WARNING)  # it reports every subset at INFO
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
ACCENT = (47, 111, 94)
MUTED = (91, 107, 112)
HEADINGS = FontFace(emphasis="BOLD", color=MUTED, fill_color=(238, 243, 241))


class _Document(FPDF):
    def __init__(self, title: str, footer: str) -> None:
        super().__init__(format="A4")
        self._footer_text = footer
        self.set_title(title)
        self.set_creator("knoten")
        self.add_font("DejaVu", "", FONT_DIR / "DejaVuSans.ttf")
        self.add_font("DejaVu", "B", FONT_DIR / "DejaVuSans-Bold.ttf")
        self.set_font("DejaVu", size=10)
        self.set_auto_page_break(auto=True, margin=15)
        self.add_page()

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", size=8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, f"{self._footer_text} · {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0, 0, 0)

    def heading(self, text: str, size: int = 14) -> None:
        self.ln(3)
        self.set_font("DejaVu", "B", size)
        self.set_text_color(*ACCENT)
        self.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0, 0, 0)
        self.set_font("DejaVu", size=10)
        self.ln(1)

    def line_of(self, text: str, muted: bool = False) -> None:
        if muted:
            self.set_text_color(*MUTED)
        self.multi_cell(0, 5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0, 0, 0)

    def grid(self, header: list[str], rows: list[list[str]], widths: tuple[int, ...] | None = None) -> None:
        if not rows:
            return
        with self.table(col_widths=widths, headings_style=HEADINGS, line_height=5, padding=1) as table:
            table.row(header)
            for row in rows:
                table.row(row)
        self.ln(2)

    def output_bytes(self) -> bytes:
        return bytes(self.output())


def _session_sections(pdf: _Document, digest: SessionDigest, language: str) -> None:
    t = partial(gettext, language)  # a short alias keeps the tables readable
    parts = [
        label(language, digest.format),
        digest.host and f"{t('Host')}: {digest.host}",
        digest.room,
        digest.starts_at and when(digest.starts_at, language, digest.timezone),
    ]
    pdf.line_of(" · ".join(str(p) for p in parts if p), muted=True)
    pdf.line_of(
        f"{t('confirmed')}: {digest.confirmed} · {t('on the waitlist')}: {digest.waitlisted} · "
        f"{t('newcomers')}: {digest.newcomers}"
    )
    if digest.commitments:
        pdf.heading(t("Commitments"), 11)
        pdf.grid(
            [t("Who"), t("What"), t("By when"), t("Status")],
            [
                [c.owner_name or t("(erased)"), c.text, day(c.due, language), label(language, c.status)]
                for c in digest.commitments
            ],
            (3, 6, 2, 2),
        )
    for phase, cards in digest.cards.items():
        pdf.heading(f"{t('Cards')}: {label(language, phase)}", 11)
        pdf.grid([t("Card"), t("Dots")], [[card.text, str(card.votes)] for card in cards], (8, 1))
    if digest.offers or digest.requests:
        pdf.heading(t("Offers and requests"), 11)
        rows = [[t("Offer"), o.text, o.owner_name or ""] for o in digest.offers]
        rows += [[t("Request"), o.text, o.owner_name or ""] for o in digest.requests]
        rows += [[t("Match"), f"{m.offer} ↔ {m.request}", ""] for m in digest.matches]
        pdf.grid(["", t("What"), t("Who")], rows, (2, 7, 3))
    if digest.notes:
        pdf.heading(t("Notes"), 11)
        for note in digest.notes:
            prefix = f"{label(language, note.phase)}: " if note.phase else ""
            pdf.line_of(f"– {prefix}{note.text}")


def digest_pdf(digest: SessionDigest, language: str) -> bytes:
    """A session's digest as PDF, with its participants."""
    t = partial(gettext, language)
    pdf = _Document(digest.title, f"{digest.workshop_title} · {digest.title}")
    pdf.line_of(f"{digest.workshop_title} · {t('Documentation')}", muted=True)
    pdf.heading(digest.title, 18)
    _session_sections(pdf, digest, language)
    if digest.participants:
        pdf.heading(t("Participants"), 11)
        pdf.grid(
            [t("Name"), t("Organisation"), t("Status")],
            [
                [
                    (p.name or t("(erased)")) + (f" · {t('new')}" if p.newcomer else ""),
                    p.organisation or "",
                    label(language, p.status) + (f" {p.waitlist_position}" if p.waitlist_position else ""),
                ]
                for p in digest.participants
            ],
            (5, 5, 2),
        )
    pdf.line_of(t("As of %(moment)s") % {"moment": when(digest.generated_at, language, digest.timezone)}, muted=True)
    return pdf.output_bytes()


def report_pdf(report: WorkshopReport, language: str) -> bytes:
    """The workshop report as PDF: totals, charts, sessions, organisations, follow-ups, intro talks."""
    t = partial(gettext, language)
    pdf = _Document(report.title, f"{report.title} · {t('Report')}")
    pdf.line_of(t("Report"), muted=True)
    pdf.heading(report.title, 18)
    totals = report.totals
    pdf.line_of(
        f"{t('participants')}: {totals.participants} · {t('sign-ups')}: {totals.signups} · "
        f"{t('newcomers')}: {totals.newcomers} ({round(totals.newcomer_share * 100)} %) · "
        f"{t('organisations')}: {len(report.organisations)} · {t('commitments')}: {totals.commitments}"
    )
    pdf.image(io.BytesIO(charts.signups_per_session(report, language, "png")), w=120)
    pdf.image(io.BytesIO(charts.commitment_status(report, language, "png")), w=80)
    pdf.heading(t("Sessions"))
    pdf.grid(
        [t("Session"), t("Format"), t("When"), t("confirmed"), t("waitlist"), t("commitments")],
        [
            [
                s.title,
                label(language, s.format),
                short_when(s.starts_at, language, report.timezone),
                str(s.confirmed),
                str(s.waitlisted),
                f"{s.commitments_done}/{s.commitments}",
            ]
            for s in report.sessions
        ],
        (10, 6, 6, 4, 5, 4),
    )
    if report.organisations:
        pdf.heading(t("Organisations represented"))
        pdf.grid([t("Organisation"), t("People")], [[o.name, str(o.people)] for o in report.organisations], (8, 2))
    pdf.heading(t("Follow-ups"))
    pdf.grid(
        [t("Status"), t("Commitments")], [[label(language, k), str(v)] for k, v in sorted(report.follow_ups.items())]
    )
    pdf.heading(t("Intro talks for newcomers"))
    if not report.intro_talks:
        pdf.line_of(t("No newcomers have signed up."), muted=True)
    pdf.grid(
        [t("Newcomer"), t("Status"), t("With"), t("When")],
        [
            [
                i.name or t("(erased)"),
                label(language, i.status) + (f" – {label(language, i.reason)}" if i.reason else ""),
                i.host_name or "",
                short_when(i.starts_at, language, report.timezone),
            ]
            for i in report.intro_talks
        ],
        (4, 5, 3, 3),
    )
    for digest in report.digests:
        pdf.heading(digest.title, 13)
        _session_sections(pdf, digest, language)
    pdf.line_of(t("As of %(moment)s") % {"moment": when(report.generated_at, language, report.timezone)}, muted=True)
    return pdf.output_bytes()

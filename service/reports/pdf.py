"""PDF digests and reports with fpdf2. Text stays text (searchable, copyable); the font is
the DejaVu Sans that matplotlib ships, so every name prints, whatever its alphabet."""

from __future__ import annotations

import io
import logging
import unicodedata
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import cast

import matplotlib
import segno
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from service.domain.digests import SessionDigest, WorkshopReport
from service.domain.formats.base import DigestDecision
from service.domain.network_report import GiveTake, NetworkReport
from service.domain.views import PublicSession
from service.i18n import day, gettext, short_when, when
from service.reports import charts
from service.reports.labels import label

logging.getLogger("fontTools").setLevel(logging.WARNING)  # it reports every subset at INFO
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
ACCENT = (47, 111, 94)
MUTED = (91, 107, 112)
HEADING_FILL = (238, 243, 241)
CELL_PADDING, LINE_HEIGHT = 1.0, 5.0  # mm
SLACK = 0.05  # mm more than a column's longest word, so that rounding never breaks it
RIGHT_TO_LEFT = {"R", "AL", "AN"}  # Unicode bidirectional classes that `cell` must reorder


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
        """A table across the page, its heading row repeated on every page it runs onto.

        Drawn cell by cell, wrapped at word boundaries with the font's widths: fpdf2's
        `table()` runs its general line breaker over every cell twice (about 1.5 ms a cell),
        which made the report of a workshop with 5,000 commitments take 40 s (bench/results.md).
        """
        if not rows:
            return
        self.set_font("DejaVu", "B", 10)
        least = [self._longest_word(name) for name in header]
        self.set_font("DejaVu", size=10)
        for row in rows:
            least = [max(width, self._longest_word(text)) for width, text in zip(least, row, strict=True)]
        columns = self._columns(widths or (1,) * len(header), [width + 2 * CELL_PADDING + SLACK for width in least])
        self.set_font("DejaVu", "B", 10)
        heading = self._layout(header, columns)
        self.set_font("DejaVu", size=10)
        auto, margin = self.auto_page_break, self.b_margin
        self.set_auto_page_break(False, margin)  # this table breaks its pages itself, between rows
        try:
            headed = False
            for row in rows:
                lines, height = self._layout(row, columns)
                if self.get_y() + height + (0 if headed else heading[1]) > self.page_break_trigger:
                    self.add_page()
                    headed = False
                if not headed:
                    self._heading_row(*heading, columns)
                    headed = True
                self._draw_row(lines, columns, height)
        finally:
            self.set_auto_page_break(auto, margin)
        self.ln(2)

    def _columns(self, shares: tuple[int, ...], least: list[float]) -> list[float]:
        """The page's width shared out by `shares`, but each column at least `least` wide (its
        longest word), so that no word is broken that fits. A column whose longest word is wider
        than the others leave it gets what they leave; only that word is broken then."""
        fair = [self.epw * share / sum(shares) for share in shares]
        least = list(least)
        for i in sorted(range(len(least)), key=lambda column: -least[column]):  # the widest gives way first
            least[i] = min(least[i], max(self.epw - (sum(least) - least[i]), fair[i]))
        if sum(least) >= self.epw:
            return [self.epw * width / sum(least) for width in least]
        fixed: dict[int, float] = {}
        while True:
            free = [i for i in range(len(shares)) if i not in fixed]
            room = self.epw - sum(fixed.values())
            total = sum(shares[i] for i in free)
            narrow = {i: least[i] for i in free if room * shares[i] / total < least[i]}
            if not narrow:
                return [fixed.get(i, room * shares[i] / total) for i in range(len(shares))]
            fixed.update(narrow)

    def _longest_word(self, text: str) -> float:
        """The width of the widest word, split as `_wrap` splits (at spaces and newlines)."""
        return max((self._width(word) for line in text.split("\n") for word in line.split(" ")), default=0.0)

    def _layout(self, cells: list[str], columns: list[float]) -> tuple[list[list[str]], float]:
        """Each cell's lines in the current font, and the row's height."""
        lines = [self._wrap(text, width - 2 * CELL_PADDING) for text, width in zip(cells, columns, strict=True)]
        return lines, max(map(len, lines)) * LINE_HEIGHT + 2 * CELL_PADDING

    def _heading_row(self, lines: list[list[str]], height: float, columns: list[float]) -> None:
        """Bold and muted on a tinted ground."""
        self.set_font("DejaVu", "B", 10)
        self.set_text_color(*MUTED)
        self.set_fill_color(*HEADING_FILL)
        self._draw_row(lines, columns, height, fill=True)
        self.set_font("DejaVu", size=10)
        self.set_text_color(0, 0, 0)

    def _draw_row(self, lines: list[list[str]], columns: list[float], height: float, fill: bool = False) -> None:
        x, y = self.l_margin, self.get_y()
        for cell_lines, width in zip(lines, columns, strict=True):
            self.rect(x, y, width, height, style="DF" if fill else "D")
            top = y + (height - len(cell_lines) * LINE_HEIGHT) / 2  # the text block centred, as in a table
            for number, line in enumerate(cell_lines):
                self._print(x + CELL_PADDING, top + number * LINE_HEIGHT, width - 2 * CELL_PADDING, line)
            x += width
        self.set_xy(self.l_margin, y + height)

    def _print(self, x: float, top: float, width: float, line: str) -> None:
        """One line of a cell. Left-to-right text goes straight onto the page with `text`,
        placed as `cell` places it; right-to-left text goes through `cell`, which orders it."""
        if any(unicodedata.bidirectional(char) in RIGHT_TO_LEFT for char in line):
            self.set_xy(x, top)
            self.cell(width, LINE_HEIGHT, line)
        elif line:
            self.text(x + self.c_margin, top + LINE_HEIGHT / 2 + 0.3 * self.font_size, line)

    def _width(self, text: str) -> float:
        """The width of `text` in the current font, from the font's own character widths:
        `get_string_width` prepares the text for layout on every call (0.1 ms a word)."""
        assert self.current_font is not None
        widths = cast("dict[int, float]", self.current_font.cw)  # TTF: code point → 1/1000 em
        return sum(widths[ord(char)] for char in text) * self.font_size_pt * 0.001 / self.k

    def _wrap(self, text: str, width: float) -> list[str]:
        """The lines `text` takes in a column `width` wide: broken between words, and inside a
        word only when the word alone is wider than the column."""
        lines: list[str] = []
        space = self._width(" ")
        for paragraph in text.split("\n"):
            line, used = "", 0.0
            for word in paragraph.split(" "):
                size = self._width(word)
                if line and used + space + size <= width:
                    line, used = f"{line} {word}", used + space + size
                    continue
                if line:
                    lines.append(line)
                rest = word
                while size > width and len(rest) > 1:
                    cut = self._fitting(rest, width)
                    lines.append(rest[:cut])
                    rest = rest[cut:]
                    size = self._width(rest)
                line, used = rest, size
            lines.append(line)
        return lines

    def _fitting(self, word: str, width: float) -> int:
        """How many leading characters of `word` fit into `width` (at least one)."""
        fits = 1
        while fits < len(word) and self._width(word[: fits + 1]) <= width:
            fits += 1
        return fits

    def output_bytes(self) -> bytes:
        return bytes(self.output())


def votes(decision: DigestDecision, language: str) -> str:
    """A decision's counted votes, e.g. "yes 9 · no 1 · abstained 2"; empty when not counted."""
    t = partial(gettext, language)
    counts = ((t("yes"), decision.yes), (t("no"), decision.no), (t("abstained"), decision.abstain))
    return " · ".join(f"{word} {n}" for word, n in counts if n is not None)


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
        f"{t('confirmed')}: {digest.confirmed} · {t('present')}: {digest.present} · "
        f"{t('on the waitlist')}: {digest.waitlisted} · "
        f"{t('newcomers')}: {digest.newcomers}"
    )
    if digest.commitments:
        pdf.heading(t("Commitments"), 11)
        pdf.grid(
            [t("Who"), t("What"), t("By when"), t("Status")],
            [
                [
                    c.owner_name or (t("(not named)") if digest.named_only else t("(erased)")),
                    c.text,
                    day(c.due, language),
                    label(language, c.status),
                ]
                for c in digest.commitments
            ],
            (3, 6, 2, 2),
        )
    if digest.agenda:
        pdf.heading(t("Agenda"), 11)
        pdf.grid(
            [t("Item"), t("Minutes")],
            [[item.title, "" if item.minutes is None else str(item.minutes)] for item in digest.agenda],
            (8, 1),
        )
    if digest.decisions:
        pdf.heading(t("Decisions"), 11)
        pdf.grid([t("Decision"), t("Votes")], [[d.text, votes(d, language)] for d in digest.decisions], (7, 3))
    if digest.next_meeting_at:
        pdf.line_of(f"{t('Next meeting')}: {when(digest.next_meeting_at, language, digest.timezone)}")
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


PHOTO_MAX_WIDTH_MM = 170
PHOTO_MAX_HEIGHT_MM = 220


def _photos(pdf: _Document, digest: SessionDigest, language: str) -> None:
    """The session's photos (flipcharts), each as large as the page allows."""
    shown = [p for p in digest.photos if p.data]
    if not shown:
        return
    pdf.heading(gettext(language, "Photos"), 11)
    for photo in shown:
        assert photo.data is not None
        width = min(PHOTO_MAX_WIDTH_MM, PHOTO_MAX_HEIGHT_MM * photo.width / max(photo.height, 1))
        pdf.image(io.BytesIO(photo.data), w=width)
        pdf.ln(4)


def digest_pdf(digest: SessionDigest, language: str) -> bytes:
    """A session's digest as PDF, with its participants."""
    t = partial(gettext, language)
    pdf = _Document(digest.title, f"{digest.workshop_title} · {digest.title}")
    pdf.line_of(f"{digest.workshop_title} · {t('Documentation')}", muted=True)
    pdf.heading(digest.title, 18)
    _session_sections(pdf, digest, language)
    _photos(pdf, digest, language)
    if digest.participants:
        pdf.heading(t("Participants"), 11)
        pdf.grid(
            [t("Name"), t("Organisation"), t("Status"), t("Present")],
            [
                [
                    (p.name or t("(erased)")) + (f" · {t('new')}" if p.newcomer else ""),
                    p.organisation or "",
                    label(language, p.status) + (f" {p.waitlist_position}" if p.waitlist_position else ""),
                    t("yes") if p.present else "–",
                ]
                for p in digest.participants
            ],
            (5, 5, 2, 2),
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
        f"{t('present')}: {totals.present} · "
        f"{t('newcomers')}: {totals.newcomers} ({round(totals.newcomer_share * 100)} %) · "
        f"{t('organisations')}: {len(report.organisations)} · {t('commitments')}: {totals.commitments}"
    )
    pdf.image(io.BytesIO(charts.signups_per_session(report, language, "png")), w=120)
    pdf.image(io.BytesIO(charts.commitment_status(report, language, "png")), w=80)
    pdf.heading(t("Sessions"))
    pdf.grid(
        [t("Session"), t("Format"), t("When"), t("confirmed"), t("present"), t("waitlist"), t("commitments")],
        [
            [
                s.title + (f" ({label(language, s.status)})" if s.status == "cancelled" else ""),
                label(language, s.format),
                short_when(s.starts_at, language, report.timezone),
                str(s.confirmed),
                str(s.present),
                str(s.waitlisted),
                f"{s.commitments_done}/{s.commitments}",
            ]
            for s in report.sessions
        ],
        (10, 6, 6, 4, 4, 5, 4),
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


def posters_pdf(title: str, sessions: list[PublicSession], language: str, timezone: str) -> bytes:
    """One A4 poster per session: title, room, time, the short link's QR code and the link in
    large type, to print and hang at the table."""
    pdf = _Document(title, title)
    for number, session in enumerate(sessions):
        if number:
            pdf.add_page()
        _poster(pdf, session, language, when(session.starts_at, language, timezone))
    return pdf.output_bytes()


def _poster(pdf: _Document, session: PublicSession, language: str, starts: str) -> None:
    pdf.heading(session.title, 28)
    facts = [(gettext(language, "Room"), session.room), (gettext(language, "When"), starts)]
    for name, value in facts:
        if value:
            pdf.set_font("DejaVu", size=16)
            pdf.line_of(f"{name}: {value}")
    pdf.ln(6)
    qr = io.BytesIO()
    segno.make(session.short_url, error="m").save(qr, kind="png", scale=10, border=2)
    side = 120  # mm
    pdf.image(qr, x=(pdf.w - side) / 2, w=side, h=side)
    pdf.ln(6)
    pdf.set_font("DejaVu", size=14)
    scan = gettext(language, "Scan to sign up, or type:")
    pdf.cell(0, 8, scan, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "B", 30)
    pdf.cell(0, 16, session.short_url.split("://")[-1], align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", size=10)


def _organisation(o: GiveTake, t: Callable[[str], str]) -> str:
    """An organisation's name (or that it is no longer named), marked when it is a member."""
    return (o.organisation or t("(erased)")) + (f" · {t('member')}" if o.member else "")


def network_report_pdf(report: NetworkReport, language: str, groups: Mapping[str, str]) -> bytes:
    """The network report as PDF: totals, charts, per year, per meeting, per working group, the
    balance of giving and taking, open commitments."""
    t = partial(gettext, language)
    pdf = _Document(report.name, f"{report.name} · {t('Network report')}")
    pdf.line_of(t("Network report"), muted=True)
    pdf.heading(report.name, 18)
    totals = report.totals
    pdf.line_of(
        f"{t('meetings')}: {totals.meetings} · {t('people')}: {totals.participants} · "
        f"{t('at two or more meetings')}: {totals.returning} · {t('organisations')}: {totals.organisations} "
        f"({t('member organisations')}: {totals.member_organisations}) · "
        f"{t('commitments done')}: {totals.commitments_done}/{totals.commitments_made} · "
        f"{t('overdue')}: {totals.commitments_overdue} · {t('intro talks held')}: {totals.intro_talks_held}"
    )
    if report.meetings:
        pdf.image(io.BytesIO(charts.network_participants(report, language, "png")), w=150)
    if report.give_take:
        pdf.image(io.BytesIO(charts.give_and_take(report, language, "png")), w=150)
    pdf.heading(t("Per year"))
    pdf.line_of(
        f"{t('newcomers')} ({t('newcomers who came back')}) · "
        f"{t('organisations')}: {t('member organisations')} + {t('other organisations')}",
        muted=True,
    )
    pdf.grid(
        [
            t("Year"),
            t("meetings"),
            t("people"),
            t("came back"),
            t("newcomers"),
            t("organisations"),
            t("commitments done/made"),
            t("overdue"),
            t("intro talks held"),
        ],
        [
            [
                str(y.year),
                str(y.meetings),
                str(y.participants),
                f"{y.returning} ({round(y.returning_share * 100)} %)",
                f"{y.newcomers} ({y.newcomers_came_back})",
                f"{y.member_organisations} + {y.organisations - y.member_organisations}",
                f"{y.commitments.done}/{y.commitments.made}",
                str(y.commitments.overdue),
                str(y.intro_talks_held),
            ]
            for y in report.years
        ],
        (3, 3, 3, 4, 4, 4, 4, 3, 3),
    )
    pdf.heading(t("Per meeting"))
    pdf.grid(
        [
            t("Meeting"),
            t("When"),
            t("people"),
            t("came back"),
            t("newcomers"),
            t("organisations"),
            t("commitments done/made"),
            t("overdue"),
            t("intro talks held"),
        ],
        [
            [
                m.title,
                short_when(m.starts_at, language, report.timezone),
                str(m.participants),
                f"{m.returning} ({round(m.returning_share * 100)} %)",
                f"{m.newcomers} ({m.newcomers_came_back})",
                f"{m.member_organisations} + {m.other_organisations}",
                f"{m.commitments.done}/{m.commitments.made}",
                str(m.commitments.overdue),
                str(m.intro_talks_held),
            ]
            for m in report.meetings
        ],
        (6, 4, 3, 4, 4, 4, 4, 3, 3),
    )
    pdf.heading(t("Commitments per working group"))
    pdf.grid(
        [t("Meeting"), t("Working group"), t("made"), t("done"), t("overdue")],
        [
            [
                m.title,
                groups.get(g.group_id, "") if g.group_id else t("no working group"),
                str(g.made),
                str(g.done),
                str(g.overdue),
            ]
            for m in report.meetings
            for g in m.by_group
        ],
        (6, 6, 2, 2, 2),
    )
    pdf.heading(t("Balance of giving and taking"))
    if not report.give_take:
        pdf.line_of(t("Nothing offered or asked for on a Marktplatz yet."), muted=True)
    pdf.grid(
        [t("Organisation"), t("offers"), t("requests")],
        [[_organisation(o, t), str(o.offers), str(o.requests)] for o in report.give_take],
        (8, 2, 2),
    )
    pdf.heading(t("Marktplatz offers and requests per meeting and organisation"))
    pdf.grid(
        [t("Meeting"), t("Organisation"), t("offers"), t("requests")],
        [[m.title, _organisation(o, t), str(o.offers), str(o.requests)] for m in report.meetings for o in m.give_take],
        (6, 8, 2, 2),
    )
    pdf.heading(t("Open commitments"))
    pdf.grid(
        [t("Meeting"), t("Commitment"), t("Who"), t("Due")],
        [
            [m.title, c.text, c.owner_name or t("(erased)"), day(c.due, language) if c.due else ""]
            for m in report.meetings
            for c in m.open_commitments
        ],
        (5, 8, 4, 3),
    )
    pdf.line_of(t("As of %(moment)s") % {"moment": when(report.generated_at, language, report.timezone)}, muted=True)
    return pdf.output_bytes()

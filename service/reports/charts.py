"""Charts for the report, drawn by matplotlib: SVG for the page, PNG for the PDF."""

from __future__ import annotations

import io
import re
from typing import Literal

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from service.domain.digests import WorkshopReport
from service.domain.network_report import NetworkReport
from service.i18n import gettext

Kind = Literal["svg", "png"]
MOST_SESSIONS = 25
GREEN, AMBER, GREY, RED = "#2f6f5e", "#d8a031", "#9aa7ab", "#b3453a"

# Labels are plain text: a title with `$...$` must not be read as a formula (a broken one raises).
plt.rcParams.update({"svg.fonttype": "none", "font.family": "DejaVu Sans", "font.size": 9, "text.parse_math": False})


def _save(figure: Figure, kind: Kind, name: str, title: str) -> bytes:
    out = io.BytesIO()
    metadata = {"Title": title, "Creator": None, "Date": None, "Format": None, "Type": None} if kind == "svg" else None
    figure.savefig(out, format=kind, bbox_inches="tight", dpi=150, metadata=metadata)
    plt.close(figure)
    return _inline(out.getvalue(), name) if kind == "svg" else out.getvalue()


_ID_OR_REFERENCE = re.compile(rb'(id="|url\(#|href="#)([^")]+)')


def _inline(svg: bytes, name: str) -> bytes:
    """An SVG fit for the inside of an HTML page: no XML prologue, DOCTYPE or RDF metadata (not
    allowed there); every id prefixed with the chart's name (matplotlib numbers them the same in
    every chart: `axes_1`); an image whose accessible name is its `<title>`."""
    svg = svg[svg.index(b"<svg") :]
    svg = re.sub(rb"\s*<metadata>.*?</metadata>", b"", svg, count=1, flags=re.S)
    svg = _ID_OR_REFERENCE.sub(lambda found: found.group(1) + name.encode() + b"-" + found.group(2), svg)
    return svg.replace(b"<svg ", b'<svg role="img" ', 1)


def signups_per_session(report: WorkshopReport, language: str, kind: Kind) -> bytes:
    """Confirmed and waitlisted sign-ups of the busiest sessions, as horizontal bars."""
    rows = sorted(report.sessions, key=lambda r: -(r.confirmed + r.waitlisted))[:MOST_SESSIONS][::-1]
    figure, axes = plt.subplots(figsize=(7, 0.35 * max(len(rows), 3) + 0.8))
    titles = [r.title if len(r.title) <= 40 else r.title[:39] + "…" for r in rows]
    axes.barh(titles, [r.confirmed for r in rows], color=GREEN, label=gettext(language, "confirmed"))
    axes.barh(
        titles,
        [r.waitlisted for r in rows],
        left=[r.confirmed for r in rows],
        color=AMBER,
        label=gettext(language, "waitlist"),
    )
    axes.set_xlabel(gettext(language, "Sign-ups"))
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend(loc="lower right", frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return _save(figure, kind, "signups", gettext(language, "Sign-ups per session"))


def commitment_status(report: WorkshopReport, language: str, kind: Kind) -> bytes:
    """How many commitments are open, done and overdue."""
    totals = report.totals
    values = [totals.commitments_open, totals.commitments_done, totals.commitments_overdue]
    names = [gettext(language, "open"), gettext(language, "done"), gettext(language, "overdue")]
    figure, axes = plt.subplots(figsize=(4.5, 2.4))
    bars = axes.bar(names, values, color=[GREY, GREEN, RED])
    axes.bar_label(bars)
    axes.set_ylabel(gettext(language, "Commitments"))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.spines[["top", "right"]].set_visible(False)
    return _save(figure, kind, "commitments", gettext(language, "Commitments: open, done, overdue"))


MOST_MEETINGS = 40
MOST_ORGANISATIONS = 20


def network_participants(report: NetworkReport, language: str, kind: Kind) -> bytes:
    """People per meeting, in the order held: who came back, who was new to the network."""
    rows = report.meetings[-MOST_MEETINGS:]
    figure, axes = plt.subplots(figsize=(7, 2.8))
    titles = [r.title if len(r.title) <= 24 else r.title[:23] + "…" for r in rows]
    positions = list(range(len(rows)))
    axes.bar(positions, [r.returning for r in rows], color=GREEN, label=gettext(language, "came back"))
    axes.bar(
        positions,
        [r.newcomers for r in rows],
        bottom=[r.returning for r in rows],
        color=AMBER,
        label=gettext(language, "new to the network"),
    )
    axes.set_xticks(positions, titles, rotation=30, ha="right")
    axes.set_ylabel(gettext(language, "People"))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlim(-0.6, max(len(rows), 4) - 0.4)  # a bar keeps its width with only a few meetings
    axes.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, frameon=False)  # above, never on a bar
    axes.spines[["top", "right"]].set_visible(False)
    return _save(figure, kind, "network-people", gettext(language, "People per meeting"))


def give_and_take(report: NetworkReport, language: str, kind: Kind) -> bytes:
    """Offers and requests on the Marktplatz per organisation: the balance of giving and taking."""
    rows = report.give_take[:MOST_ORGANISATIONS][::-1]
    figure, axes = plt.subplots(figsize=(7, 0.35 * max(len(rows), 3) + 0.8))
    named = [r.organisation or gettext(language, "(erased)") for r in rows]
    names = [name if len(name) <= 40 else name[:39] + "…" for name in named]
    axes.barh(names, [r.offers for r in rows], color=GREEN, label=gettext(language, "offers"))
    axes.barh(names, [-r.requests for r in rows], color=AMBER, label=gettext(language, "requests"))
    axes.axvline(0, color=GREY, linewidth=0.8)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.xaxis.set_major_formatter(lambda value, _position: str(abs(int(value))))
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return _save(figure, kind, "give-take", gettext(language, "Balance of giving and taking"))

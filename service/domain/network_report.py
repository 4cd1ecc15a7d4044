"""The network report: what a network's meetings add up to, per meeting and per year.

Two pure steps. `meeting_summary` folds one workshop's state into the small record the
network projection keeps per meeting (kept by a worker, rebuildable from the logs);
`network_report` adds those records up. People are linked across meetings only by the keyed
e-mail hash; a person without one (or erased, whose hash went with them) counts once per
meeting. No address, hash or token leaves this module in the report; names appear only as
owners of open commitments, and an erased person's name is gone from the state already.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import msgspec

from service.domain.organisations import OrganisationMatcher, match_organisation, members_named
from service.domain.state import WorkshopState, present


def member_of(typed: str, members: Sequence[str]) -> str | None:
    """The member organisation a typed organisation clearly is ("AWO" for "AWO Region Hannover e.V."
    when the network has one AWO; see domain/organisations.py for the rules); None for others."""
    return match_organisation(typed, members)


# --- the projection: one record per meeting ---------------------------------------------


class MeetingCommitment(msgspec.Struct, kw_only=True, array_like=True):
    id: str
    group_id: str | None
    owner_name: str | None
    text: str
    due: date | None
    status: str  # open, done


class MeetingSummary(msgspec.Struct, kw_only=True):
    """What the network projection keeps of one meeting (workshop)."""

    workshop_id: str
    title: str
    starts_at: datetime | None
    timezone: str
    status: str
    people: list[str]  # keyed e-mail hashes, and `~<workshop id>/<participant id>` for people without one
    organisations: dict[str, int]  # typed organisation → people at this meeting
    commitments: list[MeetingCommitment]
    give_take: dict[str, list[int]]  # organisation → [offers, requests] on the Marktplatz
    intro_talks: list[datetime]  # when each scheduled intro talk (of this meeting's newcomers) starts
    version: int = 0  # the workshop's log position the record was made at
    members_present: list[str] = msgspec.field(default_factory=list)
    """The member organisations (ids) someone of whom was present, matched on what people typed
    while it exists; kept when the record is made again after retention erased it."""


def _group_of(state: WorkshopState, session_id: str) -> str | None:
    session = state.sessions.get(session_id)
    return session.group_id if session is not None else None


def members_present(state: WorkshopState, members: Mapping[str, str]) -> list[str]:
    """The member organisations (id → organisation) someone of whom was present at the meeting,
    by the organisation they typed."""
    typed = [
        signup.person.organisation
        for signup in state.signups.values()
        if signup.status != "withdrawn"
        and signup.session_id in state.sessions
        and present(signup, state.sessions[signup.session_id])
    ]
    return sorted(members_named(typed, members))


def meeting_summary(
    state: WorkshopState, members: Mapping[str, str] | None = None, kept: Iterable[str] = ()
) -> MeetingSummary:
    """The projection's record of one workshop: its people (confirmed sign-ups), organisations,
    commitments, Marktplatz give and take and intro talks, and the member organisations present
    (`members`: the network's, id → organisation; `kept`: those an earlier record found)."""
    people: dict[str, str | None] = {}  # person key → organisation
    for signup in state.signups.values():
        if signup.status != "confirmed":
            continue
        participant = state.participants.get(signup.participant_id)
        hashed = participant.email_hash if participant is not None else signup.email_hash
        key = hashed or f"~{state.id}/{signup.participant_id}"
        organisation = (signup.person.organisation or "").strip() or None
        if people.get(key) is None:
            people[key] = organisation
    organisations = Counter(org for org in people.values() if org)
    commitments = [
        MeetingCommitment(
            id=c.id,
            group_id=_group_of(state, c.session_id),
            owner_name=c.owner.name,
            text=c.text,
            due=c.due,
            status=c.status,
        )
        for c in state.commitments.values()
        if c.status != "withdrawn"
    ]
    give_take: dict[str, list[int]] = {}
    for offer in state.offers.values():
        organisation = ((offer.owner.organisation if offer.owner else None) or "").strip()
        if organisation:
            counts = give_take.setdefault(organisation, [0, 0])
            counts[0 if offer.kind == "offer" else 1] += 1
    talks = [
        state.intro_slots[t.slot_id].starts_at
        for t in state.intro_talks.values()
        if t.slot_id is not None and t.slot_id in state.intro_slots and not state.intro_slots[t.slot_id].withdrawn
    ]
    return MeetingSummary(
        workshop_id=state.id,
        title=state.title,
        starts_at=state.starts_at.astimezone(UTC) if state.starts_at else None,  # as the projection keeps it
        timezone=state.timezone,
        status=state.status,
        people=sorted(people),
        organisations=dict(sorted(organisations.items())),
        commitments=commitments,
        give_take=dict(sorted(give_take.items())),
        intro_talks=sorted(t.astimezone(UTC) for t in talks),
        version=state.version,
        members_present=sorted(set(kept) | set(members_present(state, members or {}))),
    )


# --- the report ------------------------------------------------------------------------


class CommitmentCounts(msgspec.Struct, kw_only=True):
    made: int = 0
    done: int = 0
    overdue: int = 0


class GroupCommitments(CommitmentCounts, kw_only=True):
    group_id: str | None  # None: made outside any working group


class GiveTake(msgspec.Struct, kw_only=True):
    organisation: str
    member: bool
    offers: int
    requests: int


class OpenCommitment(msgspec.Struct, kw_only=True):
    id: str
    owner_name: str | None  # None once the person is erased
    text: str
    due: date | None
    overdue: bool


class MeetingLine(msgspec.Struct, kw_only=True):
    workshop_id: str
    title: str
    starts_at: datetime | None
    year: int | None
    participants: int
    returning: int  # of them, people who had been at an earlier meeting of the network
    returning_share: float
    newcomers: int  # people at their first meeting of the network
    newcomers_came_back: int  # of those, people who came to a later meeting
    organisations: int
    member_organisations: int
    other_organisations: int
    commitments: CommitmentCounts
    by_group: list[GroupCommitments]
    give_take: list[GiveTake]
    intro_talks_held: int
    open_commitments: list[OpenCommitment]


class YearLine(msgspec.Struct, kw_only=True):
    year: int
    meetings: int
    participants: int
    returning: int  # people at two or more meetings of that year
    returning_share: float
    newcomers: int
    newcomers_came_back: int
    organisations: int
    member_organisations: int
    commitments: CommitmentCounts
    intro_talks_held: int


class NetworkTotals(msgspec.Struct, kw_only=True):
    meetings: int
    participants: int
    returning: int  # people at two or more meetings
    organisations: int
    commitments_made: int
    commitments_done: int
    commitments_overdue: int = 0
    member_organisations: int = 0
    intro_talks_held: int = 0


class NetworkReport(msgspec.Struct, kw_only=True):
    network_id: str
    name: str
    timezone: str
    totals: NetworkTotals
    years: list[YearLine]
    meetings: list[MeetingLine]
    give_take: list[GiveTake]  # over all meetings: the balance of giving and taking
    generated_at: datetime


_LAST = datetime.max.replace(tzinfo=ZoneInfo("UTC"))


def _local_day(moment: datetime, timezone: str) -> date:
    return moment.astimezone(ZoneInfo(timezone)).date()


def _share(part: int, whole: int) -> float:
    return round(part / whole, 3) if whole else 0.0


def _canonical(typed: str, members: OrganisationMatcher) -> tuple[str, bool]:
    member = members.match(typed)
    return (member, True) if member is not None else (" ".join(typed.split()), False)


def _commitment_counts(commitments: Iterable[MeetingCommitment], today: date) -> CommitmentCounts:
    counts = CommitmentCounts()
    for c in commitments:
        counts.made += 1
        counts.done += c.status == "done"
        counts.overdue += c.status == "open" and c.due is not None and c.due < today
    return counts


def _give_take(rows: Iterable[tuple[str, list[int]]], members: OrganisationMatcher) -> list[GiveTake]:
    summed: dict[tuple[str, bool], list[int]] = {}
    for typed, (offers, requests) in rows:
        counts = summed.setdefault(_canonical(typed, members), [0, 0])
        counts[0] += offers
        counts[1] += requests
    return [
        GiveTake(organisation=name, member=member, offers=o, requests=r)
        for (name, member), (o, r) in sorted(summed.items(), key=lambda item: (-sum(item[1]), item[0][0].casefold()))
    ]


def network_report(
    network_id: str,
    name: str,
    members: Sequence[str],
    summaries: Iterable[MeetingSummary],
    now: datetime,
    timezone: str = "Europe/Berlin",
) -> NetworkReport:
    """The network's meetings in the order they were held, each with what it added; per year
    and over all. `members`: the member organisations' names."""
    matcher = OrganisationMatcher(members)
    meetings = sorted(summaries, key=lambda s: (s.starts_at or _LAST, s.workshop_id))
    seen_at: dict[str, list[int]] = {}  # person key → indexes of the meetings they were at
    for index, summary in enumerate(meetings):
        for person in summary.people:
            seen_at.setdefault(person, []).append(index)
    lines: list[MeetingLine] = []
    for index, summary in enumerate(meetings):
        today = _local_day(now, summary.timezone)
        first = [p for p in summary.people if seen_at[p][0] == index]
        back = [p for p in first if len(seen_at[p]) > 1]
        returning = len(summary.people) - len(first)
        organisations = {_canonical(typed, matcher) for typed in summary.organisations}
        groups: dict[str | None, list[MeetingCommitment]] = {}
        for c in summary.commitments:
            groups.setdefault(c.group_id, []).append(c)
        lines.append(
            MeetingLine(
                workshop_id=summary.workshop_id,
                title=summary.title,
                starts_at=summary.starts_at,
                year=_local_day(summary.starts_at, summary.timezone).year if summary.starts_at else None,
                participants=len(summary.people),
                returning=returning,
                returning_share=_share(returning, len(summary.people)),
                newcomers=len(first),
                newcomers_came_back=len(back),
                organisations=len(organisations),
                member_organisations=sum(1 for _, member in organisations if member),
                other_organisations=sum(1 for _, member in organisations if not member),
                commitments=_commitment_counts(summary.commitments, today),
                by_group=[
                    GroupCommitments(group_id=group, **msgspec.structs.asdict(_commitment_counts(cs, today)))
                    for group, cs in sorted(groups.items(), key=lambda item: (item[0] is not None, item[0] or ""))
                ],
                give_take=_give_take(summary.give_take.items(), matcher),
                intro_talks_held=sum(1 for t in summary.intro_talks if t <= now),
                open_commitments=[
                    OpenCommitment(
                        id=c.id,
                        owner_name=c.owner_name,
                        text=c.text,
                        due=c.due,
                        overdue=c.due is not None and c.due < today,
                    )
                    for c in summary.commitments
                    if c.status == "open"
                ],
            )
        )
    everyone = set(seen_at)
    all_organisations = {_canonical(typed, matcher) for s in meetings for typed in s.organisations}
    return NetworkReport(
        network_id=network_id,
        name=name,
        timezone=timezone,
        totals=NetworkTotals(
            meetings=len(meetings),
            participants=len(everyone),
            returning=sum(1 for p in everyone if len(seen_at[p]) > 1),
            organisations=len(all_organisations),
            commitments_made=sum(line.commitments.made for line in lines),
            commitments_done=sum(line.commitments.done for line in lines),
            commitments_overdue=sum(line.commitments.overdue for line in lines),
            member_organisations=sum(1 for _, member in all_organisations if member),
            intro_talks_held=sum(line.intro_talks_held for line in lines),
        ),
        years=_years(meetings, lines, matcher),
        meetings=lines,
        give_take=_give_take(((typed, gt) for s in meetings for typed, gt in s.give_take.items()), matcher),
        generated_at=now,
    )


def _years(meetings: list[MeetingSummary], lines: list[MeetingLine], members: OrganisationMatcher) -> list[YearLine]:
    by_year: dict[int, list[int]] = {}
    for index, line in enumerate(lines):
        if line.year is not None:
            by_year.setdefault(line.year, []).append(index)
    years = []
    for year, indexes in sorted(by_year.items()):
        count = Counter(p for i in indexes for p in meetings[i].people)
        organisations = {_canonical(typed, members) for i in indexes for typed in meetings[i].organisations}
        returning = sum(1 for n in count.values() if n > 1)
        years.append(
            YearLine(
                year=year,
                meetings=len(indexes),
                participants=len(count),
                returning=returning,
                returning_share=_share(returning, len(count)),
                newcomers=sum(lines[i].newcomers for i in indexes),
                newcomers_came_back=sum(lines[i].newcomers_came_back for i in indexes),
                organisations=len(organisations),
                member_organisations=sum(1 for _, member in organisations if member),
                commitments=CommitmentCounts(
                    made=sum(lines[i].commitments.made for i in indexes),
                    done=sum(lines[i].commitments.done for i in indexes),
                    overdue=sum(lines[i].commitments.overdue for i in indexes),
                ),
                intro_talks_held=sum(lines[i].intro_talks_held for i in indexes),
            )
        )
    return years

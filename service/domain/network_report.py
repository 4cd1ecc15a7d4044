"""The network report: what a network's meetings add up to, per meeting and per year.

Two pure steps. `meeting_summary` folds one workshop's state into the small record the
network projection keeps per meeting (kept by a worker, rebuildable from the logs);
`network_report` adds those records up. People are linked across meetings by the keyed
e-mail hash, and once erased across the network by the random tombstone id their erasure gave
every meeting; a person without either counts once per meeting. Organisations are counted by a
keyed hash of what was typed, which a record keeps (with the member it matched) for people
erased since: an erasure takes names, not counts. No address, hash or token leaves this module
in the report; names appear only as owners of open commitments, and an erased person's name is
gone from the state already.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import msgspec

from service.domain.events import Person
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
    people: list[str]  # keyed e-mail hashes, `~<tombstone>` once erased, `~<workshop id>/<participant id>` else
    commitments: list[MeetingCommitment]
    intro_talks: list[datetime]  # when each scheduled intro talk (of this meeting's newcomers) starts
    version: int = 0  # the workshop's log position the record was made at
    members_present: list[str] = msgspec.field(default_factory=list)
    """The member organisations (ids) someone of whom was present, matched on what people typed
    while it exists; kept when the record is made again after retention erased it."""
    organisation_of: dict[str, str] = msgspec.field(default_factory=dict)
    """Participant (confirmed) → the token of the organisation they typed; kept once they are erased."""
    organisation_names: dict[str, str] = msgspec.field(default_factory=dict)
    """Token → the organisation as typed, while someone not erased typed it."""
    member_of: dict[str, str] = msgspec.field(default_factory=dict)
    """Token → the member organisation it matched while it was typed (a name, which is no personal data)."""
    offers: dict[str, list[str]] = msgspec.field(default_factory=dict)
    """Marktplatz post → [the token of its owner's organisation, "offer" or "request"]; kept once erased."""
    form: int = 1
    """What this record holds: 1 (absent) before organisations were kept by token; a record of an
    earlier form is made again from its workshop by the reader (`up_to_date`), as one behind it."""


RECORD_FORM = 2


OrganisationToken = Callable[[str], str]
"""A typed organisation, whitespace-normalised and casefolded → a keyed hash of it: how the
projection counts organisations, so a record can keep the count of an erased person's
organisation without its name (application/network_reports.py keys it with the deployment's)."""


def plain(typed: str) -> str:
    """What an organisation's token is made of: two spellings that differ only in case and spaces are one."""
    return " ".join(typed.split()).casefold()


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
    state: WorkshopState,
    token: OrganisationToken,
    members: Mapping[str, str] | None = None,
    earlier: MeetingSummary | None = None,
) -> MeetingSummary:
    """The projection's record of one workshop: its people (confirmed sign-ups), organisations,
    commitments, Marktplatz give and take and intro talks, and the member organisations present
    (`members`: the network's, id → organisation). `earlier`: the record made before, whose
    organisations of people erased since are kept (the state has lost them)."""
    member_names = sorted(set((members or {}).values()))
    tokens = _Tokens(token, member_names, earlier)
    people: set[str] = set()
    organisation_of: dict[str, str] = {}
    for signup in state.signups.values():
        if signup.status != "confirmed":
            continue
        participant = state.participants.get(signup.participant_id)
        hashed = participant.email_hash if participant is not None else signup.email_hash
        tombstone = participant.tombstone if participant is not None else None
        people.add(hashed or (f"~{tombstone}" if tombstone else f"~{state.id}/{signup.participant_id}"))
        found = tokens.of(signup.person, earlier.organisation_of.get(signup.participant_id) if earlier else None)
        if found is not None:
            organisation_of.setdefault(signup.participant_id, found)
    offers: dict[str, list[str]] = {}
    for offer in state.offers.values():
        kept = earlier.offers.get(offer.id) if earlier is not None else None
        found = tokens.of(offer.owner, kept[0] if kept else None) if offer.owner is not None else None
        if found is not None:
            offers[offer.id] = [found, offer.kind]
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
    talks = [
        state.intro_slots[t.slot_id].starts_at
        for t in state.intro_talks.values()
        if t.slot_id is not None and t.slot_id in state.intro_slots and not state.intro_slots[t.slot_id].withdrawn
    ]
    kept_members = earlier.members_present if earlier is not None else ()
    return MeetingSummary(
        workshop_id=state.id,
        title=state.title,
        starts_at=state.starts_at.astimezone(UTC) if state.starts_at else None,  # as the projection keeps it
        timezone=state.timezone,
        status=state.status,
        people=sorted(people),
        commitments=commitments,
        intro_talks=sorted(t.astimezone(UTC) for t in talks),
        version=state.version,
        members_present=sorted(set(kept_members) | set(members_present(state, members or {}))),
        organisation_of=dict(sorted(organisation_of.items())),
        organisation_names=dict(sorted(tokens.names.items())),
        member_of=dict(sorted(tokens.member_of.items())),
        offers=dict(sorted(offers.items())),
        form=RECORD_FORM,
    )


class _Tokens:
    """The organisations of one meeting's record: a token per typed organisation, its name while
    typed, the member it matched; an erased person's token taken from the earlier record."""

    def __init__(self, token: OrganisationToken, member_names: Sequence[str], earlier: MeetingSummary | None) -> None:
        self._token = token
        self._member_names = member_names
        self._earlier_members = earlier.member_of if earlier is not None else {}
        self.names: dict[str, str] = {}
        self.member_of: dict[str, str] = {}

    def of(self, person: Person, kept: str | None) -> str | None:
        """The token of the person's organisation: of what they typed, or (erased) the one kept."""
        typed = " ".join((person.organisation or "").split())
        if typed:
            found = self._token(plain(typed))
            self.names.setdefault(found, typed)
            member = match_organisation(typed, self._member_names)
            if member is not None:
                self.member_of[found] = member
            return found
        if kept is not None and person.erased:
            if kept in self._earlier_members:
                self.member_of.setdefault(kept, self._earlier_members[kept])
            return kept
        return None


# --- the report ------------------------------------------------------------------------


class CommitmentCounts(msgspec.Struct, kw_only=True):
    made: int = 0
    done: int = 0
    overdue: int = 0


class GroupCommitments(CommitmentCounts, kw_only=True):
    group_id: str | None  # None: made outside any working group


class GiveTake(msgspec.Struct, kw_only=True):
    organisation: str | None  # None: a non-member whose every typist was erased (counted, not named)
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


class _Organisations:
    """The network's organisations by token: a member (matched on a name typed now, or as the
    record noted while it was typed) counts by its name, any other by its token."""

    def __init__(self, meetings: Sequence[MeetingSummary], members: Sequence[str]) -> None:
        matcher = OrganisationMatcher(members)
        names: dict[str, str] = {}
        noted: dict[str, str] = {}
        for summary in meetings:
            for found, name in summary.organisation_names.items():
                names.setdefault(found, name)
            noted.update(summary.member_of)
        self.names = names
        self._member = {
            found: matcher.match(names[found]) if found in names else None for found in names.keys() | noted.keys()
        }
        for found, member in noted.items():
            if self._member.get(found) is None and member in members:
                self._member[found] = member

    def canonical(self, found: str) -> tuple[str, bool]:
        """(member name, True) or (token, False): what counts as one organisation."""
        member = self._member.get(found)
        return (member, True) if member is not None else (found, False)

    def label(self, key: str, member: bool) -> str | None:
        return key if member else self.names.get(key)


def _commitment_counts(commitments: Iterable[MeetingCommitment], today: date) -> CommitmentCounts:
    counts = CommitmentCounts()
    for c in commitments:
        counts.made += 1
        counts.done += c.status == "done"
        counts.overdue += c.status == "open" and c.due is not None and c.due < today
    return counts


def _give_take(posts: Iterable[list[str]], organisations: _Organisations) -> list[GiveTake]:
    summed: dict[tuple[str, bool], list[int]] = {}
    for found, kind in posts:
        counts = summed.setdefault(organisations.canonical(found), [0, 0])
        counts[0 if kind == "offer" else 1] += 1
    rows = [
        GiveTake(organisation=organisations.label(key, member), member=member, offers=o, requests=r)
        for (key, member), (o, r) in summed.items()
    ]
    return sorted(
        rows, key=lambda g: (-(g.offers + g.requests), g.organisation is None, (g.organisation or "").casefold())
    )


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
    meetings = sorted(summaries, key=lambda s: (s.starts_at or _LAST, s.workshop_id))
    organisations_of = _Organisations(meetings, members)
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
        organisations = {organisations_of.canonical(found) for found in summary.organisation_of.values()}
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
                give_take=_give_take(summary.offers.values(), organisations_of),
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
    all_organisations = {organisations_of.canonical(found) for s in meetings for found in s.organisation_of.values()}
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
        years=_years(meetings, lines, organisations_of),
        meetings=lines,
        give_take=_give_take((post for s in meetings for post in s.offers.values()), organisations_of),
        generated_at=now,
    )


def _years(meetings: list[MeetingSummary], lines: list[MeetingLine], members: _Organisations) -> list[YearLine]:
    by_year: dict[int, list[int]] = {}
    for index, line in enumerate(lines):
        if line.year is not None:
            by_year.setdefault(line.year, []).append(index)
    years = []
    for year, indexes in sorted(by_year.items()):
        count = Counter(p for i in indexes for p in meetings[i].people)
        organisations = {members.canonical(found) for i in indexes for found in meetings[i].organisation_of.values()}
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

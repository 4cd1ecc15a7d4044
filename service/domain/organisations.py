"""Which member organisation a freely typed organisation name means. Pure.

People type their organisation as they like ("AWO", "awo region hannover", "AWO Region
Hannover e.V."). The network report counts member organisations, so a typed name is mapped
onto a member where it clearly matches, by this rule:

1. Both names are reduced to their core: case and extra whitespace ignored, punctuation
   (dots, commas, hyphens, quotes, brackets) read as spaces, legal-form words left out
   ("e.V.", "eV", "gGmbH", "GmbH", "mbH", "gUG", "UG", "AG", "eG", "KG", "gAG"), region words
   left out ("Region", "Kreisverband", "Ortsverein", "Landesverband", "Stadtverband",
   "Bezirksverband", "Regionalverband", "KV", "OV") and so are the network's own places
   (its city, given by the caller).
2. A typed name whose core equals the core of exactly one member is that member.
3. Otherwise, when the typed core is the beginning of exactly one member's core, or exactly
   one member's core is the beginning of the typed core (whole words: "AWO" and "AWO Südstadt"),
   it is that member.
4. Anything else (no member, two members that fit, an empty core) stays unmapped: the report
   counts it as an organisation of its own under the name as typed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence

LEGAL_FORMS = frozenset({"ev", "e v", "ggmbh", "gmbh", "mbh", "gug", "ug", "ag", "gag", "eg", "kg"})
REGION_WORDS = frozenset(
    {
        "region",
        "kreisverband",
        "ortsverein",
        "ortsverband",
        "landesverband",
        "stadtverband",
        "bezirksverband",
        "regionalverband",
        "kv",
        "ov",
    }
)
_PUNCTUATION = re.compile(r"[.,;:\-–—/'\"„“”‚‘’()\[\]&+]")


def _words(name: str) -> list[str]:
    text = unicodedata.normalize("NFC", name).casefold()
    text = re.sub(r"\be\s*\.\s*v\b\.?", " ev ", text)  # "e.V.", "e. V." as one word
    return _PUNCTUATION.sub(" ", text).split()


def organisation_core(name: str, places: Iterable[str] = ()) -> tuple[str, ...]:
    """The words of a name that say which organisation it is (rule 1)."""
    place_words = {word for place in places for word in _words(place)}
    return tuple(w for w in _words(name) if w not in LEGAL_FORMS | REGION_WORDS | place_words)


def _starts(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    return len(longer) > len(shorter) and longer[: len(shorter)] == shorter


class OrganisationMatcher:
    """Matches typed names against a network's members: each member's core made once, each typed
    name matched once (a network report asks for every name typed at every meeting: 100 meetings
    made ≈440,000 cores, 2.8 s, for a few hundred distinct names). Lives as long as one report."""

    def __init__(self, members: Sequence[str], places: Iterable[str] = ()) -> None:
        self._places = tuple(places)
        self._cores = {member: organisation_core(member, self._places) for member in members}
        self._matched: dict[str, str | None] = {}

    def match(self, typed: str) -> str | None:
        """The member (as the network spells it) that `typed` clearly means, or None (rules 2-4)."""
        if typed not in self._matched:
            self._matched[typed] = self._match(typed)
        return self._matched[typed]

    def _match(self, typed: str) -> str | None:
        core = organisation_core(typed, self._places)
        if not core:
            return None
        equal = [member for member, other in self._cores.items() if other == core]
        if equal:
            return equal[0] if len(equal) == 1 else None
        fitting = [
            member for member, other in self._cores.items() if other and (_starts(other, core) or _starts(core, other))
        ]
        return fitting[0] if len(fitting) == 1 else None


def match_organisation(typed: str, members: Sequence[str], places: Iterable[str] = ()) -> str | None:
    """The member (as the network spells it) that `typed` clearly means, or None (rules 2-4)."""
    return OrganisationMatcher(members, places).match(typed)


def map_organisations(typed: Iterable[str], members: Sequence[str], places: Iterable[str] = ()) -> dict[str, str]:
    """Each typed name that clearly means a member, with that member; the others are left out."""
    matcher = OrganisationMatcher(members, places)
    mapped = {name: matcher.match(name) for name in set(typed)}
    return {name: member for name, member in mapped.items() if member is not None}


def members_named(typed: Iterable[str | None], members: Mapping[str, str], places: Iterable[str] = ()) -> set[str]:
    """The ids of the members (id → organisation) that some typed name clearly means, each name
    matched against all members at once: "AWO" names no member when two AWOs are members."""
    matcher = OrganisationMatcher(list(dict.fromkeys(members.values())), places)
    matched = {matcher.match(name) for name in set(typed) if name}
    return {mid for mid, organisation in members.items() if organisation in matched}

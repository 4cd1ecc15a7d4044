"""Typed organisation names mapped onto a network's members (service/domain/organisations.py)."""

from __future__ import annotations

import pytest

from service.domain.organisations import map_organisations, match_organisation, organisation_core

MEMBERS = ["AWO Region Hannover e.V.", "Caritasverband Hannover e.V.", "Freiwilligenzentrum Hannover gGmbH", "VHS"]


@pytest.mark.parametrize(
    ("typed", "member"),
    [
        ("AWO", "AWO Region Hannover e.V."),
        ("awo", "AWO Region Hannover e.V."),
        ("  AWO   Region Hannover e. V. ", "AWO Region Hannover e.V."),
        ("AWO Hannover", "AWO Region Hannover e.V."),
        ("Caritasverband Hannover", "Caritasverband Hannover e.V."),
        ("Freiwilligenzentrum", "Freiwilligenzentrum Hannover gGmbH"),
        ("Freiwilligenzentrum Hannover GmbH", "Freiwilligenzentrum Hannover gGmbH"),
        ("VHS Hannover", "VHS"),
        ("vhs.", "VHS"),
    ],
)
def test_clear_matches_map_onto_the_member(typed: str, member: str) -> None:
    assert match_organisation(typed, MEMBERS, places=["Hannover"]) == member


@pytest.mark.parametrize("typed", ["Diakonie", "", "e.V.", "Hannover", "Caritas"])
def test_unclear_names_stay_unmapped(typed: str) -> None:
    assert match_organisation(typed, MEMBERS, places=["Hannover"]) is None


def test_two_members_that_fit_leave_the_name_unmapped() -> None:
    members = ["AWO Region Hannover e.V.", "AWO Kreisverband Celle e.V."]
    assert match_organisation("AWO", members) is None
    assert match_organisation("AWO Celle", members) == "AWO Kreisverband Celle e.V."


def test_without_the_city_the_region_still_has_to_fit() -> None:
    assert organisation_core("AWO Region Hannover e.V.") == ("awo", "hannover")
    assert match_organisation("AWO", MEMBERS) == "AWO Region Hannover e.V."


def test_map_organisations_keeps_only_the_clear_ones() -> None:
    mapped = map_organisations(["AWO", "awo region hannover", "Diakonie"], MEMBERS, ["Hannover"])
    assert mapped == {"AWO": "AWO Region Hannover e.V.", "awo region hannover": "AWO Region Hannover e.V."}

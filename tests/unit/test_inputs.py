"""Checking e-mail addresses: email-validator's answers, with each domain's check remembered."""

from __future__ import annotations

import importlib

import pytest
from email_validator import syntax

from service.application.inputs import checked_email
from service.domain.errors import Invalid

validating = importlib.import_module("email_validator.validate_email")

ADDRESSES = [
    "anna.schmidt@example.org",
    "Anna.Schmidt@EXAMPLE.org",
    "kontakt@bürgerstiftung-hannover.de",
    "KONTAKT@Bürgerstiftung-Hannover.DE",
    "info+ag@xn--brgerstiftung-hannover-zhc.de",
    "ämter@stadt.example.org",
]


def test_the_domain_check_is_remembered_per_domain() -> None:
    remembered = validating.validate_email_domain_name
    assert remembered is not syntax.validate_email_domain_name  # the memo is where validate_email looks
    before = remembered.cache_info().hits
    checked_email("erste@rundertisch.example.org", "email")
    checked_email("zweite@rundertisch.example.org", "email")
    assert remembered.cache_info().hits == before + 1


@pytest.mark.parametrize("address", ADDRESSES)
def test_a_remembered_domain_normalises_as_a_new_one(address: str) -> None:
    first = checked_email(address, "email")
    again = checked_email(address.replace("@", ".noch@", 1), "email")
    assert first is not None and again is not None
    assert first.rpartition("@")[2] == again.rpartition("@")[2]
    assert first.rpartition("@")[2] == syntax.validate_email_domain_name(address.rpartition("@")[2])["domain"]


@pytest.mark.parametrize(
    "address", ["a@example..org", "a@-example.org", "a@example", "a@localhost", "a@" + "x" * 64 + ".org"]
)
def test_a_refused_domain_is_refused_every_time(address: str) -> None:
    for _ in range(2):
        with pytest.raises(Invalid) as refused:
            checked_email(address, "email")
        assert refused.value.field == "email"


def test_the_whole_address_is_still_checked_with_a_remembered_domain() -> None:
    checked_email("gut@example.org", "email")
    too_long = ".".join(["x" * 60] * 4) + "@example.org"
    for address in ["schlecht..punkt@example.org", too_long, "leer zeichen@example.org"]:
        with pytest.raises(Invalid):
            checked_email(address, "email")

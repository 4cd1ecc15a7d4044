"""Which jobs events call for: a run of erasures calls for one rewrite of Redis's history; a
round table's fixed date calls for invitations, its close for the contact exchange when chosen."""

from __future__ import annotations

from datetime import timedelta

from service.domain import events as e
from service.domain.state import WorkshopState
from service.domain.timing import due_reminder_at
from tests.unit.test_rules import NOW, created, given, planned, signup
from workers.dispatch import dispatch


def test_a_run_of_erasures_calls_for_one_history_rewrite_at_its_first_erasure() -> None:
    erased = [e.PersonErased(at=NOW, subject=subject) for subject in ("a", "b", "c")]
    recorded = [(1, erased[0]), (2, erased[1]), (3, e.SessionOpened(at=NOW, session_id="s")), (4, erased[2])]
    jobs = dispatch(WorkshopState(id="w"), recorded)
    assert [job.job_id for job in jobs if job.handler == "workers.erasure.forget_history"] == [
        "w-1-forget_history",
        "w-4-forget_history",
    ]


def test_a_fixed_date_calls_for_invitations_and_a_close_for_the_contact_exchange_only_when_chosen() -> None:
    state = given(created(), planned("r", "runder_tisch"), planned("t"), signup(1, sid="r"), signup(2, sid="t"))
    state.signups["a1"].share_contact = True
    options = (NOW + timedelta(days=7), NOW + timedelta(days=14))
    recorded: list[tuple[int, e.Event]] = [
        (6, e.DatePollOpened(at=NOW, session_id="r", options=options)),
        (7, e.DateFixed(at=NOW, session_id="r", option=1, next_meeting_at=options[1])),
        (8, e.SessionClosed(at=NOW, session_id="r")),
        (9, e.SessionClosed(at=NOW, session_id="t")),
    ]
    handlers = [(job.job_id, job.handler.short) for job in dispatch(state, recorded) if "digest" not in job.job_id]
    assert handlers == [
        ("w-7-send_meeting_invitations", "send_meeting_invitations"),
        ("w-8-send_follow_ups", "send_follow_ups"),
        ("w-8-send_contact_exchange", "send_contact_exchange"),
        ("w-9-send_follow_ups", "send_follow_ups"),
    ]


def test_a_batch_of_a_networks_meeting_calls_for_its_projection_once_before_any_rewrite() -> None:
    state = given(created(), e.WorkshopNetworkSet(at=NOW, network_id="net-a"), planned(), signup(1))
    batch = [(4, signup(2)), (5, e.PersonErased(at=NOW, subject="p1")), (6, signup(3))]
    names = [job.handler.short for job in dispatch(state, batch)]
    assert names.count("project_meeting") == 1
    assert names.index("project_meeting") < names.index("forget_history")
    joined = [(3, e.WorkshopNetworkSet(at=NOW, network_id=None))]
    assert [j.handler.short for j in dispatch(given(created(), planned()), joined)] == ["project_meeting"]
    assert "project_meeting" not in [j.handler.short for j in dispatch(given(created(), planned()), [(3, signup(1))])]


def test_a_new_date_or_a_new_owner_calls_for_a_reminder_on_the_date_a_new_text_does_not() -> None:
    made = e.CommitmentMade(
        at=NOW, commitment_id="c", session_id="s", owner=e.Person("o", "Olga"), text="Flyer", due=NOW.date()
    )
    state = given(created(), planned(), made)
    recorded: list[tuple[int, e.Event]] = [
        (4, e.CommitmentCorrected(at=NOW, commitment_id="c", due=NOW.date() + timedelta(days=7))),
        (5, e.CommitmentCorrected(at=NOW, commitment_id="c", owner=e.Person("d", "Dora", "dora@example.org"))),
        (6, e.CommitmentCorrected(at=NOW, commitment_id="c", text="Flyer drucken")),
    ]
    jobs = [(job.job_id, job.args[-1]) for job in dispatch(state, recorded)]
    assert jobs == [
        ("w-4-send_due_reminder", (NOW.date() + timedelta(days=7)).isoformat()),
        ("w-5-send_due_reminder", NOW.date().isoformat()),
    ]


def test_a_reopened_commitment_with_a_date_calls_for_its_reminder_again() -> None:
    dated = e.CommitmentMade(
        at=NOW, commitment_id="c", session_id="s", owner=e.Person("o", "Olga"), text="Flyer", due=NOW.date()
    )
    undated = e.CommitmentMade(at=NOW, commitment_id="u", session_id="s", owner=e.Person("o", "Olga"), text="Saal")
    state = given(created(), planned(), dated, undated)
    recorded: list[tuple[int, e.Event]] = [
        (5, e.CommitmentReopened(at=NOW, commitment_id="c")),
        (6, e.CommitmentReopened(at=NOW, commitment_id="u")),
    ]
    jobs = [(job.job_id, job.args, job.at) for job in dispatch(state, recorded)]
    assert jobs == [("w-5-send_due_reminder", ("w", "c", NOW.date().isoformat()), due_reminder_at(state, NOW.date()))]

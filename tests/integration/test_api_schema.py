"""schemathesis against the running API's own /schema/openapi.json: for generated requests,
schema-valid and schema-invalid ones (random ids and this workshop's real ones, with the
organiser's token and without any) no
answer is a 5xx, every answer's status, media type, headers and body match the document,
and schema-invalid input is refused with a 4xx.

`positive_data_acceptance` is left out: some rules span fields (ends_at after starts_at,
signup_id or owner_name, consent must be true, a deliverable-looking e-mail address) and a
400 naming the field is the right answer there. The event stream never ends, so it is
checked by tests/integration/test_stream.py instead.
"""

from __future__ import annotations

import itertools

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import openapi
from schemathesis.checks import positive_data_acceptance
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode

from tests.integration.conftest import ADMIN_TOKEN

EXAMPLES_PER_OPERATION = 25  # per operation and generation mode (schema-valid, schema-invalid)
NOT_HERE = ("GET /api/workshops/{workshop_id}/stream", "GET /api/workshops/{workshop_id}/sessions/{session_id}/live")


def _real_ids(url: str) -> dict[str, str]:
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    body = {"title": "Schema", "starts_at": "2026-05-09T10:00:00+02:00", "ends_at": "2026-05-09T18:00:00+02:00"}
    workshop = httpx.post(f"{url}/api/workshops", json=body, headers=admin).json()
    session = httpx.post(
        f"{url}/api/workshops/{workshop['id']}/sessions", json={"title": "S", "format": "marktplatz"}, headers=admin
    ).json()
    return {"workshop_id": workshop["id"], "session_id": session["id"]}


@pytest.mark.slow
def test_every_generated_request_gets_a_documented_answer_and_never_a_5xx(
    unlimited_api_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = openapi.from_url(f"{unlimited_api_url}/schema/openapi.json")
    real = _real_ids(unlimited_api_url)
    failures: dict[str, str] = {}
    cases = server_errors = 0
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 40  # every /api/ operation; a lost document would show here

    for operation, mode in itertools.product(operations, GenerationMode):
        if operation.label in NOT_HERE:
            continue

        @given(case=operation.as_strategy(mode), use_real_ids=st.booleans(), organiser=st.booleans())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],
            database=None,
        )
        def check(case: object, use_real_ids: bool, organiser: bool) -> None:
            nonlocal cases, server_errors
            cases += 1
            if use_real_ids and case.path_parameters:  # type: ignore[attr-defined]
                for name in case.path_parameters:  # type: ignore[attr-defined]
                    case.path_parameters[name] = real.get(name, case.path_parameters[name])  # type: ignore[attr-defined]
            headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"} if organiser else {}
            response = case.call(base_url=unlimited_api_url, headers=headers)  # type: ignore[attr-defined]
            server_errors += response.status_code >= 500
            case.validate_response(response, headers=headers, excluded_checks=[positive_data_acceptance])  # type: ignore[attr-defined]

        try:
            check()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE, operation.label  # nothing to send wrong (no parameters)
        except FailureGroup as failure:
            failures[f"{operation.label} ({mode.value})"] = str(failure)
    with capsys.disabled():  # the figures belong in the run's output, passed or not
        print(f"\nschemathesis: {cases} cases over {len(operations) - len(NOT_HERE)} operations; 5xx: {server_errors}")
    assert not failures, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())

"""The installed command, started as a real process, answering over HTTP; and a Schemathesis run."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from tests.conftest import PROFILE
from tests.live import call


def test_serve_answers_match_and_feedback_over_http(server):
    status, body = call(server + "/v1/match", PROFILE)
    assert status == 200 and len(body["matches"]) == 10
    status, record = call(
        server + "/v1/feedback",
        {"request_id": body["request_id"], "partner_id": body["matches"][0]["partner"]["id"], "outcome": "meeting"},
    )
    assert status == 201
    status, stored = call(f"{server}/v1/requests/{body['request_id']}")
    assert status == 200 and stored["feedback"][0]["outcome"] == "meeting"


def test_schemathesis_finds_no_server_error_and_no_schema_violation(server):
    import schemathesis

    schema = schemathesis.openapi.from_url(server + "/openapi.json")
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12
    for operation, mode in [
        (op, m)
        for op in operations
        for m in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
    ]:
        run = _property_test(operation, mode, server, failures)
        try:
            run()
        except Exception:
            pass  # the failure is in `failures`
    assert not failures, "\n".join(failures[:10])


def _property_test(operation, mode, server, failures):
    from schemathesis.checks import not_a_server_error, response_schema_conformance

    @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        try:
            case.call_and_validate(base_url=server, checks=[not_a_server_error, response_schema_conformance])
        except Exception as exc:
            failures.append(f"{operation.label}: {str(exc)[:300]}")
            raise

    return run


def test_publishing_helpers_reload_a_running_service(server, trained_dir):
    from kbio_match.models.persistence import newest_manifest
    from kbio_match.models.publishing import request_reload, served_model

    before = served_model(server)
    answer = request_reload(server, artifact=newest_manifest(trained_dir).name)
    assert answer["version"] == before["version"]  # the same file, verified again and swapped in
    try:
        request_reload(server, artifact="no-such.manifest.json")
    except RuntimeError as exc:
        assert "refused (422)" in str(exc)
    else:
        raise AssertionError("a missing artifact was accepted")

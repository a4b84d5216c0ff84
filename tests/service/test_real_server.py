"""The installed command, started as a real process, answering over HTTP; and a Schemathesis run."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from tests.conftest import PROFILE


class ServerURL(str):
    """A running server's base URL, knowing the model folder it serves from."""

    model_dir: Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(url: str, body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json"}, method="POST" if data else "GET"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.fixture(scope="module")
def server(tmp_path_factory, trained_dir):
    home = tmp_path_factory.mktemp("serve")
    models = home / "models"
    shutil.copytree(trained_dir, models)
    port = free_port()
    # the command installed beside this interpreter, not whichever one PATH finds first
    beside = Path(sys.executable).with_name("kbio-match")
    command = str(beside) if beside.exists() else shutil.which("kbio-match")
    env = dict(os.environ, KBIO_MODEL_DIR=str(models), KBIO_DATABASE_URL=f"sqlite:///{home / 'db.sqlite3'}")
    env.pop("KBIO_API_KEYS", None)
    env.pop("KBIO_ADMIN_API_KEYS", None)
    log = open(home / "server.log", "w")
    # started from an unrelated folder: the shipped catalog must come from the installed package
    process = subprocess.Popen(
        [command, "serve", "--port", str(port)], cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = ServerURL(f"http://127.0.0.1:{port}")
    base.model_dir = models
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if call(base + "/healthz")[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("kbio-match serve did not become healthy: " + (home / "server.log").read_text()[-2000:])
    yield base
    process.terminate()
    process.wait(timeout=20)
    log.close()


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

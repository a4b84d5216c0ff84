"""A real ``kbio-match serve`` process for tests that need one over HTTP (fixture in conftest)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.pg_server import free_port


class ServerURL(str):
    """A running server's base URL, knowing the model folder it serves from."""

    model_dir: Path
    database_url: str


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


def wait_healthy(base: str, deadline: float) -> bool:
    """Poll ``base/healthz`` until it answers 200 or ``deadline`` (a ``time.monotonic()``) passes."""
    while time.monotonic() < deadline:
        try:
            if call(base + "/healthz")[0] == 200:
                return True
        except OSError:
            time.sleep(0.2)
    return False


def start_server(tmp_path_factory, trained_dir):
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
    base.database_url = env["KBIO_DATABASE_URL"]
    if not wait_healthy(base, time.monotonic() + 60):
        process.kill()
        pytest.fail("kbio-match serve did not become healthy: " + (home / "server.log").read_text()[-2000:])
    yield base
    process.terminate()
    process.wait(timeout=20)
    log.close()

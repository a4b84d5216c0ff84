"""Two worker processes on one PostgreSQL database: same answers, and no acknowledged write lost
when a worker is killed with SIGKILL in the middle of feedback writes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.conftest import PROFILE
from tests.live import call, free_port, wait_healthy


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        out += [int(c) for c in text]
    return out


def _workers(pid: int) -> list[int]:
    """uvicorn's worker processes under the supervisor ``pid`` (multiprocessing spawns a tracker too)."""
    found = []
    for child in _children(pid):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except FileNotFoundError:
            continue
        if b"multiprocessing" in cmdline and b"resource_tracker" not in cmdline:
            found.append(child)
    return found


def _post(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, {}


def test_two_workers_on_postgres_keep_every_acknowledged_write(tmp_path, trained_dir, postgres_url):
    models = tmp_path / "models"
    shutil.copytree(trained_dir, models)
    port = free_port()
    beside = Path(sys.executable).with_name("kbio-match")
    command = str(beside) if beside.exists() else shutil.which("kbio-match")
    env = dict(os.environ, KBIO_MODEL_DIR=str(models), KBIO_DATABASE_URL=postgres_url)
    env.pop("KBIO_API_KEYS", None)
    log = open(tmp_path / "server.log", "w")
    server = subprocess.Popen(
        [command, "serve", "--port", str(port), "--workers", "2"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and len(_workers(server.pid)) < 2:
            time.sleep(0.2)
        wait_healthy(base, deadline)
        assert len(_workers(server.pid)) == 2, (tmp_path / "server.log").read_text()[-2000:]

        body = dict(PROFILE, company={"name": "Two Workers Co"})
        answers = [_post(base + "/v1/match", body) for _ in range(20)]
        assert all(status == 200 for status, _ in answers)
        shown = {json.dumps([(m["partner"]["id"], m["score"]) for m in a["matches"]]) for _, a in answers}
        assert len(shown) == 1  # both workers answer alike
        request_id = answers[0][1]["request_id"]
        partners = [m["partner"]["id"] for m in answers[0][1]["matches"]]

        acknowledged, server_errors, dropped = [], [], []
        stop = threading.Event()

        def write(thread: int) -> None:
            i = 0
            while not stop.is_set():
                note = f"t{thread}-{i}"
                try:
                    status, _ = _post(
                        base + "/v1/feedback",
                        {
                            "request_id": request_id,
                            "partner_id": partners[i % len(partners)],
                            "outcome": "relevant",
                            "note": note,
                        },
                    )
                except OSError:  # the killed worker's connection: not acknowledged, may be retried
                    dropped.append(note)
                else:
                    (acknowledged if status == 201 else server_errors).append((note, status))
                i += 1

        threads = [threading.Thread(target=write, args=(t,)) for t in range(8)]
        for t in threads:
            t.start()
        time.sleep(1.5)
        victim = _workers(server.pid)[0]
        os.kill(victim, signal.SIGKILL)
        time.sleep(2.5)
        stop.set()
        for t in threads:
            t.join(timeout=60)

        assert len(acknowledged) > 100
        assert not [s for s in server_errors if s[1] >= 500], server_errors[:5]
        try:
            status, stored = call(base + f"/v1/requests/{request_id}")
        except OSError:
            raise AssertionError((tmp_path / "server.log").read_text()[-3000:]) from None
        assert status == 200
        notes = {f["note"] for f in stored["feedback"]}
        lost = [n for n, _ in acknowledged if n not in notes]
        assert not lost, f"{len(lost)} acknowledged feedback rows missing, e.g. {lost[:5]}"
        # the supervisor replaced the killed worker
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (len(_workers(server.pid)) < 2 or victim in _workers(server.pid)):
            time.sleep(0.2)
        assert len(_workers(server.pid)) == 2 and victim not in _workers(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _open_store(url: str) -> int:
    from kbio_match.service.storage import SCHEMA_VERSION, Store

    store = Store(url)
    try:
        return SCHEMA_VERSION
    finally:
        store.close()


def test_workers_starting_together_create_the_schema_once(tmp_path, postgres_url):
    """Every worker runs the migration at start; on a fresh database they must not collide."""
    from concurrent.futures import ProcessPoolExecutor

    import sqlalchemy as sa

    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql("CREATE DATABASE kbio_race")
    admin.dispose()
    fresh_pg = postgres_url.rsplit("/", 1)[0] + "/kbio_race"
    fresh_sqlite = f"sqlite:///{tmp_path / 'race.sqlite3'}"
    for url in (fresh_pg, fresh_sqlite):
        with ProcessPoolExecutor(max_workers=4) as pool:
            assert len(set(pool.map(_open_store, [url] * 4))) == 1

"""kbio-match match-batch: every input format, bad rows, and the same rows on a real Dask cluster."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from kbio_match.cli import app
from tests.conftest import PROFILE
from tests.live import free_port

BODIES = [
    PROFILE,
    {"company": {"name": "Service Buyer"}, "seeking": ["manufacturing"], "top_k": 3},
    {
        "company": {"name": "Licensor"},
        "assets": [{"name": "L1", "modality": "antibody", "stage": "phase2", "therapeutic_areas": ["immunology"]}],
        "seeking": ["license_out", "co_development"],
        "top_k": 5,
    },
]


def _jsonl(path: Path, bodies) -> Path:
    path.write_text("".join((b if isinstance(b, str) else json.dumps(b)) + "\n" for b in bodies))
    return path


def test_jsonl_gives_the_api_rows_in_order(runner, tmp_path, client):
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["match-batch", str(_jsonl(tmp_path / "in.jsonl", BODIES)), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = pd.read_csv(out)
    assert list(rows.columns[:5]) == ["profile", "company", "rank", "partner_id", "score"]
    assert {"modality", "track_record", "partner_asset"} <= set(rows.columns)
    for i, body in enumerate(BODIES):
        api = client.post("/v1/match", json=body).json()["matches"]
        mine = rows[rows["profile"] == i]
        assert list(mine["partner_id"]) == [m["partner"]["id"] for m in api]
        assert list(mine["score"]) == [m["score"] for m in api] and list(mine["rank"]) == list(range(1, len(api) + 1))


def test_csv_and_parquet_inputs_and_top_k(runner, tmp_path):
    frame = pd.DataFrame(
        [
            {"company_name": "Cardio Co", "seeking": "license_out", "asset_name": "C1", "modality": "small_molecule",
             "stage": "phase3", "therapeutic_areas": "cardiovascular", "country": "GB"},
            {"company_name": "CDMO Seeker", "seeking": "manufacturing"},
        ]
    )  # fmt: skip
    frame.to_csv(tmp_path / "in.csv", index=False)
    frame.to_parquet(tmp_path / "in.parquet", index=False)
    outputs = []
    for source, out in (("in.csv", "a.parquet"), ("in.parquet", "b.csv")):
        result = runner.invoke(
            app, ["match-batch", str(tmp_path / source), "--out", str(tmp_path / out), "--top-k", "4"]
        )
        assert result.exit_code == 0, result.output
        outputs.append(pd.read_parquet(tmp_path / out) if out.endswith("parquet") else pd.read_csv(tmp_path / out))
    assert outputs[0][["profile", "partner_id", "rank"]].equals(outputs[1][["profile", "partner_id", "rank"]])
    assert outputs[0].groupby("profile").size().tolist() == [4, 4]


def test_bad_rows_fail_or_are_skipped_never_dropped_silently(runner, tmp_path):
    source = _jsonl(
        tmp_path / "in.jsonl", [BODIES[0], "{broken", {"company": {"name": "X"}, "seeking": ["teleport"]}, BODIES[1]]
    )
    failed = runner.invoke(app, ["match-batch", str(source), "--out", str(tmp_path / "o.csv")])
    assert failed.exit_code == 1 and "line 2: not valid JSON" in failed.output and "line 3: seeking[0]" in failed.output
    assert not (tmp_path / "o.csv").exists()
    skipped = runner.invoke(app, ["match-batch", str(source), "--out", str(tmp_path / "o.csv"), "--on-error", "skip"])
    assert skipped.exit_code == 0 and "2 bad row(s) skipped" in skipped.output
    assert sorted(pd.read_csv(tmp_path / "o.csv")["profile"].unique()) == [0, 3]  # positions in the input


@pytest.fixture
def dask_cluster(tmp_path):
    """A real Dask scheduler and two worker processes on loopback."""
    dask = Path(sys.executable).with_name("dask")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    log = open(tmp_path / "dask.log", "w")
    scheduler = subprocess.Popen(
        [str(dask), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"], stdout=log, stderr=log
    )
    workers = subprocess.Popen(
        [str(dask), "worker", address, "--nworkers", "2", "--nthreads", "1", "--no-dashboard"], stdout=log, stderr=log
    )
    try:
        from distributed import Client

        deadline = time.monotonic() + 60
        while True:
            try:
                with Client(address, timeout="5s") as c:
                    if len(c.scheduler_info()["workers"]) == 2:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "dask.log").read_text()[-2000:]
            time.sleep(0.5)
        yield address
    finally:
        for process in (workers, scheduler):
            process.terminate()
            process.wait(timeout=30)
        log.close()


def test_a_dask_cluster_writes_the_same_rows(runner, tmp_path, dask_cluster, monkeypatch):
    import kbio_match.service.batch as batch

    monkeypatch.setattr(batch, "CHUNK", 7)  # several tasks, spread over both workers
    source = _jsonl(
        tmp_path / "in.jsonl",
        [{**b, "company": {"name": f"{b['company']['name']} {i}"}} for i in range(15) for b in BODIES],
    )
    here, there = tmp_path / "here.parquet", tmp_path / "there.parquet"
    assert runner.invoke(app, ["match-batch", str(source), "--out", str(here)]).exit_code == 0
    result = runner.invoke(app, ["match-batch", str(source), "--out", str(there), "--scheduler", dask_cluster])
    assert result.exit_code == 0, result.output
    a, b = pd.read_parquet(here), pd.read_parquet(there)
    assert len(a) > 100 and a.equals(b)


def test_an_unreachable_scheduler_is_one_line(runner, tmp_path, monkeypatch):
    monkeypatch.setattr("kbio_match.service.batch.CONNECT_TIMEOUT", "3s")
    source = _jsonl(tmp_path / "in.jsonl", BODIES[:1])
    result = runner.invoke(
        app,
        ["match-batch", str(source), "--out", str(tmp_path / "o.csv"), "--scheduler", f"tcp://127.0.0.1:{free_port()}"],
    )
    assert result.exit_code == 1 and "cannot reach the Dask scheduler" in result.output

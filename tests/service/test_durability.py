"""Storage: concurrent writes all committed and readable; data survives a restart."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.conftest import PROFILE, make_client


def test_concurrent_feedback_writes_are_all_readable(client):
    match = client.post("/v1/match", json=PROFILE).json()
    request_id = match["request_id"]
    partners = [m["partner"]["id"] for m in match["matches"]]

    def give(i):
        return client.post(
            "/v1/feedback",
            json={
                "request_id": request_id,
                "partner_id": partners[i % len(partners)],
                "outcome": "relevant",
                "note": f"n{i}",
            },
        )

    with ThreadPoolExecutor(max_workers=16) as pool:
        responses = list(pool.map(give, range(200)))
    assert all(r.status_code == 201 for r in responses)
    stored = client.get(f"/v1/requests/{request_id}").json()["feedback"]
    assert sorted(f["note"] for f in stored) == sorted(f"n{i}" for i in range(200))


def test_concurrent_matches_are_all_stored(client):
    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(
            pool.map(lambda _: client.post("/v1/match", json={**PROFILE, "top_k": 2}).json()["request_id"], range(60))
        )
    assert client.get("/v1/requests", params={"limit": 100}).json()["total"] == 60
    assert all(client.get(f"/v1/requests/{i}").status_code == 200 for i in ids)


def test_stored_data_survives_a_restart(model_dir, tmp_path):
    db = tmp_path / "restart.sqlite3"
    with make_client(model_dir, db) as first:
        request_id = first.post("/v1/match", json=PROFILE).json()["request_id"]
        first.post(
            "/v1/feedback", json={"request_id": request_id, "partner_id": "samsung-biologics", "outcome": "deal"}
        )
    with make_client(model_dir, db) as second:
        stored = second.get(f"/v1/requests/{request_id}").json()
        assert stored["feedback"][0]["outcome"] == "deal"


def test_a_write_that_cannot_commit_in_time_is_a_503_not_a_hang(model_dir, tmp_path):
    import threading

    from tests.conftest import make_client

    with make_client(model_dir, tmp_path / "db.sqlite3", write_timeout_s=0.5) as client:
        committer = client.app.state.store._committer
        gate = threading.Event()
        original = committer._commit
        committer._commit = lambda batch: (gate.wait(10), original(batch))  # the database stalls
        try:
            response = client.post("/v1/match", json=PROFILE)
            assert response.status_code == 503
            assert response.json()["error"]["code"] == "storage_busy" and response.headers["retry-after"] == "1"
        finally:
            gate.set()
        assert client.post("/v1/match", json=PROFILE).status_code == 200  # it recovers

"""The same storage guarantees on PostgreSQL (KBIO_DATABASE_URL), against a real throw-away server."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.conftest import PROFILE, make_client


def pg_client(model_dir, url, **env):
    from fastapi.testclient import TestClient
    from kbio_match.service.app import create_app
    from kbio_match.service.settings import Settings

    return TestClient(create_app(Settings(database_url=url, model_dir=model_dir, **env)))


def test_requests_and_feedback_are_stored_in_postgres(model_dir, postgres_url):
    with pg_client(model_dir, postgres_url) as client:
        match = client.post("/v1/match", json=PROFILE).json()
        partners = [m["partner"]["id"] for m in match["matches"]]

        def give(i):
            return client.post(
                "/v1/feedback",
                json={
                    "request_id": match["request_id"],
                    "partner_id": partners[i % 10],
                    "outcome": "relevant",
                    "note": f"pg{i}",
                },
            )

        with ThreadPoolExecutor(max_workers=12) as pool:
            assert all(r.status_code == 201 for r in pool.map(give, range(100)))
    # a new app on the same database still has everything
    with pg_client(model_dir, postgres_url) as again:
        stored = again.get(f"/v1/requests/{match['request_id']}").json()
        assert sorted(f["note"] for f in stored["feedback"]) == sorted(f"pg{i}" for i in range(100))
        assert stored["profile"]["company"]["name"] == PROFILE["company"]["name"]


def test_tenants_are_isolated_in_postgres(model_dir, postgres_url):
    keys = {"api_keys": "red:key-red,blue:key-blue"}
    with pg_client(model_dir, postgres_url, **keys) as client:
        red = client.post("/v1/match", json=PROFILE, headers={"X-API-Key": "key-red"}).json()
        assert client.get(f"/v1/requests/{red['request_id']}", headers={"X-API-Key": "key-blue"}).status_code == 404
        assert client.get(f"/v1/requests/{red['request_id']}", headers={"X-API-Key": "key-red"}).status_code == 200


def test_sqlite_default_still_separate(model_dir, tmp_path):
    with make_client(model_dir, tmp_path / "db.sqlite3") as client:
        assert client.get("/v1/requests").json()["total"] == 0

"""API keys, tenant isolation and model reload."""

from __future__ import annotations

import json

import pytest
from kbio_match.models.persistence import newest_manifest

from tests.conftest import PROFILE, make_client

KEYS = {"api_keys": "acme:key-acme,beta:key-beta", "admin_api_keys": "ops:key-admin"}


@pytest.fixture
def keyed(model_dir, tmp_path):
    with make_client(model_dir, tmp_path / "db.sqlite3", **KEYS) as c:
        yield c


def as_(key):
    return {"X-API-Key": key}


def test_keys_required_on_v1_when_configured(keyed):
    assert keyed.get("/healthz").status_code == 200
    missing = keyed.post("/v1/match", json=PROFILE)
    assert missing.status_code == 401 and missing.json()["error"]["code"] == "missing_api_key"
    wrong = keyed.get("/v1/partners", headers=as_("nope"))
    assert wrong.status_code == 403
    assert keyed.get("/v1/partners", headers=as_("key-acme")).status_code == 200
    assert keyed.get("/v1/clusters", headers=as_("key-admin")).status_code == 200


def test_tenants_cannot_see_or_touch_each_others_requests(keyed):
    acme = keyed.post("/v1/match", json=PROFILE, headers=as_("key-acme")).json()
    request_id, partner = acme["request_id"], acme["matches"][0]["partner"]["id"]
    assert keyed.get(f"/v1/requests/{request_id}", headers=as_("key-beta")).status_code == 404
    assert keyed.get("/v1/requests", headers=as_("key-beta")).json()["total"] == 0
    stolen = keyed.post(
        "/v1/feedback",
        headers=as_("key-beta"),
        json={"request_id": request_id, "partner_id": partner, "outcome": "relevant"},
    )
    assert stolen.status_code == 404
    assert keyed.get(f"/v1/requests/{request_id}", headers=as_("key-acme")).json()["feedback"] == []
    assert keyed.get("/v1/requests", headers=as_("key-acme")).json()["total"] == 1


def test_reload_is_admin_only(keyed):
    assert keyed.post("/v1/model/reload", headers=as_("key-acme")).status_code == 403
    response = keyed.post("/v1/model/reload", headers=as_("key-admin"))
    assert response.status_code == 200 and response.json()["version"]


def test_reload_swaps_a_good_artifact_and_refuses_a_tampered_one(keyed, model_dir):
    from kbio_match.features.catalog import load_catalog
    from kbio_match.models.persistence import save_artifact
    from kbio_match.models.recommender import Recommender

    before = keyed.get("/v1/model", headers=as_("key-admin")).json()["version"]
    # a good new artifact with other weights
    new_model = Recommender.fit(load_catalog(), {"w_cluster": 0.9})
    good = save_artifact(new_model, model_dir, metrics={"note": "test"})
    swapped = keyed.post("/v1/model/reload", headers=as_("key-admin"), json={"artifact": good.name})
    assert swapped.status_code == 200 and swapped.json()["previous_version"] == before
    current = keyed.get("/v1/model", headers=as_("key-admin")).json()
    assert current["version"] == swapped.json()["version"] != before and current["params"]["w_cluster"] == 0.9
    # a tampered one is refused and the good one keeps serving
    bad = save_artifact(new_model, model_dir, metrics={})
    artifact = model_dir / json.loads(bad.read_text())["artifact"]
    artifact.write_bytes(artifact.read_bytes()[:-1] + b"\0")
    refused = keyed.post("/v1/model/reload", headers=as_("key-admin"), json={"artifact": bad.name})
    assert refused.status_code == 422 and "sha256" in refused.json()["error"]["message"]
    assert keyed.get("/v1/model", headers=as_("key-admin")).json()["version"] == current["version"]
    assert keyed.post("/v1/match", json=PROFILE, headers=as_("key-acme")).status_code == 200
    traversal = keyed.post("/v1/model/reload", headers=as_("key-admin"), json={"artifact": "../etc/passwd"})
    assert traversal.status_code == 422


def test_newest_artifact_is_what_reload_picks(keyed, model_dir):
    newest = newest_manifest(model_dir)
    response = keyed.post("/v1/model/reload", headers=as_("key-admin"))
    assert response.json()["version"] == json.loads(newest.read_text())["version"]

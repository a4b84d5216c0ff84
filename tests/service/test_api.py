"""The HTTP contract: shapes, ordering and every error case."""

from __future__ import annotations

import copy

import pytest

from tests.conftest import PROFILE

COMPONENTS = {"modality", "stage", "therapeutic", "therapeutic_gap", "cluster", "partnership", "track_record"}


def is_error(body: dict) -> bool:
    error = body.get("error")
    return (
        isinstance(error, dict)
        and isinstance(error.get("code"), str)
        and isinstance(error.get("message"), str)
        and isinstance(error.get("details"), list)
    )


def test_match_answer_follows_the_contract(client):
    response = client.post("/v1/match", json=PROFILE)
    assert response.status_code == 200
    body = response.json()
    matches = body["matches"]
    assert len(matches) == 10 and body["request_id"] and body["model_version"]
    assert [m["rank"] for m in matches] == list(range(1, 11))
    assert [m["score"] for m in matches] == sorted((m["score"] for m in matches), reverse=True)
    assert len({m["partner"]["id"] for m in matches}) == 10
    for m in matches:
        assert COMPONENTS <= set(m["components"]) and 0 <= m["score"] <= 1
        assert {"id", "name", "category", "cluster", "city"} <= set(m["partner"])
        assert 1 <= len(m["reasons"]) <= 5 and m["best_asset"] in ("EX-101", "EX-202")


def test_no_asset_profile_has_null_best_asset(client):
    body = client.post(
        "/v1/match", json={"company": {"name": "Buyer"}, "seeking": ["manufacturing"], "top_k": 3}
    ).json()
    assert len(body["matches"]) == 3 and all(m["best_asset"] is None for m in body["matches"])


def test_synonyms_are_normalised(client):
    body = {
        "company": {"name": "S"},
        "assets": [{"name": "S", "modality": "mAb", "stage": "Phase II", "therapeutic_areas": ["NSCLC"]}],
        "seeking": ["CDMO"],
    }
    answer = client.post("/v1/match", json=body)
    assert answer.status_code == 200
    stored = client.get(f"/v1/requests/{answer.json()['request_id']}").json()["profile"]
    asset = stored["assets"][0]
    assert (asset["modality"], asset["stage"], stored["seeking"]) == ("antibody", "phase2", ["manufacturing"])
    assert asset["therapeutic_areas"] == ["oncology"]


def mutated(fn):
    body = copy.deepcopy(PROFILE)
    fn(body)
    return body


@pytest.mark.parametrize(
    ("name", "mutate", "field"),
    [
        ("top_k 0", lambda p: p.update(top_k=0), "top_k"),
        ("top_k 101", lambda p: p.update(top_k=101), "top_k"),
        ("no assets and no seeking", lambda p: p.update(assets=[], seeking=[]), "seeking"),
        ("101 assets", lambda p: p.update(assets=p["assets"][:1] * 101), "assets"),
        ("empty company name", lambda p: p["company"].update(name=""), "company.name"),
        ("blank company name", lambda p: p["company"].update(name="   "), "company.name"),
        ("unknown stage", lambda p: p["assets"][0].update(stage="phase9"), "assets[0].stage"),
        (
            "six areas",
            lambda p: p["assets"][0].update(
                therapeutic_areas=["oncology", "immunology", "neurology", "metabolic", "renal", "hematology"]
            ),
            "assets[0].therapeutic_areas",
        ),
        ("no areas", lambda p: p["assets"][0].update(therapeutic_areas=[]), "assets[0].therapeutic_areas"),
        ("unknown seeking", lambda p: p.update(seeking=["world_domination"]), "seeking[0]"),
        ("bad country", lambda p: p["company"].update(country="Narnia"), "company.country"),
        ("missing modality", lambda p: p["assets"][0].pop("modality"), "assets[0].modality"),
        ("unknown field", lambda p: p.update(colour="blue"), "colour"),
        ("unknown preferred cluster", lambda p: p.update(preferred_clusters=["atlantis"]), "preferred_clusters[0]"),
        ("unknown filter category", lambda p: p.update(filters={"categories": ["spaceport"]}), "filters.categories[0]"),
        ("top_k not a number", lambda p: p.update(top_k="ten"), "top_k"),
    ],
)
def test_bad_match_requests_are_422_naming_the_field(client, name, mutate, field):
    response = client.post("/v1/match", json=mutated(mutate))
    assert response.status_code == 422, name
    body = response.json()
    assert is_error(body)
    assert any(d["field"] == field for d in body["error"]["details"]), body


def test_unknown_modality_names_value_allowed_and_closest(client):
    body = client.post("/v1/match", json=mutated(lambda p: p["assets"][0].update(modality="antibdy"))).json()
    detail = body["error"]["details"][0]
    assert detail["field"] == "assets[0].modality" and detail["value"] == "antibdy"
    assert detail["closest"] == "antibody" and "adc" in detail["allowed"]
    cluster = client.post("/v1/match", json=mutated(lambda p: p.update(preferred_clusters=["songdoo"]))).json()
    assert cluster["error"]["details"][0]["closest"] == "songdo"


def test_malformed_json_is_400_error_object(client):
    response = client.post("/v1/match", content=b'{"company": ', headers={"content-type": "application/json"})
    assert response.status_code == 400 and is_error(response.json())


def test_body_over_one_mib_is_413_before_parsing(client):
    response = client.post("/v1/match", content=b"x" * (1024 * 1024 + 10), headers={"content-type": "application/json"})
    assert response.status_code == 413 and is_error(response.json())

    def chunks():
        for _ in range(20):
            yield b"x" * 65536

    streamed = client.post("/v1/match", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413


def test_lone_surrogate_is_a_4xx_not_a_5xx(client):
    raw = b'{"company": {"name": "\\ud800"}, "seeking": ["manufacturing"]}'
    response = client.post("/v1/match", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 422 and is_error(response.json())


def test_routing_errors_are_json(client):
    assert client.get("/v1/nothing-here").status_code == 404
    assert is_error(client.get("/v1/nothing-here").json())
    response = client.delete("/v1/match")
    assert response.status_code == 405 and is_error(response.json())


def test_batch_returns_results_in_order(client):
    profiles = [
        PROFILE,
        {**PROFILE, "top_k": 3},
        {"company": {"name": "B"}, "seeking": ["clinical_services"], "top_k": 2},
    ]
    body = client.post("/v1/match/batch", json={"profiles": profiles}).json()
    assert [len(r["matches"]) for r in body["results"]] == [10, 3, 2]
    assert len({r["request_id"] for r in body["results"]}) == 3
    assert client.post("/v1/match/batch", json={"profiles": []}).status_code == 422
    bad = client.post("/v1/match/batch", json={"profiles": [PROFILE, {**PROFILE, "preferred_clusters": ["x"]}]})
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "profiles[1].preferred_clusters[0]"


def test_partners_list_filters_paging_and_search(client):
    page = client.get("/v1/partners", params={"limit": 5}).json()
    assert len(page["items"]) == 5 and page["total"] >= 300
    cdmos = client.get("/v1/partners", params={"category": "CDMO", "limit": 500}).json()
    assert cdmos["total"] >= 12 and all(p["category"] == "cdmo" for p in cdmos["items"])
    adc = client.get("/v1/partners", params={"modality": "ADC", "cluster": "daedeok"}).json()
    assert all("adc" in p["modalities"] and p["cluster"] == "daedeok" for p in adc["items"])
    hangul = client.get("/v1/partners", params={"q": "삼성바이오로직스"}).json()
    assert [p["id"] for p in hangul["items"]] == ["samsung-biologics"]
    second = client.get("/v1/partners", params={"limit": 5, "offset": 5}).json()["items"]
    assert {p["id"] for p in second}.isdisjoint({p["id"] for p in page["items"]})
    assert client.get("/v1/partners", params={"limit": 0}).status_code == 422
    assert client.get("/v1/partners", params={"limit": 501}).status_code == 422
    bad = client.get("/v1/partners", params={"modality": "antibdy"})
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["closest"] == "antibody"


def test_partner_detail_and_404(client):
    body = client.get("/v1/partners/samsung-biologics").json()
    assert body["name"] == "Samsung Biologics" and body["sources"] and body["deals"]
    assert all(d["source"].startswith("http") for d in body["deals"])
    missing = client.get("/v1/partners/no-such-partner")
    assert missing.status_code == 404 and is_error(missing.json())


def test_clusters_taxonomy_model_and_health(client):
    clusters = client.get("/v1/clusters").json()["items"]
    assert len(clusters) >= 9 and all({"id", "name", "latitude", "longitude"} <= set(c) for c in clusters)
    assert sum(c["partner_count"] for c in clusters) > 50
    taxonomy = client.get("/v1/taxonomy").json()
    for key in ("modality", "stage", "therapeutic_area", "partnership", "category", "cluster"):
        assert taxonomy[key]
    adc = next(m for m in taxonomy["modality"] if m["id"] == "adc")
    assert adc["parent"] == "antibody"
    info = client.get("/v1/model").json()
    assert info["version"] and info["metrics"]["time_split"]["model"]["mrr"] > 0 and len(info["data_fingerprint"]) == 64
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/openapi.json").status_code == 200 and client.get("/docs").status_code == 200


def test_feedback_round_trip_and_errors(client):
    match = client.post("/v1/match", json=PROFILE).json()
    request_id, partner_id = match["request_id"], match["matches"][0]["partner"]["id"]
    created = client.post(
        "/v1/feedback",
        json={"request_id": request_id, "partner_id": partner_id, "outcome": "contacted", "note": "met at BIO-Europe"},
    )
    assert created.status_code == 201 and created.json()["note"] == "met at BIO-Europe"
    stored = client.get(f"/v1/requests/{request_id}").json()
    assert stored["profile"]["company"]["name"] == "Example Therapeutics"
    assert [m["partner_id"] for m in stored["matches"]] == [m["partner"]["id"] for m in match["matches"]]
    assert stored["feedback"] == [created.json()]
    listing = client.get("/v1/requests").json()
    assert listing["items"][0]["request_id"] == request_id and listing["total"] >= 1
    bad_outcome = client.post(
        "/v1/feedback", json={"request_id": request_id, "partner_id": partner_id, "outcome": "maybe"}
    )
    assert bad_outcome.status_code == 422
    unknown_request = client.post(
        "/v1/feedback",
        json={"request_id": "00000000-0000-0000-0000-000000000000", "partner_id": partner_id, "outcome": "relevant"},
    )
    assert unknown_request.status_code == 404 and is_error(unknown_request.json())
    unknown_partner = client.post(
        "/v1/feedback", json={"request_id": request_id, "partner_id": "nobody", "outcome": "relevant"}
    )
    assert unknown_partner.status_code == 404
    assert client.get("/v1/requests/00000000-0000-0000-0000-000000000000").status_code == 404


def test_requests_are_listed_newest_first(client):
    ids = [client.post("/v1/match", json={**PROFILE, "top_k": 1}).json()["request_id"] for _ in range(3)]
    listed = [r["request_id"] for r in client.get("/v1/requests", params={"limit": 3}).json()["items"]]
    assert listed == list(reversed(ids))


def test_huge_offsets_are_422_not_overflow(client):
    assert client.get("/v1/requests", params={"offset": 10**30}).status_code == 422
    assert client.get("/v1/partners", params={"offset": 10**30}).status_code == 422
    assert client.get("/v1/requests", params={"offset": 10**6}).json()["items"] == []


def test_partner_detail_lists_its_pipeline_and_the_list_finds_partners_by_asset(client, catalog):
    pipe = catalog.pipeline
    pid = pipe["partner_id"].value_counts().index[0]
    detail = client.get(f"/v1/partners/{pid}").json()
    assert len(detail["pipeline"]) == int((pipe["partner_id"] == pid).sum())
    assert all(a["source"].startswith("http") for a in detail["pipeline"])
    by_modality = client.get("/v1/partners", params={"asset_modality": "ADC", "limit": 500}).json()
    expected = set(pipe[pipe["modality"] == "adc"]["partner_id"])
    assert {p["id"] for p in by_modality["items"]} == expected and by_modality["total"] == len(expected)
    both = client.get("/v1/partners", params={"asset_modality": "adc", "asset_stage": "Phase 1", "limit": 500}).json()
    assert {p["id"] for p in both["items"]} == set(
        pipe[(pipe["modality"] == "adc") & (pipe["stage"] == "phase1")]["partner_id"]
    )
    asset = pipe.iloc[0]["asset"]
    found = client.get("/v1/partners", params={"q": asset.split(" ")[0]}).json()
    assert pipe.iloc[0]["partner_id"] in {p["id"] for p in found["items"]}
    bad = client.get("/v1/partners", params={"asset_stage": "phase 9"})
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "asset_stage"

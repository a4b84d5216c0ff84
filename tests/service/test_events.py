"""POST /v1/events/schedule: every rule on random events, optimality, match scores, errors, storage."""

from __future__ import annotations

import copy
import random

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from tests.conftest import PROFILE

SEEKING = ["license_out", "manufacturing", "co_development", "clinical_services", "license_in"]
AREAS = ["oncology", "cardiovascular", "metabolic", "neurology", "immunology"]
MODALITIES = ["antibody", "small_molecule", "adc", "cell_therapy", "peptide"]


def _company(i: int, rng: random.Random, slots: list[str], limits: bool) -> dict:
    return {
        "id": f"co-{i}",
        "profile": {
            "company": {"name": f"Event Co {i}"},
            "assets": [
                {
                    "name": f"A{i}",
                    "modality": rng.choice(MODALITIES),
                    "stage": rng.choice(["preclinical", "phase1", "phase2", "phase3"]),
                    "therapeutic_areas": [rng.choice(AREAS)],
                }
            ],
            "seeking": rng.sample(SEEKING, 2),
        },
        "max_meetings": rng.randint(1, len(slots)),
        "unavailable": rng.sample(slots, rng.randint(0, len(slots) // 2)) if limits else [],
    }


def _event(model, seed: int, *, n_companies=6, n_partners=8, n_slots=4, limits=False) -> dict:
    rng = random.Random(seed)
    slots = [f"s{k}" for k in range(n_slots)]
    partners = rng.sample(list(model.index.ids), n_partners)
    companies = [_company(i, rng, slots, limits) for i in range(n_companies)]
    return {
        "name": f"random {seed}",
        "slots": slots,
        "companies": companies,
        "partners": [
            {
                "partner_id": p,
                "max_meetings": rng.randint(1, n_slots),
                "unavailable": rng.sample(slots, rng.randint(0, n_slots // 2)) if limits else [],
            }
            for p in partners
        ],
        "blocked": [{"company_id": "co-0", "partner_id": partners[0]}],
        # scores are quantiles against real partner choices: 0.02 keeps about a profile's top 100
        "min_score": 0.02,
    }


def _check_rules(body: dict, answer: dict) -> None:
    slots = body["slots"]
    company = {c["id"]: c for c in body["companies"]}
    partner = {p["partner_id"]: p for p in body["partners"]}
    meetings = answer["meetings"]
    pairs = [(m["company_id"], m["partner_id"]) for m in meetings]
    assert len(pairs) == len(set(pairs)), "a pair meets twice"
    for side, cap in (("company_id", company), ("partner_id", partner)):
        busy = [(m[side], m["slot"]) for m in meetings]
        assert len(busy) == len(set(busy)), f"double-booked {side}"
        for key, row in cap.items():
            mine = [m for m in meetings if m[side] == key]
            assert len(mine) <= (row.get("max_meetings") or len(slots))
            assert not {m["slot"] for m in mine} & set(row.get("unavailable", []))
    blocked = {(b["company_id"], b["partner_id"]) for b in body.get("blocked", [])}
    assert not set(pairs) & blocked
    assert all(m["score"] >= body.get("min_score", 0) for m in meetings)
    order = [(slots.index(m["slot"]), m["company_id"]) for m in meetings]
    assert order == sorted(order)
    assert answer["summary"]["meetings"] == len(meetings)
    assert answer["summary"]["total_score"] == pytest.approx(sum(m["score"] for m in meetings), abs=1e-3)
    assert answer["summary"]["upper_bound"] >= answer["summary"]["total_score"] - 1e-6


@pytest.mark.parametrize("seed, limits", [(s, lim) for s in range(4) for lim in (False, True)])
def test_every_rule_holds_on_random_events(client, model, seed, limits):
    body = _event(model, seed, limits=limits)
    response = client.post("/v1/events/schedule", json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    _check_rules(body, answer)
    assert answer["meetings"], "a random event with open capacity gets meetings"
    if not limits:
        assert answer["summary"]["optimal"] is True


def _match_scores(client, company: dict, partners: list[str]) -> dict[str, float]:
    body = {**company["profile"], "top_k": 100, "filters": {"exclude_partner_ids": []}}
    answer = client.post("/v1/match", json=body).json()
    return {m["partner"]["id"]: m["score"] for m in answer["matches"] if m["partner"]["id"] in partners}


def test_meeting_scores_are_match_scores_and_the_plan_is_optimal(client, model):
    body = _event(model, 11, n_companies=5, n_partners=6, n_slots=3)
    body["partners"] = [
        {"partner_id": p}
        for p in (
            "samsung-biologics",
            "celltrion",
            "yuhan",
            "hanmi-pharmaceutical",
            "lotte-biologics",
            "ligachem-biosciences",
        )
    ]
    body["blocked"], body["min_score"] = [], 0.0
    answer = client.post("/v1/events/schedule", json=body).json()
    ids = [p["partner_id"] for p in body["partners"]]
    scores = np.zeros((len(body["companies"]), len(ids)))
    for i, company in enumerate(body["companies"]):
        found = _match_scores(client, company, ids)
        for j, pid in enumerate(ids):
            scores[i, j] = found.get(pid, 0.0)
        for m in answer["meetings"]:
            if m["company_id"] == company["id"]:
                assert m["score"] == found[m["partner_id"]]
    # an independent optimum: binary x[c, p], capacities capped by the slots (no availability limits)
    n_c, n_p, n_s = len(body["companies"]), len(ids), len(body["slots"])
    cap_c = [min(c["max_meetings"], n_s) for c in body["companies"]]
    rows, upper = [], []
    for i in range(n_c):
        row = np.zeros(n_c * n_p)
        row[i * n_p : (i + 1) * n_p] = 1
        rows.append(row), upper.append(cap_c[i])
    for j in range(n_p):
        row = np.zeros(n_c * n_p)
        row[j::n_p] = 1
        rows.append(row), upper.append(n_s)
    best = milp(
        -scores.ravel(),
        constraints=LinearConstraint(np.array(rows), -np.inf, upper),
        integrality=np.ones(n_c * n_p),
        bounds=Bounds(0, 1),
    )
    assert answer["summary"]["total_score"] == pytest.approx(-best.fun, abs=1e-3)


def test_declined_pairs_never_meet(client):
    match = client.post("/v1/match", json=PROFILE).json()
    declined = match["matches"][0]["partner"]["id"]
    feedback = {"request_id": match["request_id"], "partner_id": declined, "outcome": "not_relevant", "reason": "other"}
    assert client.post("/v1/feedback", json=feedback).status_code == 201
    body = {
        "slots": ["a", "b"],
        "companies": [{"id": "ex", "profile": PROFILE}],
        "partners": [{"partner_id": declined}, {"partner_id": match["matches"][1]["partner"]["id"]}],
    }
    answer = client.post("/v1/events/schedule", json=body).json()
    assert [m["partner_id"] for m in answer["meetings"]] == [match["matches"][1]["partner"]["id"]]


def test_balance_and_slot_times_and_storage(client, model):
    body = _event(model, 5, n_companies=5, n_partners=4, n_slots=3)
    body |= {
        "balance": True,
        "slot_starts": ["2026-05-12T09:00:00+09:00", "2026-05-12T09:30:00+09:00", "2026-05-12T10:00:00+09:00"],
        "slot_minutes": 25,
    }
    answer = client.post("/v1/events/schedule", json=body).json()
    _check_rules(body, answer)
    first = answer["meetings"][0]
    assert first["start"].startswith("2026-05-12T09") and first["end"] is not None
    stored = client.get(f"/v1/events/{answer['schedule_id']}").json()
    assert stored["schedule"] == answer and stored["request"]["slots"] == body["slots"]
    assert client.get("/v1/events/no-such-id").status_code == 404


@pytest.mark.parametrize(
    "mutate, field",
    [
        (lambda b: b["partners"].append({"partner_id": "no-such-partner"}), "partners[1].partner_id"),
        (lambda b: b["partners"].append(dict(b["partners"][0])), "body"),
        (lambda b: b["companies"][0].update(unavailable=["zz"]), "companies[0].unavailable[0]"),
        (lambda b: b["blocked"].append({"company_id": "nobody", "partner_id": "yuhan"}), "blocked[0].company_id"),
        (lambda b: b["companies"][0].update(max_meetings=0), "companies[0].max_meetings"),
        (lambda b: b.update(slots=["a", "a"]), "body"),
        (
            lambda b: b["companies"][0]["profile"]["assets"][0].update(modality="teleportation"),
            "companies[0].profile.assets[0].modality",
        ),
    ],
)
def test_bad_events_are_422_naming_the_field(client, mutate, field):
    body = {
        "slots": ["a", "b"],
        "companies": [{"id": "ex", "profile": copy.deepcopy(PROFILE)}],
        "partners": [{"partner_id": "yuhan"}],
        "blocked": [],
    }
    mutate(body)
    response = client.post("/v1/events/schedule", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"][0]["field"] == field


def test_tenants_cannot_read_each_others_events(model_dir, tmp_path):
    from tests.conftest import make_client

    with make_client(model_dir, tmp_path / "db.sqlite3", api_keys="a:key-a,b:key-b") as keyed:
        body = {"slots": ["a"], "companies": [{"id": "ex", "profile": PROFILE}], "partners": [{"partner_id": "yuhan"}]}
        response = keyed.post("/v1/events/schedule", json=body, headers={"X-API-Key": "key-a"})
        assert response.status_code == 200, response.text
        answer = response.json()
        assert keyed.get(f"/v1/events/{answer['schedule_id']}", headers={"X-API-Key": "key-b"}).status_code == 404
        assert keyed.get(f"/v1/events/{answer['schedule_id']}", headers={"X-API-Key": "key-a"}).status_code == 200

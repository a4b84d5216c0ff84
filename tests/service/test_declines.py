"""Typed decline reasons, declines hidden from the next list, and the exposure log."""

from __future__ import annotations

import pytest

from tests.conftest import PROFILE, make_client

KEYS = {"api_keys": "acme:key-acme,beta:key-beta"}


@pytest.fixture
def keyed(model_dir, tmp_path):
    with make_client(model_dir, tmp_path / "db.sqlite3", **KEYS) as c:
        yield c


def _match(client, key, body=PROFILE):
    response = client.post("/v1/match", json=body, headers={"X-API-Key": key})
    assert response.status_code == 200, response.text
    return response.json()


def _decline(client, key, answer, partner_id, reason="no_capacity"):
    body = {"request_id": answer["request_id"], "partner_id": partner_id, "outcome": "not_relevant", "reason": reason}
    return client.post("/v1/feedback", json=body, headers={"X-API-Key": key})


def test_a_decline_hides_the_partner_for_that_company_and_tenant_only(keyed):
    first = _match(keyed, "key-acme")
    declined = first["matches"][0]["partner"]["id"]
    assert _decline(keyed, "key-acme", first, declined).status_code == 201

    again = _match(keyed, "key-acme", {**PROFILE, "company": {"name": "  EXAMPLE therapeutics "}})
    assert declined not in [m["partner"]["id"] for m in again["matches"]] and again["declined_hidden"] == 1
    assert again["matches"][0]["partner"]["id"] == first["matches"][1]["partner"]["id"]

    other_company = _match(keyed, "key-acme", {**PROFILE, "company": {"name": "Another Co"}})
    assert other_company["matches"][0]["partner"]["id"] == declined and other_company["declined_hidden"] == 0
    other_tenant = _match(keyed, "key-beta")
    assert other_tenant["matches"][0]["partner"]["id"] == declined and other_tenant["declined_hidden"] == 0

    shown = _match(keyed, "key-acme", {**PROFILE, "include_declined": True})
    assert shown["matches"][0]["partner"]["id"] == declined and shown["declined_hidden"] == 0


def test_a_later_positive_mark_lifts_the_decline(keyed):
    first = _match(keyed, "key-acme")
    declined = first["matches"][0]["partner"]["id"]
    _decline(keyed, "key-acme", first, declined)
    second = _match(keyed, "key-acme", {**PROFILE, "include_declined": True})
    body = {"request_id": second["request_id"], "partner_id": declined, "outcome": "meeting"}
    assert keyed.post("/v1/feedback", json=body, headers={"X-API-Key": "key-acme"}).status_code == 201
    assert _match(keyed, "key-acme")["matches"][0]["partner"]["id"] == declined


def test_reasons_round_trip_and_exposures_are_kept(keyed):
    answer = _match(keyed, "key-acme")
    pid = answer["matches"][2]["partner"]["id"]
    record = _decline(keyed, "key-acme", answer, pid, reason="Wrong stage").json()
    assert record["reason"] == "wrong_stage" and record["outcome"] == "not_relevant"
    stored = keyed.get(f"/v1/requests/{answer['request_id']}", headers={"X-API-Key": "key-acme"}).json()
    assert stored["feedback"] == [record]
    assert [m["partner_id"] for m in stored["matches"]] == [m["partner"]["id"] for m in answer["matches"]]
    assert stored["matches"][0]["components"] == answer["matches"][0]["components"]  # what was shown, kept


@pytest.mark.parametrize(
    "body, field",
    [
        ({"outcome": "not_relevant", "reason": "too_expensive"}, "reason"),
        ({"outcome": "relevant", "reason": "wrong_stage"}, "body"),
    ],
)
def test_bad_reasons_are_422_with_the_allowed_codes(keyed, body, field):
    answer = _match(keyed, "key-acme")
    full = {"request_id": answer["request_id"], "partner_id": answer["matches"][0]["partner"]["id"], **body}
    response = keyed.post("/v1/feedback", json=full, headers={"X-API-Key": "key-acme"})
    assert response.status_code == 422
    detail = response.json()["error"]["details"][0]
    assert detail["field"] == field
    if field == "reason":
        assert "wrong_stage" in detail["allowed"] and detail["value"] == "too_expensive"

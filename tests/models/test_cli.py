"""The kbio-match command: match, evaluate and train, with one-line errors on bad input."""

from __future__ import annotations

import json

import pytest

from kbio_match.cli import app
from tests.conftest import PROFILE


def test_match_prints_json_answer(runner, tmp_path):
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps(PROFILE))
    result = runner.invoke(app, ["match", str(profile), "--top-k", "3", "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert len(answer["matches"]) == 3 and answer["matches"][0]["reasons"]


def test_match_table_names_partners(runner, tmp_path):
    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps({**PROFILE, "top_k": 2}))
    result = runner.invoke(app, ["match", str(profile)])
    assert result.exit_code == 0 and "Korean partners" in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps({**PROFILE, "seeking": ["telepathy"]}), "seeking[0]: unknown partnership 'telepathy'"),
        (json.dumps({**PROFILE, "preferred_clusters": ["atlantis"]}), "unknown cluster 'atlantis'"),
    ],
)
def test_match_bad_input_is_one_line_and_exit_1(runner, tmp_path, content, message):
    profile = tmp_path / "profile.json"
    profile.write_text(content)
    result = runner.invoke(app, ["match", str(profile)])
    assert result.exit_code == 1
    assert message in result.output and len(result.output.strip().splitlines()) == 1


def test_match_missing_file(runner, tmp_path):
    result = runner.invoke(app, ["match", str(tmp_path / "nope.json")])
    assert result.exit_code == 1 and "cannot read" in result.output


def test_evaluate_prints_model_and_baselines(runner):
    result = runner.invoke(app, ["evaluate", "--protocol", "time_split"])
    assert result.exit_code == 0, result.output
    for word in ("model", "popularity", "overlap", "random", "manufacturing", "no earlier deal"):
        assert word in result.output


def test_train_writes_an_artifact_and_rejects_unknown_params(runner, tmp_path):
    out = tmp_path / "trained"
    result = runner.invoke(app, ["train", "--out", str(out), "--param", "w_cluster=0.5"])
    assert result.exit_code == 0, result.output
    assert any(p.name.endswith(".manifest.json") for p in out.iterdir())
    bad = runner.invoke(app, ["train", "--out", str(out), "--param", "w_colour=1"])
    assert bad.exit_code == 1 and "known:" in bad.output


def test_match_json_equals_the_api_answer(runner, tmp_path, trained_dir):
    from tests.conftest import make_client

    profile = tmp_path / "profile.json"
    profile.write_text(json.dumps(PROFILE))
    cli = json.loads(runner.invoke(app, ["match", str(profile), "--json"]).output)
    with make_client(trained_dir, tmp_path / "db.sqlite3") as client:
        api = client.post("/v1/match", json=PROFILE).json()
    api.pop("request_id")
    assert cli == api


EVENT = {
    "name": "Test partnering",
    "slots": ["d1-0900", "d1-0930"],
    "companies": [{"id": "acme", "profile": PROFILE, "max_meetings": 2}],
    "partners": [{"partner_id": "samsung-biologics"}, {"partner_id": "yuhan"}, {"partner_id": "celltrion"}],
    "slot_starts": ["2026-05-12T09:00:00+09:00", "2026-05-12T09:30:00+09:00"],
    "slot_minutes": 25,
}


def test_schedule_prints_and_writes_csv_and_calendars(runner, tmp_path):
    import csv as csv_module

    event = tmp_path / "event.json"
    event.write_text(json.dumps(EVENT))
    printed = runner.invoke(app, ["schedule", str(event)])
    assert printed.exit_code == 0, printed.output
    assert "2 meetings" in printed.output and "per participant" in printed.output
    out = tmp_path / "plan.csv"
    written = runner.invoke(app, ["schedule", str(event), "--out", str(out)])
    assert written.exit_code == 0, written.output
    rows = list(csv_module.DictReader(out.open(encoding="utf-8")))
    assert [r["slot"] for r in rows] == ["d1-0900", "d1-0930"] and rows[0]["start"].startswith("2026-05-12T09:00")
    calendars = sorted((tmp_path / "plan-calendars").glob("*.ics"))
    assert [p.name for p in calendars][0] == "company-acme.ics" and len(calendars) == 3
    text = calendars[0].read_text()
    assert text.count("BEGIN:VEVENT") == 2 and "DTSTART" in text


def test_schedule_bad_event_is_one_line(runner, tmp_path):
    event = tmp_path / "event.json"
    event.write_text(json.dumps({**EVENT, "partners": [{"partner_id": "nobody"}]}))
    result = runner.invoke(app, ["schedule", str(event)])
    assert result.exit_code == 1 and "partners[0].partner_id: unknown partner 'nobody'" in result.output

"""kbio-match feedback export: the exposure log with outcomes, from SQLite and from PostgreSQL."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from kbio_match.cli import app
from tests.conftest import PROFILE, make_client


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db.sqlite3'}"
    return request.getfixturevalue("postgres_url")


def test_export_has_one_row_per_shown_partner_with_its_mark(model_dir, database_url, tmp_path, monkeypatch):
    company = f"Export Co {tmp_path.name}"  # the PostgreSQL server is shared by the whole run
    with make_client(model_dir, tmp_path / "unused.sqlite3", database_url=database_url) as client:
        answer = client.post("/v1/match", json={**PROFILE, "company": {"name": company}, "top_k": 4}).json()
        declined, liked = answer["matches"][1]["partner"]["id"], answer["matches"][0]["partner"]["id"]
        for pid, outcome, reason in [(declined, "not_relevant", "wrong_stage"), (liked, "meeting", None)]:
            body = {"request_id": answer["request_id"], "partner_id": pid, "outcome": outcome, "reason": reason}
            assert client.post("/v1/feedback", json=body).status_code == 201
    monkeypatch.setenv("KBIO_DATABASE_URL", database_url)
    for out in (tmp_path / "log.csv", tmp_path / "log.parquet"):
        result = CliRunner().invoke(app, ["feedback", "export", "--out", str(out)])
        assert result.exit_code == 0, result.output
        frame = pd.read_csv(out) if out.suffix == ".csv" else pd.read_parquet(out)
        rows = frame[frame["request_id"] == answer["request_id"]].sort_values("position")
        assert list(rows["partner_id"]) == [m["partner"]["id"] for m in answer["matches"]]
        assert list(rows["score"]) == [m["score"] for m in answer["matches"]]
        assert rows.iloc[0]["modality"] == answer["matches"][0]["components"]["modality"]
        marks = rows.set_index("partner_id")
        assert (marks.loc[declined, "outcome"], marks.loc[declined, "reason"]) == ("not_relevant", "wrong_stage")
        assert marks.loc[liked, "outcome"] == "meeting" and rows["outcome"].isna().sum() == 2
        assert (rows["tenant"] == "local").all() and rows["seeking"].iloc[0] == "license_out;manufacturing"


def test_export_refuses_a_bad_date_or_extension(tmp_path, monkeypatch):
    monkeypatch.setenv("KBIO_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    bad_date = CliRunner().invoke(app, ["feedback", "export", "--since", "yesterday"])
    assert bad_date.exit_code == 1 and "--since" in bad_date.output
    bad_ext = CliRunner().invoke(app, ["feedback", "export", "--out", str(tmp_path / "x.xlsx")])
    assert bad_ext.exit_code == 1 and ".csv or .parquet" in bad_ext.output

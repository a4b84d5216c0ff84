"""Bad catalog data is refused on load, by train and by serve, naming file, line and reason."""

from __future__ import annotations

import csv
import shutil

import pytest
from kbio_match.features.catalog import CatalogError, load_catalog
from typer.testing import CliRunner

from kbio_match import paths
from kbio_match.cli import app


@pytest.fixture
def bad_dir(tmp_path):
    """The shipped catalog with an unknown modality on line 3 and a duplicated partner id on the last line."""
    target = tmp_path / "data"
    shutil.copytree(paths.data_dir(), target, ignore=shutil.ignore_patterns("*.md", "__pycache__"))
    path = target / "partners.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[1]["modalities"] = "teleportation"
    rows.append(dict(rows[0]))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return target, len(rows) + 1


def test_load_catalog_refuses_bad_rows(bad_dir):
    directory, last_line = bad_dir
    with pytest.raises(CatalogError) as caught:
        load_catalog(directory)
    reasons = [str(p) for p in caught.value.problems]
    assert any(r.startswith("partners.csv:3: modalities") and "teleportation" in r for r in reasons), reasons
    assert any(r.startswith(f"partners.csv:{last_line}: duplicate id") for r in reasons), reasons
    assert "partners.csv:3" in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize("command", [["serve", "--port", "1"], ["train"], ["evaluate"]])
def test_commands_refuse_a_bad_catalog_in_one_line(bad_dir, command, monkeypatch, tmp_path):
    directory, _ = bad_dir
    monkeypatch.setenv("KBIO_DATA_DIR", str(directory))
    monkeypatch.setenv("KBIO_MODEL_DIR", str(tmp_path / "models"))
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines[-1].startswith("kbio-match: catalog") and "partners.csv:3" in lines[-1], result.output
    assert not (tmp_path / "models").exists()  # nothing was built from bad data

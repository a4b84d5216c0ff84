"""Every analyst notebook executes top to bottom on its parameters cell's small defaults."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


def test_the_notebooks_are_committed_without_outputs():
    assert [p.name for p in NOTEBOOKS] == [
        "01-explore-catalog.ipynb",
        "02-tune-model.ipynb",
        "03-publish-model.ipynb",
        "04-feedback.ipynb",
    ]
    for path in NOTEBOOKS:
        cells = json.loads(path.read_text())["cells"]
        assert any("parameters" in c.get("metadata", {}).get("tags", []) for c in cells), path.name
        assert all(not c.get("outputs") and c.get("execution_count") is None for c in cells if c["cell_type"] == "code")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, tmp_path, monkeypatch, trained_dir, request):
    monkeypatch.setenv("KBIO_MODEL_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    if path.stem.startswith("03"):
        # publish against a live service, like an analyst would
        base = request.getfixturevalue("server")
        monkeypatch.setenv("KBIO_SERVICE_URL", base)
        monkeypatch.setenv("KBIO_MODEL_DIR", str(base.model_dir))  # the folder the service serves from
    if path.stem.startswith("04"):
        # feedback from simulated users against a live service, exported as an analyst would
        from kbio_match.cli import app
        from typer.testing import CliRunner

        from tests.feedback_sim import simulate

        base = request.getfixturevalue("server")
        assert simulate(base, n_requests=40) > 100
        export = tmp_path / "feedback.parquet"
        monkeypatch.setenv("KBIO_DATABASE_URL", base.database_url)
        result = CliRunner().invoke(app, ["feedback", "export", "--out", str(export)])
        assert result.exit_code == 0, result.output
        monkeypatch.setenv("KBIO_FEEDBACK_EXPORT", str(export))
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    if path.stem.startswith("03"):
        text = "".join(o.get("text", "") for c in notebook.cells for o in c.get("outputs", []))
        assert "service now serves" in text
    if path.stem.startswith("04"):
        assert (tmp_path / "feedback-by-position.png").stat().st_size > 1000
        text = "".join(o.get("text", "") for c in notebook.cells for o in c.get("outputs", []))
        assert "held-out window: served AUC" in text

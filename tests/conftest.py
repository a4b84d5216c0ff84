"""Shared fixtures: the shipped catalog, a fitted model, a trained artifact and an app client."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from kbio_match.features.catalog import load_catalog
from kbio_match.models.recommender import Recommender

from kbio_match import paths

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="session")
def catalog():
    return load_catalog()


@pytest.fixture(scope="session")
def model(catalog):
    return Recommender.fit(catalog)


@pytest.fixture(scope="session")
def trained_dir(tmp_path_factory) -> Path:
    """A folder holding one artifact trained from the shipped data (trained once per run)."""
    from kbio_match.models.training import train

    directory = tmp_path_factory.mktemp("models")
    train(out_dir=directory)
    return directory


@pytest.fixture
def model_dir(trained_dir, tmp_path) -> Path:
    """A private copy of the trained artifact folder, safe to tamper with."""
    target = tmp_path / "models"
    shutil.copytree(trained_dir, target)
    return target


def make_client(model_dir: Path, db_path: Path, **env) -> TestClient:
    from kbio_match.service.app import create_app
    from kbio_match.service.settings import Settings

    env = {"database_url": f"sqlite:///{db_path}", **env}
    settings = Settings(model_dir=model_dir, data_dir=paths.data_dir(), **env)
    return TestClient(create_app(settings))


@pytest.fixture
def client(model_dir, tmp_path):
    with make_client(model_dir, tmp_path / "db.sqlite3") as c:
        yield c


@pytest.fixture
def runner(monkeypatch, trained_dir, tmp_path):
    """A CLI runner whose commands use a private copy of the trained artifact."""
    from typer.testing import CliRunner

    models = tmp_path / "cli-models"
    shutil.copytree(trained_dir, models)
    monkeypatch.setenv("KBIO_MODEL_DIR", str(models))
    return CliRunner()


@pytest.fixture(scope="module")
def server(tmp_path_factory, trained_dir):
    """A ``kbio-match serve`` process on a free port, serving a copy of the trained artifact."""
    from tests.live import start_server

    yield from start_server(tmp_path_factory, trained_dir)


@pytest.fixture(scope="session")
def postgres_url():
    """A throw-away PostgreSQL server from Debian's binaries, as an SQLAlchemy URL."""
    from tests.pg_server import throwaway_postgres

    with throwaway_postgres() as url:
        yield url


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


PROFILE = {
    "company": {"name": "Example Therapeutics", "country": "GB"},
    "assets": [
        {"name": "EX-101", "modality": "adc", "stage": "phase1", "therapeutic_areas": ["oncology"]},
        {
            "name": "EX-202",
            "modality": "small_molecule",
            "stage": "phase2",
            "therapeutic_areas": ["cardiovascular", "rare_disease"],
        },
    ],
    "seeking": ["license_out", "manufacturing"],
    "top_k": 10,
}

"""Where the catalog, artifacts and database live, read late from the environment."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import platformdirs

APP_NAME = "kbio-match"


def data_dir() -> Path:
    """The catalog folder: ``KBIO_DATA_DIR`` if set, else the shipped ``data/``."""
    override = os.environ.get("KBIO_DATA_DIR")
    if override:
        return Path(override)
    return Path(str(resources.files("kbio_match.data")))


def user_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def model_dir() -> Path:
    """Where artifacts are written and read: ``KBIO_MODEL_DIR`` or the user's data dir."""
    override = os.environ.get("KBIO_MODEL_DIR")
    return Path(override) if override else user_data_dir() / "models"


def database_url() -> str:
    """``KBIO_DATABASE_URL`` or an SQLite file in the user's data dir."""
    url = os.environ.get("KBIO_DATABASE_URL")
    if url:
        return url
    path = user_data_dir() / "kbio-match.sqlite3"
    return f"sqlite:///{path}"

"""Model artifacts: one joblib file (index, matcher and explainer together) plus a JSON manifest.

A joblib file is a pickle, and unpickling runs code, so nothing is unpickled before its
manifest is read and the file's sha256 matches the manifest. A different format version or
a different minor version of the libraries the pickle depends on is refused too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import tempfile
from dataclasses import dataclass
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import sklearn
from kbio_match.models.recommender import Recommender

import kbio_match

__all__ = [
    "ArtifactError",
    "LoadedModel",
    "save_artifact",
    "load_artifact",
    "newest_manifest",
    "FORMAT_VERSION",
    "file_sha256",
]

# 5: the choice model over the matcher; 4: the text group; 3: the appetite group; 2: a Recommender
# under the kbio_match namespace
FORMAT_VERSION = 5
MANIFEST_SUFFIX = ".manifest.json"
# Libraries whose objects live inside the pickle: a different minor version may not unpickle
# to the same behaviour.
PINNED = {
    "numpy": np.__version__,
    "pandas": pd.__version__,
    "scikit-learn": sklearn.__version__,
    "joblib": joblib.__version__,
}


class ArtifactError(ValueError):
    """An artifact that must not be loaded; the message is one line saying why.

    ``kind`` is "integrity" (hash mismatch, wrong content: possibly tampered) or
    "compatibility" (missing files, other format or library versions).
    """

    def __init__(self, message: str, kind: str = "compatibility"):
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class LoadedModel:
    model: Recommender
    manifest: dict
    manifest_path: Path

    @property
    def version(self) -> str:
        return self.manifest["version"]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _new_version(directory: Path, created: dt.datetime, fingerprint: str, params: dict) -> str:
    """A version no other artifact in ``directory`` has: time to the microsecond, data and
    parameter hashes, and a counter in the unlikely case two saves still collide."""
    params_hash = hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()
    base = f"{created:%Y%m%d-%H%M%S-%f}-{fingerprint[:6]}{params_hash[:4]}"
    version, n = base, 1
    while (directory / f"kbio-match-{version}{MANIFEST_SUFFIX}").exists() or (
        directory / f"kbio-match-{version}.joblib"
    ).exists():
        n += 1
        version = f"{base}-{n}"
    return version


def save_artifact(model: Recommender, directory: Path | str, *, metrics: dict, notes: str = "") -> Path:
    """Write ``<version>.joblib`` and its manifest into ``directory``; return the manifest path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    created = dt.datetime.now(dt.UTC)
    params = model.params()
    version = _new_version(directory, created, model.fingerprint, params)
    artifact = directory / f"kbio-match-{version}.joblib"
    with tempfile.NamedTemporaryFile(dir=directory, suffix=".tmp", delete=False) as tmp:
        joblib.dump(model, tmp.name, compress=3)
    os.replace(tmp.name, artifact)
    manifest = {
        "format_version": FORMAT_VERSION,
        "version": version,
        "created_at": created.isoformat(timespec="microseconds"),
        "package_version": kbio_match.__version__,
        "python": platform.python_version(),
        "libraries": PINNED,
        "data_fingerprint": model.fingerprint,
        "n_partners": len(model.index),
        "n_deals": model.index.n_deals,
        "params": params,
        "metrics": metrics,
        "notes": notes,
        "artifact": artifact.name,
        "sha256": file_sha256(artifact),
    }
    manifest_path = directory / f"kbio-match-{version}{MANIFEST_SUFFIX}"
    _atomic_write(manifest_path, json.dumps(manifest, indent=2, default=str).encode())
    return manifest_path


def _manifest_for(path: Path) -> Path:
    if path.name.endswith(MANIFEST_SUFFIX):
        return path
    if path.suffix == ".joblib":
        return path.with_name(path.name[: -len(".joblib")] + MANIFEST_SUFFIX)
    raise ArtifactError(f"{path.name}: not a .joblib artifact or its {MANIFEST_SUFFIX}")


def load_artifact(path: Path | str) -> LoadedModel:
    """Verify an artifact against its manifest, then load it.

    Raises
    ------
    ArtifactError
        Missing files, another format version, other library versions, or a sha256 mismatch.
    """
    manifest_path = _manifest_for(Path(path))
    if not manifest_path.exists():
        raise ArtifactError(f"no manifest {manifest_path.name} beside the artifact")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ArtifactError(f"{manifest_path.name}: unreadable manifest ({exc.__class__.__name__})") from None
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ArtifactError(
            f"{manifest_path.name}: format version {manifest.get('format_version')} "
            f"is not the supported {FORMAT_VERSION}"
        )
    for library, installed in PINNED.items():
        built = str((manifest.get("libraries") or {}).get(library, "?"))
        if _minor(built) != _minor(installed):
            raise ArtifactError(f"{manifest_path.name}: built with {library} {built}, but {installed} is installed")
    artifact = manifest_path.with_name(str(manifest.get("artifact", "")))
    if not manifest.get("artifact") or artifact.parent != manifest_path.parent or not artifact.exists():
        raise ArtifactError(f"{manifest_path.name}: artifact file {manifest.get('artifact')!r} is missing")
    actual = file_sha256(artifact)
    if actual != manifest.get("sha256"):
        raise ArtifactError(
            f"{artifact.name}: sha256 {actual[:12]}... does not match the manifest; refusing to load", kind="integrity"
        )
    try:
        model = joblib.load(artifact)
    except Exception as exc:  # hash verified, so the file is intact: this code cannot read it
        raise ArtifactError(
            f"{artifact.name}: cannot be loaded by this version of the code "
            f"({exc.__class__.__name__}: {str(exc)[:120]})"
        ) from None
    if not isinstance(model, Recommender):
        raise ArtifactError(f"{artifact.name}: holds a {type(model).__name__}, not a Recommender", kind="integrity")
    return LoadedModel(model=model, manifest=manifest, manifest_path=manifest_path)


def newest_manifest(directory: Path | str) -> Path | None:
    """The manifest with the latest creation time in ``directory``, or None."""
    directory = Path(directory)
    if not directory.is_dir():
        return None
    found = []
    for path in directory.glob(f"*{MANIFEST_SUFFIX}"):
        try:
            found.append((json.loads(path.read_text(encoding="utf-8")).get("created_at", ""), path.name, path))
        except (OSError, ValueError):
            continue
    return max(found)[2] if found else None

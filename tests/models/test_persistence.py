"""Artifacts: round trip, manifest contents, refusal of tampered or incompatible files."""

from __future__ import annotations

import json

import numpy as np
import pytest
from kbio_match.models.persistence import FORMAT_VERSION, ArtifactError, load_artifact, newest_manifest

from tests.profiles import as_profile


def test_round_trip_gives_identical_rankings(trained_dir, model):
    loaded = load_artifact(newest_manifest(trained_dir))
    profile = as_profile(
        {
            "assets": [{"name": "A", "modality": "adc", "stage": "phase1", "therapeutic_areas": ["oncology"]}],
            "seeking": ["license_out", "manufacturing"],
        }
    )
    assert np.allclose(loaded.model.matcher.decision_scores([profile]), model.matcher.decision_scores([profile]))
    assert [m.reasons for m in loaded.model.rank([profile], 5)[0]] == [m.reasons for m in model.rank([profile], 5)[0]]


def test_manifest_records_what_the_model_was_built_from(trained_dir, catalog):
    manifest = json.loads(newest_manifest(trained_dir).read_text())
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["data_fingerprint"] == catalog.fingerprint
    assert {"numpy", "pandas", "scikit-learn", "joblib"} <= set(manifest["libraries"])
    assert manifest["metrics"]["time_split"]["model"]["hit@10"] > 0
    assert len(manifest["sha256"]) == 64 and manifest["params"]["w_modality"] > 0
    card = newest_manifest(trained_dir).with_name(manifest["artifact"].replace(".joblib", ".MODEL_CARD.md"))
    assert "## Limitations" in card.read_text() and "Time split" in card.read_text()


def test_tampered_artifact_is_refused_before_loading(model_dir, monkeypatch):
    manifest_path = newest_manifest(model_dir)
    artifact = model_dir / json.loads(manifest_path.read_text())["artifact"]
    data = bytearray(artifact.read_bytes())
    data[len(data) // 2] ^= 0xFF
    artifact.write_bytes(bytes(data))
    import joblib

    monkeypatch.setattr(joblib, "load", lambda *a, **k: pytest.fail("joblib.load ran on a tampered file"))
    with pytest.raises(ArtifactError, match="sha256") as info:
        load_artifact(manifest_path)
    assert info.value.kind == "integrity" and "\n" not in str(info.value)


def test_library_version_mismatch_is_refused(model_dir):
    manifest_path = newest_manifest(model_dir)
    manifest = json.loads(manifest_path.read_text())
    manifest["libraries"]["scikit-learn"] = "0.1.0"
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="scikit-learn 0.1.0"):
        load_artifact(manifest_path)


def test_format_version_mismatch_is_refused(model_dir):
    manifest_path = newest_manifest(model_dir)
    manifest = json.loads(manifest_path.read_text())
    manifest["format_version"] = FORMAT_VERSION + 1
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="format version"):
        load_artifact(manifest_path)


def test_ensure_model_never_replaces_a_tampered_artifact(model_dir):
    from kbio_match.models.training import ensure_model

    manifest_path = newest_manifest(model_dir)
    artifact = model_dir / json.loads(manifest_path.read_text())["artifact"]
    artifact.write_bytes(artifact.read_bytes() + b"x")
    with pytest.raises(ArtifactError):
        ensure_model(model_dir)


def test_artifact_this_code_cannot_unpickle_is_a_compatibility_error_and_is_rebuilt(model_dir):
    """A file that passes its hash check but references code that moved is rebuilt, not a crash."""
    from kbio_match.models.persistence import file_sha256
    from kbio_match.models.training import ensure_model

    manifest_path = newest_manifest(model_dir)
    manifest = json.loads(manifest_path.read_text())
    artifact = model_dir / manifest["artifact"]
    # a pickle of a class that does not exist, with a matching hash
    artifact.write_bytes(
        b"\x80\x04\x95\x1f\x00\x00\x00\x00\x00\x00\x00\x8c\x10features.missing\x94\x8c\x05Thing\x94\x93\x94."
    )
    manifest["sha256"] = file_sha256(artifact)
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="cannot be loaded by this version") as info:
        load_artifact(manifest_path)
    assert info.value.kind == "compatibility"
    rebuilt = ensure_model(model_dir)
    assert rebuilt.version != manifest["version"]


def test_two_saves_in_the_same_second_get_different_versions(model, tmp_path):
    from kbio_match.models.persistence import save_artifact

    first = save_artifact(model, tmp_path, metrics={})
    second = save_artifact(model, tmp_path, metrics={})
    versions = {json.loads(p.read_text())["version"] for p in (first, second)}
    assert len(versions) == 2 and len(list(tmp_path.glob("*.joblib"))) == 2
    assert load_artifact(first).version != load_artifact(second).version

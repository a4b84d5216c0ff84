"""The served model: information and reload."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Body, Request
from kbio_match.models.persistence import ArtifactError, load_artifact, newest_manifest
from kbio_match.service.auth import AdminDep
from kbio_match.service.deps import ModelStateDep, ServedDep
from kbio_match.service.errors import ApiError
from kbio_match.service.schemas import ModelInfo, ReloadRequest, ReloadResponse

router = APIRouter(tags=["model"])
log = logging.getLogger(__name__)


@router.get("/model", response_model=ModelInfo, summary="Version, training data and metrics of the served model")
def model_info(served: ServedDep):
    m = served.loaded.manifest
    return {
        k: m[k]
        for k in (
            "version",
            "created_at",
            "data_fingerprint",
            "metrics",
            "params",
            "libraries",
            "n_partners",
            "n_deals",
        )
    }


@router.post("/model/reload", response_model=ReloadResponse, summary="Verify and swap in a model artifact (admin)")
def reload_model(
    request: Request, tenant: AdminDep, state: ModelStateDep, body: Annotated[ReloadRequest | None, Body()] = None
):
    model_dir = Path(request.app.state.settings.model_dir)
    if body and body.artifact:
        name = body.artifact
        if Path(name).name != name or name.startswith("."):
            raise ApiError(
                422,
                "validation_error",
                "artifact: give a file name inside the model folder",
                [{"field": "artifact", "value": name[:100], "message": "not a plain file name"}],
            )
        target = model_dir / name
    else:
        target = newest_manifest(model_dir)
        if target is None:
            raise ApiError(422, "artifact_refused", f"no artifact in the model folder {model_dir}")
    try:
        loaded = load_artifact(target)
    except ArtifactError as exc:
        log.warning("reload refused: %s", exc)
        raise ApiError(422, "artifact_refused", str(exc), [{"field": "artifact", "message": str(exc)}]) from None
    previous = state.swap(loaded)
    log.info("model %s replaced %s", loaded.version, previous.loaded.version)
    return {"version": loaded.version, "previous_version": previous.loaded.version}

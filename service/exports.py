"""The exposure log as a table: one row per (stored request, partner shown), with its outcome."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from kbio_match.features.pipeline import GROUPS
from kbio_match.service.storage import Store

__all__ = ["EXPORT_COLUMNS", "exposure_frame", "write_table"]

EXPORT_COLUMNS = [
    "request_id",
    "created_at",
    "tenant",
    "model_version",
    "company",
    "seeking",
    "n_assets",
    "position",
    "partner_id",
    "score",
    *GROUPS,
    "outcome",
    "reason",
    "note",
    "feedback_at",
]


def exposure_frame(store: Store, *, since: dt.datetime | None = None) -> pd.DataFrame:
    """Every partner every stored request showed, where it was, its score and components, and
    the latest mark the tenant gave it on that request (empty when none)."""
    rows = []
    for request, marks in store.exposures(since=since):
        seeking = ";".join(request.profile.get("seeking") or [])
        n_assets = len(request.profile.get("assets") or [])
        for shown in request.shown:
            mark = marks.get(shown.partner_id)
            rows.append(
                {
                    "request_id": request.id,
                    "created_at": request.created_at.isoformat(timespec="milliseconds"),
                    "tenant": request.tenant,
                    "model_version": request.model_version,
                    "company": request.company,
                    "seeking": seeking,
                    "n_assets": n_assets,
                    "position": shown.rank,
                    "partner_id": shown.partner_id,
                    "score": shown.score,
                    **{g: shown.components.get(g) for g in GROUPS},
                    "outcome": mark.outcome if mark else None,
                    "reason": mark.reason if mark else None,
                    "note": mark.note if mark else None,
                    "feedback_at": mark.created_at.isoformat(timespec="milliseconds") if mark else None,
                }
            )
    return pd.DataFrame(rows, columns=EXPORT_COLUMNS)


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """CSV or Parquet, by the file's extension."""
    if path.suffix.lower() == ".parquet":
        frame.to_parquet(path, index=False)
    elif path.suffix.lower() == ".csv":
        frame.to_csv(path, index=False)
    else:
        raise ValueError(f"{path.name}: the output must end in .csv or .parquet")

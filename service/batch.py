"""Batch matching: every profile of a file ranked against the catalog, in this process or on a
Dask cluster, one output row per (profile, rank).

Input: JSON Lines of POST /v1/match bodies, or CSV / Parquet with one profile a row in the columns
of ``PROFILE_COLUMNS`` (lists separated by ``;``; a row describes the company and its first
asset). Output: ``profile`` (0-based position in the input), ``company``, ``rank``,
``partner_id``, ``score``, then one column per component, as CSV or Parquet.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from kbio_match.features.profile import Profile
from kbio_match.models.matcher import SCORE_GROUPS
from kbio_match.models.ranking import round4
from kbio_match.models.recommender import Recommender
from kbio_match.service.errors import validation_details
from kbio_match.service.schemas import MatchRequest
from pydantic import ValidationError
from threadpoolctl import threadpool_limits

__all__ = ["PROFILE_COLUMNS", "OUTPUT_COLUMNS", "BadRow", "read_requests", "rank_chunk", "run_batch"]

PROFILE_COLUMNS = (
    "company_name",
    "country",
    "seeking",
    "asset_name",
    "modality",
    "stage",
    "therapeutic_areas",
    "indication",
    "preferred_clusters",
    "top_k",
)
OUTPUT_COLUMNS = ["profile", "company", "rank", "partner_id", "score", *SCORE_GROUPS]
CONNECT_TIMEOUT = "30s"
CHUNK = 2000  # profiles per task: large enough to amortise a task, small enough to show progress
THREADS = min(4, os.cpu_count() or 1)


@dataclass(frozen=True)
class BadRow:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


def _split(value) -> list[str]:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    return [v.strip() for v in str(value).split(";") if v.strip()]


def _body_from_row(row: dict) -> dict:
    text = {k: ("" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v).strip()) for k, v in row.items()}
    body: dict = {"company": {"name": text.get("company_name", "")}, "seeking": _split(text.get("seeking"))}
    if text.get("country"):
        body["company"]["country"] = text["country"]
    if text.get("modality") or text.get("stage") or text.get("therapeutic_areas"):
        asset = {
            "name": text.get("asset_name") or None,
            "modality": text.get("modality"),
            "stage": text.get("stage"),
            "therapeutic_areas": _split(text.get("therapeutic_areas")),
        }
        if text.get("indication"):
            asset["indication"] = text["indication"]
        body["assets"] = [asset]
    if text.get("preferred_clusters"):
        body["preferred_clusters"] = _split(text["preferred_clusters"])
    if text.get("top_k"):
        body["top_k"] = text["top_k"]
    return body


def _bodies(path: Path) -> Iterator[tuple[int, dict | None, str | None]]:
    """(line, body or None, reason) for every profile of the file; line is the file's line number."""
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    body = json.loads(line)
                except ValueError as exc:
                    yield number, None, f"not valid JSON ({exc.msg})"
                    continue
                yield (number, body, None) if isinstance(body, dict) else (number, None, "not a JSON object")
        return
    if suffix == ".csv":
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        first = 2  # the header is line 1
    elif suffix == ".parquet":
        frame = pd.read_parquet(path)
        first = 1  # no header line: rows count from 1
    else:
        raise ValueError(f"{path.name}: input must end in .jsonl, .csv or .parquet")
    missing = [c for c in ("company_name", "seeking") if c not in frame.columns]
    if missing:
        raise ValueError(f"{path.name}: missing column(s) {', '.join(missing)}; columns: {', '.join(PROFILE_COLUMNS)}")
    for i, row in enumerate(frame.to_dict("records")):
        yield first + i, _body_from_row(row), None


def read_requests(path: Path) -> tuple[list[tuple[int, MatchRequest]], list[BadRow]]:
    """The valid requests with their 0-based position among the input's profiles, and every bad
    row with its line and reason."""
    good, bad = [], []
    for position, (line, body, reason) in enumerate(_bodies(path)):
        if body is None:
            bad.append(BadRow(line, reason))
            continue
        try:
            good.append((position, MatchRequest.model_validate(body)))
        except ValidationError as exc:
            first = validation_details(exc.errors())[0]
            bad.append(BadRow(line, f"{first['field']}: {first['message']}"))
    return good, bad


def rank_chunk(model: Recommender, chunk: list[tuple[int, str, int, Profile]]) -> pd.DataFrame:
    """Output rows for (position, company, top_k, profile) items: plain data in and out."""
    profiles = [profile for *_, profile in chunk]
    top = model.ranker.rank_arrays(profiles, max(k for _, _, k, _ in chunk), masks=model.masks(profiles))
    wanted = np.array([k for _, _, k, _ in chunk])
    rank = np.arange(1, top.partner.shape[1] + 1)
    keep = (top.partner >= 0) & (rank[None, :] <= wanted[:, None])
    which, _ = np.nonzero(keep)
    columns = {
        "profile": np.array([position for position, *_ in chunk])[which],
        "company": np.array([company for _, company, *_ in chunk], dtype=object)[which],
        "rank": np.broadcast_to(rank, keep.shape)[keep],
        "partner_id": model.ranker.partner_ids_[top.partner[keep]],
        "score": round4(top.score[keep]),
    }
    components = round4(top.components[keep])
    for g, group in enumerate(SCORE_GROUPS):
        columns[group] = components[:, g]
    return pd.DataFrame(columns, columns=OUTPUT_COLUMNS)


def rank_chunk_on_worker(model: Recommender, chunk: list[tuple[int, str, int, Profile]]) -> pd.DataFrame:
    """``rank_chunk`` on a Dask worker (the model shipped once per worker)."""
    # one BLAS thread per task: a worker process per core is the parallelism, not threads inside it
    with threadpool_limits(1):
        return rank_chunk(model, chunk)


def run_batch(
    model: Recommender,
    requests: list[tuple[int, MatchRequest]],
    *,
    top_k: int | None = None,
    scheduler: str | None = None,
    threads: int = THREADS,
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """Rank every (position, request) (``top_k`` overrides each request's); the output rows in input order.

    In this process, ``threads`` chunks run at once: scoring is numpy work that releases the GIL,
    so one thread per core overlaps one chunk's Python with another's arithmetic.
    """
    items = [(position, r.company.name, top_k or r.top_k, r.to_profile()) for position, r in requests]
    chunks = [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]
    results: list[pd.DataFrame] = []
    if scheduler is None:
        with threadpool_limits(1), ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
            for chunk, rows in zip(chunks, pool.map(lambda c: rank_chunk(model, c), chunks), strict=True):
                results.append(rows)
                if progress:
                    progress(len(chunk))
    else:
        from distributed import Client, as_completed

        with Client(scheduler, timeout=CONNECT_TIMEOUT) as client:
            shipped = client.scatter(model, broadcast=True)  # once per worker, not once per task
            futures = client.map(rank_chunk_on_worker, [shipped] * len(chunks), chunks, pure=False)
            order = {f.key: i for i, f in enumerate(futures)}
            done: dict[int, pd.DataFrame] = {}
            for future in as_completed(futures):
                done[order[future.key]] = future.result()
                if progress:
                    progress(len(chunks[order[future.key]]))
            results = [done[i] for i in range(len(chunks))]
    if not results:
        return pd.DataFrame(columns=OUTPUT_COLUMNS)
    return pd.concat(results, ignore_index=True)

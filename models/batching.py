"""How a query batch is cut for scoring: chunks of rows that never split a profile."""

from __future__ import annotations

import numpy as np
from kbio_match.features.pipeline import QueryBatch

__all__ = ["query_chunks", "chunk_profiles", "profile_rows", "rows_of"]


def query_chunks(batch: QueryBatch, chunk_rows: int):
    """Row ranges that never split a profile, of about ``chunk_rows`` rows."""
    if len(batch.row_profile) == 0:
        return
    starts = np.flatnonzero(np.r_[True, batch.row_profile[1:] != batch.row_profile[:-1]])
    bounds = [*starts, len(batch.row_profile)]
    begin = 0
    for i in range(1, len(bounds)):
        if bounds[i] - begin >= chunk_rows or i == len(bounds) - 1:
            yield slice(begin, bounds[i])
            begin = bounds[i]


def chunk_profiles(batch: QueryBatch, rows: slice) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The profiles of a chunk, each one's first row within the chunk and its number of rows."""
    profile_of_row = batch.row_profile[rows]
    starts = np.flatnonzero(np.r_[True, profile_of_row[1:] != profile_of_row[:-1]])
    counts = np.diff(np.r_[starts, len(profile_of_row)])
    return profile_of_row[starts], starts, counts


def profile_rows(batch: QueryBatch, rows: slice):
    """(profile index, row positions within the chunk) for each profile of a chunk."""
    for profile, begin, count in zip(*chunk_profiles(batch, rows), strict=True):
        yield int(profile), np.arange(begin, begin + count)


def rows_of(pairs, rows):
    """The pair-group rows of a chunk (None when no row has any)."""
    return None if pairs is None else pairs[rows]

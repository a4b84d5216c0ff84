"""Where each score group sits in a weight row, and how scoring is cut into products."""

from __future__ import annotations

from kbio_match.features.pipeline import GROUPS

__all__ = [
    "SCORE_GROUPS",
    "PAIR_GROUPS",
    "G",
    "LINEAR_KINDS",
    "CHUNK_ROWS",
    "CANDIDATE_MIN_PARTNERS",
    "CANDIDATE_POOL",
    "BOUND_SLACK",
]

# The feature groups, then the groups each pair gets from its own matcher: the partner's best
# pipeline asset (asset partnerships only) and the fit of the request's free text.
PAIR_GROUPS = ("partner_asset", "text")
SCORE_GROUPS = (*GROUPS, *PAIR_GROUPS)
G = {g: i for i, g in enumerate(SCORE_GROUPS)}  # column of each group in a weight row
LINEAR_KINDS = ("modality", "stage", "therapeutic", "therapeutic_gap", "cluster")  # GROUPS order, adjacent blocks
CHUNK_ROWS = 2048  # query rows scored per matrix product; bounds memory for big batches
# From this many partners on, `rank` scores exactly only the partners whose upper bound (one
# product over the matrix) can reach the top k; below it one full pass is as cheap.
CANDIDATE_MIN_PARTNERS = 20_000
CANDIDATE_POOL = 256
BOUND_SLACK = 1e-4  # float32 rounding between the bound's one product and the exact formula

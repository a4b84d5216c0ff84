"""The model card written beside every artifact (intended use, data, evaluation, limitations)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from kbio_match.models.evaluation import SUMMARY_GROUPS

__all__ = ["write_model_card", "render_model_card"]

INTENDED_USE = """\
Ranks South Korean organisations of the kbio-match catalog as likely partners for a foreign
biopharma company's profile (pipeline assets, partnerships sought, preferred clusters), with
per-group components and plain-language reasons. It is a shortlist for business-development
people to read and check, not a decision: it knows only the catalog's public facts and deals."""

LIMITATIONS = """\
- Partnership flags are dated through their evidence (`data/capabilities.csv`): every protocol
  but leave-one-out reads only the flags evidenced before the query's year, and the blind folds
  drop the evidence that restates a held-out deal. Modalities, areas and stages are not dated
  (curated in 2026), so content features stay somewhat optimistic for past queries. Track record,
  appetite and popularity are strictly as of each query.
- Deals come from news and company releases, which over-report out-licensing and large CDMO
  contracts and under-report CRO work, distribution and quiet investments; metrics for those
  types rest on few queries.
- One relevant partner per query: other reasonable partners ranked above the real one count as
  misses, so absolute hit rates understate usefulness.
- The hand-weighted model's group weights are set by judgement and checked on a validation window
  (see notebooks/02); the choice model on top learns from about 400 deals, so its coefficients
  carry real uncertainty and differences of a few points between settings are within noise.
- Deal rows carry no request text: the choice model's training queries carry the searcher's words
  of each deal's asset instead (disease and target terms), so the text group's weight rests on
  that stand-in, not on what companies actually type.
- A match's score is a calibrated quantile of the choice probability against the training deals'
  real partners (see "Calibration"), not the probability itself: ~600 partners share a
  probability of 1, so most pairs' probabilities are tiny.
- On the blind folds the choice model is over-confident at the top (see "Calibration"): a new
  foreign company's first picks read more likely than they are. A temperature fitted on nested
  blind folds is the next step; on a validation window where pairs may recur it is calibrated.
- Partners with no earlier deal are the model's weak side: among partners of the same category
  and areas it has little to go on, and it ranks them below partners with a record.
- Pipeline assets cover about 300 of the partners; a partner without curated assets scores 0 on
  the partner-asset group for asset partnerships, which favours well-documented companies.
- Therapeutic gaps come from national pipeline surveys (KDDF 2024 primarily); rare disease has no
  national share and carries a judgement weight."""


def _markdown(frame: pd.DataFrame) -> str:
    cols = list(frame.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, row in frame.iterrows():
        cells = [f"{v:.3f}" if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _with_intervals(intervals: pd.DataFrame, groups: list[str] | None, rankers: list[str]) -> pd.DataFrame:
    rows = intervals[intervals["ranker"].isin(rankers)]
    if groups is not None:
        rows = rows[rows["group"].isin(groups)]
    out = rows[["group", "ranker", "queries"]].copy()
    for m in ("hit@10", "mrr"):
        out[m] = [
            f"{v:.3f} [{lo:.3f}, {hi:.3f}]" for v, lo, hi in zip(rows[m], rows[f"{m} lo"], rows[f"{m} hi"], strict=True)
        ]
    return out.sort_values(["group", "ranker"], kind="stable")


def render_model_card(
    manifest: dict,
    time_split: pd.DataFrame,
    loo: pd.DataFrame,
    blind: pd.DataFrame,
    text: pd.DataFrame,
    learned: pd.DataFrame,
    calibration: pd.DataFrame,
    scores: pd.DataFrame | None = None,
) -> str:
    """Markdown model card from a manifest, the time-split and leave-one-out tables, the blind
    protocol's metrics with intervals, the blind protocol with the query's words (``text``), the
    served choice model's largest coefficients (``learned``) and the calibration of its first
    picks' probabilities on the blind folds (``calibration``)."""

    def overall(table):
        keep = table[table["group"].isin(SUMMARY_GROUPS)]
        return keep[["ranker", "group", "queries", "hit@1", "hit@5", "hit@10", "mrr", "ndcg@10"]]

    by_type = time_split[~time_split["group"].isin(SUMMARY_GROUPS)]
    pivot = by_type.pivot_table(index="group", columns="ranker", values="mrr").reset_index()
    counts = by_type[by_type["ranker"] == by_type["ranker"].iloc[0]].set_index("group")["queries"]
    pivot.insert(1, "queries", pivot["group"].map(counts).astype(int))
    params = "\n".join(f"- `{k}` = {v}" for k, v in sorted(manifest["params"].items()))
    cutoff = manifest["metrics"]["time_split"]["cutoff_year"]
    libraries = ", ".join(f"{k} {v}" for k, v in manifest["libraries"].items())
    return f"""# Model card: kbio-match partner ranker {manifest["version"]}

## Intended use
{INTENDED_USE}

## Model
Two layers. A **choice model** (`models/choice.py`) orders the partners: a conditional logit over
the whole catalog, fitted by maximum likelihood of the partners that real deals chose (each deal
as of its own year, L2 penalty, coefficients of scores, components and activity counts kept
non-negative). Its pair features are the hand-weighted score and its groups, the partner's
category crossed with the partnership sought, its foreign deals of that type and in all, its
evidence rows for the type sought, its pipeline size (all as of the query's year) and its
listing. With fewer than `choice__min_deals` deals it falls back to the hand-weighted model.

Under it, the **hand-weighted model** (`models/matcher.py`) gives the components a match shows:
a gated, weighted similarity over modality with its hierarchy, stage and
what the partnership needs at that stage, therapeutic overlap, therapeutic gap in Korea,
biocluster, partnership fit, recency-weighted track record of foreign deals, and the Korean
side's appetite (its evidence rows of the types sought, recency-weighted), plus, for
`license_in`, `platform_access` and `co_development`, the fit of the partner's best pipeline asset
(`data/pipeline.csv`: modality, area, stage, indication words, rights still open), and, when the
request has words (company description, asset indications), their TF-IDF fit to the partner's
description and dated pipeline indications and targets over English and Korean canonical terms
(off, with its weight dropped, when the request has no word the catalog uses). Partnership
fit counts a type only where evidence confirms it; an unconfirmed type gets a prior learned from
how often the partner's category signs such deals.

A match's `score` maps the choice probability to the share of the training deals' real partners
whose own probability (under refits without their pair) it reaches: 0.9 scores as high as the top
10% of real partner choices.
Reasons are ordered by what lifted the pair above the catalog's average partner in the choice
model, and a reason whose groups pulled the pair down is not given.

Parameters:
{params}

## Data
- Catalog: {manifest["n_partners"]} Korean organisations, {manifest["n_deals"]} historical deals with a
  foreign company; every row has a public source (see `data/README.md`).
- Training-data fingerprint (sha256 of the data files): `{manifest["data_fingerprint"]}`
- Built {manifest["created_at"]} with Python {manifest["python"]}, {libraries}.

## Evaluation
Each deal becomes an anonymous query (its asset and the partnership sought, no company name);
its Korean partner is the relevant item among all {manifest["n_partners"]} partners. Baselines run on the
same queries: random, popularity (deals before the cutoff) and naive overlap (exact modality,
area Jaccard, partnership share).

### Blind: grouped cross-validation by pair (the headline protocol)
Five folds by foreign-Korean pair: no deal of a query's pair feeds the ranker that ranks it; each
query sees only other folds' deals signed before its own year, and pipeline assets reported before
it. Every deal is a query once. Values with 95% bootstrap intervals (1,000 resamples of queries).

{_markdown(_with_intervals(blind, SUMMARY_GROUPS, RANKERS))}

By partnership type and period (served model, hand-weighted model and naive overlap):

{_markdown(_with_intervals(blind[~blind["group"].isin(SUMMARY_GROUPS)], None, BY_TYPE))}

### Time split (learn from deals up to {cutoff}, query with later deals)
{_markdown(overall(time_split))}

MRR by partnership type (time split):

{_markdown(pivot)}

### Leave-one-out (each deal's own agreement removed from its track record)
{_markdown(overall(loo))}

### Asset-level matching, before and after
`company-level` is the same model without the partner-asset group (leave-one-out runs no learned
ranker, so it has no row here). In the blind protocol and the
time split only pipeline assets whose stage was reported before the query's year (the cutoff)
count; leave-one-out uses today's pipeline, which is optimistic (an asset licensed in the query
deal can be in it).

{_markdown(_asset_table(time_split, loo, blind))}

### Free text, before and after
Deal rows carry no request text, so this run gives each blind query the words of its deal's
asset field that a searcher could type without knowing the asset: only terms that the pipeline
indications of at least two partners use (disease and target words; codes and brand names drop
out). Queries whose asset field has no such word carry none. `without words` is the same model on
the same folds with queries that carry no words (the headline run above). Optimistic side:
partner descriptions are written today and may mention the query's deal; only pipeline words are
dated.

{_markdown(_with_intervals(text, [*SUMMARY_GROUPS, *ASSET_TYPES], ["model", "without words"]))}

### What the choice model learned
Its largest coefficients, in log-odds per standard deviation of the feature over the catalog's
pairs. The features overlap (the hand-weighted score already contains the components), so a
coefficient says what the feature adds on top of the others, not the group's effect alone.

{_markdown(learned)}

### Calibration (blind folds)
For every blind query, the probability the fold's choice model gave its first pick, grouped;
`observed` is the share of those first picks that were the real partner (hit@1), with a 95%
Wilson interval. A calibrated model has `observed` close to `predicted` in every row. Notebook 02
draws it.

{_markdown(calibration)}

### Calibration of the served score (time split)
A match's `score` is a quantile among real partners' log-probabilities, so the real partner of a
deal the model never saw should score uniformly: mean 0.5, a tenth under 0.1, a tenth at 0.9 or
more. Below, the real partners of the deals after the time split's cutoff, under the model learned
before it, with the reference the service uses (`out_of_fold`: each training deal scored by a
refit without its pair) and the in-sample one it replaced.

{_markdown(scores) if scores is not None else "(not computed)"}

## Limitations
{LIMITATIONS}
"""


RANKERS = ["model", "company-level", "hand-weighted", "overlap", "popularity", "random"]
BY_TYPE = ["model", "hand-weighted", "overlap"]
ASSET_TYPES = ("license_in", "platform_access", "co_development")


def _asset_table(time_split: pd.DataFrame, loo: pd.DataFrame, blind: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for protocol, table in (("blind", blind), ("time split", time_split), ("leave-one-out", loo)):
        for group in ("overall", *ASSET_TYPES):
            part = table[(table["group"] == group) & table["ranker"].isin(["model", "company-level"])]
            if part.empty:
                continue
            by = part.set_index("ranker")
            rows.append(
                {
                    "protocol": protocol,
                    "group": group,
                    "queries": int(by["queries"].iloc[0]),
                    "hit@10 company-level": float(by.loc["company-level", "hit@10"]),
                    "hit@10 with assets": float(by.loc["model", "hit@10"]),
                    "mrr company-level": float(by.loc["company-level", "mrr"]),
                    "mrr with assets": float(by.loc["model", "mrr"]),
                }
            )
    return pd.DataFrame(rows)


def write_model_card(loaded, time_split, loo, blind, text, learned, calibration, path: Path, scores=None) -> Path:
    card = render_model_card(loaded.manifest, time_split, loo, blind, text, learned, calibration, scores)
    path.write_text(card, encoding="utf-8")
    return path

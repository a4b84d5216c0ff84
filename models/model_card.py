"""The model card written beside every artifact (intended use, data, evaluation, limitations)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

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
- Group weights are set by judgement and checked on the time split (see notebooks/02); with a
  few hundred deals, differences of a few points between settings are within noise. A learned
  re-ranker (logistic regression on pair features, `models/learned.py`) is evaluated beside them
  but not served: on the blind folds it trades MRR for hit@10 (0.237 / 0.439 against 0.276 /
  0.415) and does much better for partners with no earlier deal (hit@10 0.199 against 0.092) and
  co-development (0.400 against 0.067). The served scores are not calibrated probabilities: they
  order partners, and the components say why.
- Partners with no earlier deal are the model's weak side: among partners of the same category
  and areas it has little to go on, and it ranks them below partners with a record.
- Pipeline assets cover about 200 of the partners; a partner without curated assets scores 0 on
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
) -> str:
    """Markdown model card from a manifest, the time-split and leave-one-out tables, the blind
    protocol's metrics with intervals, the blind protocol with the query's words (``text``) and
    the learned re-ranker's largest coefficients (``learned``)."""

    def overall(table):
        keep = table[table["group"].isin(["overall", "no earlier deal"])]
        return keep[["ranker", "group", "queries", "hit@1", "hit@5", "hit@10", "mrr", "ndcg@10"]]

    by_type = time_split[~time_split["group"].isin(["overall", "no earlier deal"])]
    pivot = by_type.pivot_table(index="group", columns="ranker", values="mrr").reset_index()
    counts = by_type[by_type["ranker"] == by_type["ranker"].iloc[0]].set_index("group")["queries"]
    pivot.insert(1, "queries", pivot["group"].map(counts).astype(int))
    params = "\n".join(f"- `{k}` = {v}" for k, v in sorted(manifest["params"].items()))
    cutoff = manifest["metrics"]["time_split"]["cutoff_year"]
    libraries = ", ".join(f"{k} {v}" for k, v in manifest["libraries"].items())
    return f"""# Model card: kbio-match partner matcher {manifest["version"]}

## Intended use
{INTENDED_USE}

## Model
A gated, weighted similarity over nine groups: eight feature groups (modality with its hierarchy, stage and
what the partnership needs at that stage, therapeutic overlap, therapeutic gap in Korea,
biocluster, partnership fit, recency-weighted track record of foreign deals, and the Korean
side's appetite: its evidence rows of the types sought, recency-weighted), plus, for
`license_in`, `platform_access` and `co_development`, the fit of the partner's best pipeline asset
(`data/pipeline.csv`: modality, area, stage, indication words, rights still open), and, when the
request has words (company description, asset indications), their TF-IDF fit to the partner's
description and dated pipeline indications and targets over English and Korean canonical terms
(off, with its weight dropped, when the request has no word the catalog uses). Partnership
fit counts a type only where evidence confirms it; an unconfirmed type gets a prior learned from
how often the partner's category signs such deals. Scores are in [0, 1]; a partner with no fit
for the partnerships sought keeps only `gate_floor` of its score.

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

{_markdown(_with_intervals(blind, ["overall", "no earlier deal"], RANKERS))}

By partnership type and period (model and naive overlap):

{_markdown(_with_intervals(blind[~blind["group"].isin(["overall", "no earlier deal"])], None, ["model", "overlap"]))}

### Time split (learn from deals up to {cutoff}, query with later deals)
{_markdown(overall(time_split))}

MRR by partnership type (time split):

{_markdown(pivot)}

### Leave-one-out (each deal's own agreement removed from its track record)
{_markdown(overall(loo))}

### Asset-level matching, before and after
`company-level` is the same model without the partner-asset group. In the blind protocol and the
time split only pipeline assets whose stage was reported before the query's year (the cutoff)
count; leave-one-out uses today's pipeline, which is optimistic (an asset licensed in the query
deal can be in it).

{_markdown(_asset_table(time_split, loo, blind))}

### Free text, before and after
Deal rows carry no request text, so this run gives each blind query the words of its deal's
asset field that a searcher could type without knowing the asset: only terms that the pipeline
indications of at least two partners use (disease and target words; codes and brand names drop
out). Queries whose asset field has no such word carry none. `without text` is the same model
with `w_text` = 0. Optimistic side: partner descriptions are written today and may mention the
query's deal; only pipeline words are dated.

{_markdown(_with_intervals(text, ["overall", "no earlier deal", *ASSET_TYPES], ["model", "without text"]))}

### What the learned re-ranker learned (evaluated, not served)
`models/learned.py`: a logistic regression on pair features (the hand-weighted score, its
components, category x partnership sought, deals by type as of the query, listing), trained on
every deal against sampled and hard negatives. Its largest coefficients, in log-odds per standard
deviation of the feature. The features overlap (the hand-weighted score already contains the
components), so a single sign says what the re-ranker adds on top of the others, not the group's
effect alone.

{_markdown(learned)}

## Limitations
{LIMITATIONS}
"""


RANKERS = ["model", "company-level", "overlap", "popularity", "random"]
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


def write_model_card(loaded, time_split, loo, blind, text, learned, path: Path) -> Path:
    path.write_text(render_model_card(loaded.manifest, time_split, loo, blind, text, learned), encoding="utf-8")
    return path

"""Training entry point: fit on the whole catalog, evaluate, write the artifact and model card."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
from kbio_match.features.catalog import Catalog, data_fingerprint, load_catalog
from kbio_match.models.blind import bootstrap_intervals, evaluate_grouped_cv
from kbio_match.models.calibration import reliability, score_calibration
from kbio_match.models.evaluation import (
    DEFAULT_CUTOFF,
    SUMMARY_GROUPS,
    Evaluation,
    default_rankers,
    evaluate_leave_one_out,
    evaluate_time_split,
)
from kbio_match.models.model_card import write_model_card
from kbio_match.models.persistence import ArtifactError, LoadedModel, load_artifact, newest_manifest, save_artifact
from kbio_match.models.recommender import Recommender

__all__ = ["train", "train_and_evaluate", "build", "ensure_model", "evaluate_all"]

log = logging.getLogger(__name__)


def evaluate_all(catalog: Catalog, params: dict | None = None, *, cutoff_year: int = DEFAULT_CUTOFF):
    """Time split and leave-one-out evaluations of the model and the baselines (leave-one-out
    without the learned rankers: refitting them once per query is what the blind folds do)."""
    return (
        evaluate_time_split(catalog, cutoff_year=cutoff_year, rankers=default_rankers(params)),
        evaluate_leave_one_out(catalog, rankers=default_rankers(params, learned=False)),
    )


def train(
    *,
    data_dir: Path | None = None,
    out_dir: Path,
    params: dict | None = None,
    cutoff_year: int = DEFAULT_CUTOFF,
    notes: str = "",
) -> LoadedModel:
    """Fit the matcher on the whole catalog (all deals), evaluate it, and publish an artifact.

    The served model learns from every deal; the metrics in its manifest come from the
    protocols in ``models.evaluation``, which never let a query see its own deal.
    """
    loaded, _, _ = train_and_evaluate(
        data_dir=data_dir, out_dir=out_dir, params=params, cutoff_year=cutoff_year, notes=notes
    )
    return loaded


def blind_evaluation(catalog: Catalog, params: dict | None = None):
    """The headline protocol: grouped cross-validation by pair, every ranker on the same folds."""
    return evaluate_grouped_cv(catalog, rankers=default_rankers(params))


def blind_intervals(catalog: Catalog, params: dict | None = None):
    """The headline protocol's metrics with 95% intervals."""
    return bootstrap_intervals(blind_evaluation(catalog, params))


def text_intervals(catalog: Catalog, params: dict | None = None, blind: Evaluation | None = None):
    """The blind protocol with the searcher's words of each deal's asset in the query, beside the
    same model's queries without words (``blind``, the headline run, same folds): what typing
    words adds."""
    worded = evaluate_grouped_cv(catalog, rankers={"model": default_rankers(params)["model"]}, query_text=True)
    plain = blind if blind is not None else blind_evaluation(catalog, params)
    without = plain.ranks[plain.ranks["ranker"] == "model"].assign(ranker="without words")
    return bootstrap_intervals(Evaluation("grouped_cv", pd.concat([worded.ranks, without], ignore_index=True)))


def _interval_summary(intervals) -> dict:
    overall = intervals[intervals["group"] == "overall"].set_index("ranker")
    metrics = ["hit@1", "hit@5", "hit@10", "mrr", "ndcg@10"]
    return {
        r: {"queries": int(overall.loc[r, "queries"])}
        | {m: [round(float(overall.loc[r, k]), 4) for k in (m, f"{m} lo", f"{m} hi")] for m in metrics}
        for r in overall.index
    }


def train_and_evaluate(
    *,
    data_dir: Path | None = None,
    out_dir: Path,
    params: dict | None = None,
    cutoff_year: int = DEFAULT_CUTOFF,
    notes: str = "",
) -> tuple[LoadedModel, Evaluation, Evaluation]:
    """``train``, also returning the time-split and leave-one-out evaluations it computed."""
    catalog = load_catalog(data_dir)
    params = dict(params or {})
    model = Recommender.fit(catalog, params)
    time_split, loo = evaluate_all(catalog, params, cutoff_year=cutoff_year)
    blind_run = blind_evaluation(catalog, params)
    blind = bootstrap_intervals(blind_run)
    calibration = reliability(blind_run)
    text = text_intervals(catalog, params, blind_run)
    learned = model.ranker.coefficients()
    scores = score_calibration(catalog, params, cutoff_year=cutoff_year)
    metrics = {
        "grouped_cv": {"folds": 5, "note": "value, 95% bootstrap interval", **_interval_summary(blind)},
        "grouped_cv_calibration": calibration.to_dict(orient="records"),
        "time_split_score_calibration": scores.round(4).to_dict(orient="records"),
        "grouped_cv_with_query_words": _interval_summary(text),
        "time_split": {"cutoff_year": cutoff_year, **time_split.summary()},
        "leave_one_out": loo.summary(),
        "time_split_by_partnership": _by_partnership(time_split),
    }
    manifest_path = save_artifact(model, out_dir, metrics=metrics, notes=notes)
    loaded = load_artifact(manifest_path)
    write_model_card(
        loaded,
        time_split.table(),
        loo.table(),
        blind,
        text,
        learned,
        calibration,
        manifest_path.with_name(manifest_path.name.replace(".manifest.json", ".MODEL_CARD.md")),
        scores,
    )
    log.info("published model %s", loaded.version)
    return loaded, time_split, loo


def _by_partnership(evaluation) -> dict:
    table = evaluation.table()
    table = table[~table["group"].isin(SUMMARY_GROUPS)]
    return {
        group: {
            ranker: {
                "queries": int(r["queries"]),
                "hit@10": round(float(r["hit@10"]), 4),
                "mrr": round(float(r["mrr"]), 4),
            }
            for ranker, r in frame.set_index("ranker").iterrows()
        }
        for group, frame in table.groupby("group")
    }


def build(*, data_dir: Path | None = None, out_dir: Path, notes: str = "") -> LoadedModel:
    """Fit on the whole catalog and publish an artifact without evaluating it (a first start).

    Its manifest's metrics say it was not evaluated; ``kbio-match train`` publishes one that is.
    """
    model = Recommender.fit(load_catalog(data_dir))
    metrics = {"evaluated": False, "note": "built on start without evaluation; run `kbio-match train` for metrics"}
    return load_artifact(save_artifact(model, out_dir, metrics=metrics, notes=notes))


def ensure_model(model_dir: Path, *, data_dir: Path | None = None) -> LoadedModel:
    """The newest artifact in ``model_dir``, trained from ``data/`` first when needed.

    A model is built (without evaluation, to start fast) when there is none, when the newest
    was built from other data (the catalog changed) or with other library versions. An artifact
    that fails its integrity check is never replaced silently: the error propagates and the
    service does not start.
    """
    manifest = newest_manifest(model_dir)
    if manifest is None:
        log.info("no model in %s: training one from the catalog", model_dir)
        return build(data_dir=data_dir, out_dir=model_dir, notes="built on first start")
    try:
        loaded = load_artifact(manifest)
    except ArtifactError as exc:
        if exc.kind == "integrity":
            raise
        log.warning("%s; training a new model", exc)
        return build(data_dir=data_dir, out_dir=model_dir, notes=f"rebuilt: {exc}")
    current = data_fingerprint(data_dir)
    if loaded.manifest.get("data_fingerprint") != current:
        log.warning("model %s was built from other data; training a new one", loaded.version)
        return build(data_dir=data_dir, out_dir=model_dir, notes="rebuilt: catalog changed")
    return loaded

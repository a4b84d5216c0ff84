"""What every kbio-match command shares: the consoles, one-line failures, reading request files,
refusing bad catalogs, and the metric tables."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

out = Console()
err = Console(stderr=True)


def fail(message: str) -> None:
    """One line on stderr, exit status 1."""
    err.print(f"kbio-match: {message}", style="red", highlight=False, soft_wrap=True)
    raise typer.Exit(1)


def params_from(pairs: list[str] | None) -> dict:
    from kbio_match.models.matcher import PartnerMatcher
    from kbio_match.models.recommender import scalar_params

    known = scalar_params(PartnerMatcher())
    params = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or key not in known:
            fail(f"--param takes name=value with a matcher parameter; known: {', '.join(sorted(known))}")
        default = known[key]
        try:
            params[key] = type(default)(value) if not isinstance(default, str) else value
        except ValueError:
            fail(f"--param {key}: '{value}' is not a {type(default).__name__}")
    return params


def metrics_table(table, title: str) -> Table:
    view = Table(title=title, show_lines=False)
    for column in ["group", "ranker", "queries", "hit@1", "hit@5", "hit@10", "mrr", "ndcg@10"]:
        text = column in ("group", "ranker")
        view.add_column(column, justify="left" if text else "right", no_wrap=text)
    order = {"overall": 0, "no earlier deal": 2}
    table = table.assign(_o=table["group"].map(lambda g: order.get(g, 1))).sort_values(["_o", "group"], kind="stable")
    for _, row in table.iterrows():
        best = table[(table["group"] == row["group"])]["mrr"].max()
        style = "bold" if row["mrr"] == best else None
        view.add_row(
            row["group"],
            row["ranker"],
            str(row["queries"]),
            *[f"{row[m]:.3f}" for m in ["hit@1", "hit@5", "hit@10", "mrr", "ndcg@10"]],
            style=style,
        )
    return view


def interval_table(intervals, title: str) -> Table:
    view = Table(title=title)
    for column in ["group", "ranker", "queries", "hit@10 [95% CI]", "mrr [95% CI]"]:
        view.add_column(column, justify="left" if column in ("group", "ranker") else "right", no_wrap=True)
    order = {"overall": 0, "no earlier deal": 2}
    frame = intervals.assign(_o=intervals["group"].map(lambda g: order.get(g, 1))).sort_values(
        ["_o", "group"], kind="stable"
    )
    for _, r in frame.iterrows():
        view.add_row(
            r["group"], r["ranker"], str(r["queries"]),
            f"{r['hit@10']:.3f} [{r['hit@10 lo']:.3f}, {r['hit@10 hi']:.3f}]",
            f"{r['mrr']:.3f} [{r['mrr lo']:.3f}, {r['mrr hi']:.3f}]",
        )  # fmt: skip
    return view


def print_table(table: Table) -> None:
    # numbers must never be cut: a narrow terminal wraps the lines instead
    Console(width=max(out.width, 110)).print(table)


def read_request(path: Path, model, overrides: dict | None = None):
    """A request body read from a JSON file and validated as the API would (one-line failures)."""
    from pydantic import ValidationError

    from kbio_match.service.errors import validation_details

    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror}")
    except ValueError as exc:
        fail(f"{path} is not valid JSON: {exc}")
    if isinstance(body, dict):
        body.update(overrides or {})
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        first = validation_details(exc.errors())[0]
        hint = f" (closest: {first['closest']})" if first.get("closest") else ""
        fail(f"{first['field']}: {first['message']}{hint}")


def check_catalog(directory: Path | None) -> None:
    """Refuse bad data before anything starts: one line naming file, line and reason."""
    from kbio_match import paths
    from kbio_match.features.catalog import CatalogError
    from kbio_match.features.validation import validate_data_dir

    directory = Path(directory or paths.data_dir())
    if not directory.is_dir():
        fail(f"catalog folder {directory} does not exist")
    problems = validate_data_dir(directory)
    if problems:
        fail(str(CatalogError(directory, problems)))

"""The ``kbio-match`` command: serve, train, evaluate, match, validate-data."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from kbio_match import cli_jobs
from kbio_match.console import (
    check_catalog,
    fail,
    interval_table,
    metrics_table,
    out,
    params_from,
    print_table,
    read_request,
)

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Korean biopharma partner matching.",
)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(help="server processes")] = 1,
):
    """Start the service on the embedded defaults (shipped catalog, SQLite, current model)."""
    import uvicorn

    from kbio_match.service.settings import get_settings

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    check_catalog(None)  # KBIO_DATA_DIR or the shipped catalog, before any setting is read
    settings = get_settings()
    out.print(f"kbio-match: database {settings.database_url}; models in {settings.model_dir}", highlight=False)
    if workers > 1:  # build a missing model once here, not once per worker racing on one folder
        from kbio_match.models.training import ensure_model

        ensure_model(settings.model_dir, data_dir=settings.data_dir)
    uvicorn.run(
        "kbio_match.service.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=False,
    )


@app.command()
def train(
    data_dir: Annotated[Path | None, typer.Option(help="catalog folder (default: shipped data)")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="artifact folder (default: KBIO_MODEL_DIR)")] = None,
    cutoff: Annotated[int, typer.Option(help="time-split cutoff year")] = 2021,
    param: Annotated[list[str] | None, typer.Option(help="matcher parameter name=value (repeatable)")] = None,
):
    """Build a model artifact from data/ and print its evaluation."""
    from kbio_match import paths
    from kbio_match.models.training import train_and_evaluate

    params = params_from(param)
    check_catalog(data_dir)
    with out.status("training and evaluating..."):
        loaded, time_split, _ = train_and_evaluate(
            data_dir=data_dir, out_dir=out_dir or paths.model_dir(), params=params, cutoff_year=cutoff
        )
    print_table(metrics_table(time_split.table(), f"time split, cutoff {cutoff}"))
    out.print(f"model {loaded.version} written to {loaded.manifest_path.parent}", highlight=False)


@app.command()
def evaluate(
    data_dir: Annotated[Path | None, typer.Option(help="catalog folder")] = None,
    cutoff: Annotated[int, typer.Option(help="time-split cutoff year")] = 2021,
    protocol: Annotated[str, typer.Option(help="blind, time_split, leave_one_out, both (the last two) or all")] = "all",
    param: Annotated[list[str] | None, typer.Option(help="matcher parameter name=value")] = None,
):
    """Print ranking metrics of the model and the baselines, overall and per partnership type."""
    from kbio_match.features.catalog import load_catalog
    from kbio_match.models.evaluation import default_rankers, evaluate_leave_one_out, evaluate_time_split

    if protocol not in ("blind", "time_split", "leave_one_out", "both", "all"):
        fail("--protocol must be blind, time_split, leave_one_out, both or all")
    check_catalog(data_dir)
    catalog = load_catalog(data_dir)
    rankers = default_rankers(params_from(param))
    if protocol in ("blind", "all"):
        from kbio_match.models.training import blind_intervals

        with out.status("grouped cross-validation by pair..."):
            intervals = blind_intervals(catalog, params_from(param))
        print_table(interval_table(intervals, "blind: 5 folds by foreign-Korean pair, 95% bootstrap intervals"))
    if protocol in ("time_split", "both", "all"):
        print_table(
            metrics_table(
                evaluate_time_split(catalog, cutoff_year=cutoff, rankers=rankers).table(),
                f"time split: learn from deals up to {cutoff}, query with later deals",
            )
        )
    if protocol in ("leave_one_out", "both", "all"):
        with out.status("leave-one-out..."):
            table = evaluate_leave_one_out(catalog, rankers=rankers).table()
        print_table(metrics_table(table, "leave-one-out"))


@app.command()
def match(
    profile: Annotated[Path, typer.Argument(help="profile JSON file (the POST /v1/match body)")],
    top_k: Annotated[int | None, typer.Option("--top-k", help="matches to show (1-100)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the API's JSON answer")] = False,
):
    """Rank partners for one profile read from a file."""

    from kbio_match import paths
    from kbio_match.models.training import ensure_model
    from kbio_match.service.schemas import MatchRequest

    request = read_request(profile, MatchRequest, {"top_k": top_k} if top_k is not None else {})
    check_catalog(None)
    loaded = ensure_model(paths.model_dir())
    unknown = request.unknown_clusters(loaded.model.index.cluster_ids)
    if unknown:
        first = unknown[0]
        fail(f"{first['field']}: {first['message']}; allowed: {', '.join(first['allowed'])}")
    # the same ranking and response shape as POST /v1/match (no stored history, so no declines)
    answer = _answer(loaded, request)
    if as_json:
        sys.stdout.write(json.dumps(answer, ensure_ascii=False, indent=2) + "\n")
        return
    matches = answer["matches"]
    view = Table(
        title=f"{request.company.name}: top {len(matches)} Korean partners (model {loaded.version})", show_lines=True
    )
    for column in ("#", "partner", "score", "best asset", "why"):
        view.add_column(column)
    for m in matches:
        p = m["partner"]
        view.add_row(
            str(m["rank"]),
            f"{p['name']}\n[dim]{p['category']}, {p['city'] or '?'}[/dim]",
            f"{m['score']:.2f}",
            m["best_asset"] or "-",
            "\n".join(f"- {r}" for r in m["reasons"]),
        )
    out.print(view)


def _answer(loaded, request) -> dict:
    """The POST /v1/match answer body for ``request``, less the request id (nothing is stored)."""
    from kbio_match.service.routers.match import match_item
    from kbio_match.service.schemas import MatchResponse

    [matches] = loaded.model.rank([request.to_profile()], request.top_k)
    items = [match_item(loaded.model.index, i, m) for i, m in enumerate(matches, start=1)]
    body = {"request_id": "", "model_version": loaded.version, "declined_hidden": 0, "matches": items}
    answer = MatchResponse.model_validate(body).model_dump(mode="json")
    answer.pop("request_id")
    return answer


@app.command("validate-data")
def validate_data(directory: Annotated[Path | None, typer.Argument(help="data folder (default: shipped data)")] = None):
    """Check the data files against their schemas; report each bad row with file, line and reason."""
    from kbio_match import paths
    from kbio_match.features.validation import validate_data_dir

    directory = directory or paths.data_dir()
    if not directory.is_dir():
        fail(f"{directory} is not a folder")
    problems = validate_data_dir(directory)
    for problem in problems:
        out.print(str(problem), highlight=False, soft_wrap=True)
    if problems:
        fail(f"{len(problems)} problem(s) in {directory}")
    from kbio_match.features.catalog import load_catalog

    catalog = load_catalog(directory)
    out.print(
        f"ok: {len(catalog.partners)} partners, {len(catalog.clusters)} clusters, "
        f"{len(catalog.landscape)} landscape rows, {len(catalog.deals)} deals, "
        f"{len(catalog.pipeline)} pipeline assets, "
        f"{0 if catalog.capabilities is None else len(catalog.capabilities)} evidence rows",
        highlight=False,
    )


app.command()(cli_jobs.schedule)
app.command("match-batch")(cli_jobs.match_batch)
feedback_app = typer.Typer(no_args_is_help=True, help="Users' feedback on the rankings.")
feedback_app.command("export")(cli_jobs.feedback_export)
app.add_typer(feedback_app, name="feedback")


def main() -> None:
    app()

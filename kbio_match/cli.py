"""The ``kbio-match`` command: serve, train, evaluate, match, validate-data."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Korean biopharma partner matching.",
)
out = Console()
err = Console(stderr=True)


def fail(message: str) -> None:
    """One line on stderr, exit status 1."""
    err.print(f"kbio-match: {message}", style="red", highlight=False, soft_wrap=True)
    raise typer.Exit(1)


def _params(pairs: list[str] | None) -> dict:
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


def _metrics_table(table, title: str) -> Table:
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


def _print_table(table: Table) -> None:
    # numbers must never be cut: a narrow terminal wraps the lines instead
    Console(width=max(out.width, 110)).print(table)


def _read_request(path: Path, model, overrides: dict | None = None):
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


def _check_catalog(directory: Path | None) -> None:
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
    _check_catalog(None)  # KBIO_DATA_DIR or the shipped catalog, before any setting is read
    settings = get_settings()
    out.print(f"kbio-match: database {settings.database_url}; models in {settings.model_dir}", highlight=False)
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

    params = _params(param)
    _check_catalog(data_dir)
    with out.status("training and evaluating..."):
        loaded, time_split, _ = train_and_evaluate(
            data_dir=data_dir, out_dir=out_dir or paths.model_dir(), params=params, cutoff_year=cutoff
        )
    _print_table(_metrics_table(time_split.table(), f"time split, cutoff {cutoff}"))
    out.print(f"model {loaded.version} written to {loaded.manifest_path.parent}", highlight=False)


@app.command()
def evaluate(
    data_dir: Annotated[Path | None, typer.Option(help="catalog folder")] = None,
    cutoff: Annotated[int, typer.Option(help="time-split cutoff year")] = 2021,
    protocol: Annotated[str, typer.Option(help="time_split, leave_one_out or both")] = "both",
    param: Annotated[list[str] | None, typer.Option(help="matcher parameter name=value")] = None,
):
    """Print ranking metrics of the model and the baselines, overall and per partnership type."""
    from kbio_match.features.catalog import load_catalog
    from kbio_match.models.evaluation import default_rankers, evaluate_leave_one_out, evaluate_time_split

    if protocol not in ("time_split", "leave_one_out", "both"):
        fail("--protocol must be time_split, leave_one_out or both")
    _check_catalog(data_dir)
    catalog = load_catalog(data_dir)
    rankers = default_rankers(_params(param))
    if protocol in ("time_split", "both"):
        _print_table(
            _metrics_table(
                evaluate_time_split(catalog, cutoff_year=cutoff, rankers=rankers).table(),
                f"time split: learn from deals up to {cutoff}, query with later deals",
            )
        )
    if protocol in ("leave_one_out", "both"):
        with out.status("leave-one-out..."):
            table = evaluate_leave_one_out(catalog, rankers=rankers).table()
        _print_table(_metrics_table(table, "leave-one-out"))


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

    request = _read_request(profile, MatchRequest, {"top_k": top_k} if top_k is not None else {})
    _check_catalog(None)
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
        f"{len(catalog.landscape)} landscape rows, {len(catalog.deals)} deals, {len(catalog.pipeline)} pipeline assets",
        highlight=False,
    )


@app.command()
def schedule(
    event: Annotated[Path, typer.Argument(help="event JSON file (the POST /v1/events/schedule body)")],
    out_file: Annotated[Path | None, typer.Option("--out", help="write the meetings as CSV (and calendars)")] = None,
):
    """Plan an event's meetings; print them per slot and per participant, or write CSV and calendars."""

    from kbio_match import paths
    from kbio_match.models.training import ensure_model
    from kbio_match.service.event_exports import write_calendars, write_csv
    from kbio_match.service.event_schemas import EventRequest
    from kbio_match.service.routers.events import event_problems, plan, schedule_body
    from kbio_match.service.state import Served

    request = _read_request(event, EventRequest)
    if out_file is not None and out_file.suffix.lower() != ".csv":
        fail(f"--out: '{out_file.name}' must end in .csv")
    _check_catalog(None)
    served = Served(ensure_model(paths.model_dir()))
    problems = event_problems(request, served)
    if problems:
        fail(f"{problems[0]['field']}: {problems[0]['message']}")
    answer = schedule_body(request, plan(request, served, None, "local"), "cli", served.loaded.version)
    names = {pid: served.index.by_id[pid]["name"] for pid in served.index.by_id}
    summary = answer["summary"]
    status = "optimal" if summary["optimal"] else f"upper bound {summary['upper_bound']:.2f}"
    headline = (
        f"{summary['meetings']} meetings, total fit {summary['total_score']:.2f} ({status}), "
        f"{summary['solve_ms']:.0f} ms"
    )
    if out_file is not None:
        write_csv(answer, names, out_file)
        written = f"{out_file}"
        if request.slot_starts is not None:
            calendars = write_calendars(answer, names, out_file.with_name(out_file.stem + "-calendars"))
            written += f" and {len(calendars)} calendar files in {calendars[0].parent}" if calendars else ""
        out.print(f"kbio-match: {headline}; written to {written}", highlight=False)
        return
    view = Table(title=f"{request.name or 'Event'}: {headline}")
    for column in ("slot", "company", "partner", "fit", "why"):
        view.add_column(column)
    for m in answer["meetings"]:
        view.add_row(m["slot"], m["company_id"], names[m["partner_id"]], f"{m['score']:.2f}", m["reasons"][0])
    out.print(view)
    agendas = Table(title="per participant")
    agendas.add_column("participant")
    agendas.add_column("meetings (slot: with)")
    for c in answer["companies"]:
        mine = [f"{m['slot']}: {names[m['partner_id']]}" for m in answer["meetings"] if m["company_id"] == c["id"]]
        agendas.add_row(c["id"], "; ".join(mine) or "-")
    for p in answer["partners"]:
        mine = [f"{m['slot']}: {m['company_id']}" for m in answer["meetings"] if m["partner_id"] == p["partner_id"]]
        agendas.add_row(names[p["partner_id"]], "; ".join(mine) or "-")
    out.print(agendas)


@app.command("match-batch")
def match_batch(
    input_file: Annotated[Path, typer.Argument(help="JSON Lines of match bodies, or CSV/Parquet, one profile a row")],
    out_file: Annotated[Path, typer.Option("--out", help="OUTPUT.csv or OUTPUT.parquet")],
    top_k: Annotated[int | None, typer.Option("--top-k", help="partners per profile (1-100)")] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address (tcp://host:8786); default: this process")
    ] = None,
    on_error: Annotated[str, typer.Option("--on-error", help="skip or fail on a bad input row")] = "fail",
):
    """Rank partners for every profile of a file; one row per (profile, rank).

    Without --scheduler the job runs here. To run it on a Dask cluster, start one
    (`dask scheduler` on one machine, `dask worker tcp://HOST:8786` on each, every one with
    kbio-match installed) and pass --scheduler tcp://HOST:8786: the rows are the same.
    """
    from rich.progress import Progress

    from kbio_match import paths
    from kbio_match.models.training import ensure_model
    from kbio_match.service.batch import read_requests, run_batch
    from kbio_match.service.exports import write_table

    if on_error not in ("skip", "fail"):
        fail("--on-error must be skip or fail")
    if top_k is not None and not 1 <= top_k <= 100:
        fail("--top-k must be between 1 and 100")
    if out_file.suffix.lower() not in (".csv", ".parquet"):
        fail(f"--out: '{out_file.name}' must end in .csv or .parquet")
    if not input_file.is_file():
        fail(f"cannot read {input_file}: no such file")
    try:
        requests, bad = read_requests(input_file)
    except ValueError as exc:
        fail(str(exc))
    for row in bad:
        err.print(f"kbio-match: {input_file.name} {row}", highlight=False, soft_wrap=True)
    if bad and on_error == "fail":
        fail(f"{len(bad)} bad row(s) in {input_file.name} (first: {bad[0]}); --on-error skip ranks the others")
    _check_catalog(None)
    model = ensure_model(paths.model_dir()).model
    with Progress(console=err, transient=True) as bar:
        task = bar.add_task(f"ranking {len(requests)} profiles", total=len(requests))
        try:
            frame = run_batch(
                model, requests, top_k=top_k, scheduler=scheduler,
                progress=lambda n: bar.advance(task, n),
            )  # fmt: skip
        except OSError as exc:
            fail(f"cannot reach the Dask scheduler {scheduler}: {exc}")
    write_table(frame, out_file)
    skipped = f", {len(bad)} bad row(s) skipped" if bad else ""
    out.print(
        f"kbio-match: {len(requests)} profiles, {len(frame)} rows written to {out_file}{skipped}",
        highlight=False,
        soft_wrap=True,
    )


feedback_app = typer.Typer(no_args_is_help=True, help="Users' feedback on the rankings.")
app.add_typer(feedback_app, name="feedback")


@feedback_app.command("export")
def feedback_export(
    out_file: Annotated[
        Path | None, typer.Option("--out", help="FILE.csv or FILE.parquet (default: CSV to stdout)")
    ] = None,
    since: Annotated[str | None, typer.Option(help="only requests from this date on (YYYY-MM-DD)")] = None,
):
    """One row per (request, shown partner): position, score, components, outcome and reason."""
    import datetime as dt

    from kbio_match.service.exports import exposure_frame, write_table
    from kbio_match.service.settings import Settings
    from kbio_match.service.storage import Store

    start = None
    if since:
        try:
            start = dt.datetime.fromisoformat(since).replace(tzinfo=dt.UTC)
        except ValueError:
            fail(f"--since: '{since}' is not a date (YYYY-MM-DD)")
    if out_file is not None and out_file.suffix.lower() not in (".csv", ".parquet"):
        fail(f"--out: '{out_file.name}' must end in .csv or .parquet")
    store = Store(Settings().database_url)  # read now: the environment may have changed in-process
    try:
        frame = exposure_frame(store, since=start)
    finally:
        store.close()
    if out_file is None:
        sys.stdout.write(frame.to_csv(index=False))
        return
    write_table(frame, out_file)
    err.print(f"kbio-match: {len(frame)} rows written to {out_file}", highlight=False, soft_wrap=True)


def main() -> None:
    app()

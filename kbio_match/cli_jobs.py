"""The batch commands: plan an event, rank a file of profiles, export the feedback log."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from kbio_match.console import check_catalog, err, fail, out, read_request


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

    request = read_request(event, EventRequest)
    if out_file is not None and out_file.suffix.lower() != ".csv":
        fail(f"--out: '{out_file.name}' must end in .csv")
    check_catalog(None)
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
    if scheduler is not None:
        try:
            import distributed  # noqa: F401
        except ImportError:
            fail("--scheduler needs Dask on this machine: pip install 'kbio-match[dask]'")
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
    check_catalog(None)
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

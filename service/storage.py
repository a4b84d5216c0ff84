"""Durable storage of match requests, what they showed, and feedback (SQLAlchemy 2 Core).

SQLite by default, in WAL mode with ``synchronous=FULL`` so a committed row survives a crash or
power loss; any SQLAlchemy URL (PostgreSQL) through ``KBIO_DATABASE_URL``. A write returns only
after its transaction committed, so a 201 is never given for data that could be lost. The store
takes and returns domain rows (``RequestRow``, ``FeedbackRow``); the API shapes them.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from kbio_match.service.group_commit import GroupCommitter, StorageBusy
from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.engine import Engine, make_url

__all__ = ["Store", "SCHEMA_VERSION", "RequestRow", "FeedbackRow", "ShownMatch", "StorageBusy", "company_key"]

log = logging.getLogger(__name__)

SCHEMA_VERSION = 4
metadata = MetaData()

schema_version = Table("schema_version", metadata, Column("version", Integer, primary_key=True))
match_requests = Table(
    "match_requests",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("model_version", String(100), nullable=False),
    Column("company", String(200), nullable=False),
    Column("company_key", String(200)),
    Column("profile", Text, nullable=False),
    Column("results", Text, nullable=False),
    Index("ix_requests_tenant_created", "tenant", "created_at"),
    Index("ix_requests_tenant_company", "tenant", "company_key"),
)
feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("request_id", String(36), ForeignKey("match_requests.id"), nullable=False, index=True),
    Column("tenant", String(100), nullable=False),
    Column("partner_id", String(200), nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("reason", String(40)),
    Column("note", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # the request's company, so that a company's declined partners are one indexed read, not a
    # join over every request the company ever made
    Column("company_key", String(200)),
    Index("ix_feedback_tenant_company", "tenant", "company_key", "id"),
)

events = Table(
    "events",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("model_version", String(100), nullable=False),
    Column("request", Text, nullable=False),
    Column("schedule", Text, nullable=False),
    Index("ix_events_tenant_created", "tenant", "created_at"),
)

# Each migration takes the schema from version N-1 to N; create_all covers the newest version.
MIGRATIONS: dict[int, list[str]] = {
    2: [
        "ALTER TABLE feedback ADD COLUMN reason VARCHAR(40)",
        "ALTER TABLE match_requests ADD COLUMN company_key VARCHAR(200)",
        "UPDATE match_requests SET company_key = LOWER(company)",
        "CREATE INDEX IF NOT EXISTS ix_requests_tenant_company ON match_requests (tenant, company_key)",
    ],
    3: [],  # the events table is new: create_all adds it
    4: [
        "ALTER TABLE feedback ADD COLUMN company_key VARCHAR(200)",
        "UPDATE feedback SET company_key = "
        "(SELECT match_requests.company_key FROM match_requests WHERE match_requests.id = feedback.request_id)",
        "CREATE INDEX IF NOT EXISTS ix_feedback_tenant_company ON feedback (tenant, company_key, id)",
    ],
}


def company_key(name: str) -> str:
    """The form under which a tenant's requests for one company are grouped (case-insensitive)."""
    return " ".join(name.casefold().split())[:200]


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=True, separators=(",", ":"))


@dataclass(frozen=True)
class ShownMatch:
    """One partner a request showed: the exposure log offline evaluation needs."""

    rank: int
    partner_id: str
    score: float
    components: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class FeedbackRow:
    id: int | None
    request_id: str
    tenant: str
    partner_id: str
    outcome: str
    reason: str | None
    note: str | None
    created_at: dt.datetime


@dataclass(frozen=True)
class RequestRow:
    id: str
    tenant: str
    model_version: str
    company: str
    profile: dict
    shown: tuple[ShownMatch, ...]
    created_at: dt.datetime
    feedback: tuple[FeedbackRow, ...] = ()


def _shown(text: str) -> tuple[ShownMatch, ...]:
    return tuple(
        ShownMatch(r["rank"], r["partner_id"], r["score"], r.get("components") or {}) for r in json.loads(text)
    )


def _feedback_row(row) -> FeedbackRow:
    return FeedbackRow(
        id=int(row["id"]),
        request_id=row["request_id"],
        tenant=row["tenant"],
        partner_id=row["partner_id"],
        outcome=row["outcome"],
        reason=row["reason"],
        note=row["note"],
        created_at=_utc(row["created_at"]),
    )


MIGRATION_LOCK_KEY = 0x6B62696F  # "kbio": the advisory lock all workers take to migrate


class Store:
    """Match requests and feedback, scoped by tenant."""

    def __init__(self, url: str, *, write_timeout: float = 30.0):
        self.url = url
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        kwargs: dict = {"future": True}
        if self.is_sqlite:
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = create_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine, "connect", self._sqlite_pragmas)
        self.migrate()
        # SQLite has one writer at a time: one committer thread both avoids busy errors and lets
        # concurrent requests share a commit
        self._committer = GroupCommitter(self.engine, timeout=write_timeout)

    @staticmethod
    def _sqlite_pragmas(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @contextmanager
    def _migration_lock(self):
        """Several worker processes start at once: one creates or migrates the schema, the others
        wait and find it done (SQLite: a lock file beside the database; PostgreSQL: an advisory
        lock taken inside the migration's transaction)."""
        database = make_url(self.url).database
        if not self.is_sqlite or not database or database == ":memory:":
            yield
            return
        with open(Path(database).expanduser().with_suffix(".migrate-lock"), "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def migrate(self) -> None:
        """Create the schema, or bring an older one up to ``SCHEMA_VERSION`` (safe to run from
        several processes at once)."""
        with self._migration_lock(), self.engine.begin() as conn:
            if self.engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            fresh = not self.engine.dialect.has_table(conn, "match_requests")
            metadata.create_all(conn)
            current = conn.execute(select(func.max(schema_version.c.version))).scalar()
            if current is None or fresh:
                if current is None:
                    conn.execute(insert(schema_version).values(version=SCHEMA_VERSION))
                return
            for version in range(current + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS.get(version, []):
                    conn.exec_driver_sql(statement)
                conn.execute(insert(schema_version).values(version=version))

    def _write(self, fn):
        """Run ``fn(conn)`` inside a committed transaction; returns once it is durable."""
        return self._committer.submit(fn)

    # ----------------------------------------------------------- requests
    def save_requests(self, rows: list[RequestRow]) -> None:
        """Store match requests with what they showed, in one transaction."""
        values = [
            {
                "id": r.id,
                "tenant": r.tenant,
                "created_at": r.created_at,
                "model_version": r.model_version,
                "company": r.company[:200],
                "company_key": company_key(r.company),
                "profile": _dumps(r.profile),
                "results": _dumps(
                    [
                        {"rank": m.rank, "partner_id": m.partner_id, "score": m.score, "components": m.components}
                        for m in r.shown
                    ]
                ),
            }
            for r in rows
        ]
        self._write(lambda conn: conn.execute(insert(match_requests), values))

    def get_request(self, request_id: str, tenant: str) -> RequestRow | None:
        with self.engine.connect() as conn:
            row = (
                conn.execute(
                    select(match_requests).where(match_requests.c.id == request_id, match_requests.c.tenant == tenant)
                )
                .mappings()
                .first()
            )
            if row is None:
                return None
            fb = conn.execute(select(feedback).where(feedback.c.request_id == request_id).order_by(feedback.c.id))
            feedback_rows = tuple(_feedback_row(f) for f in fb.mappings().all())
        return RequestRow(
            id=row["id"],
            tenant=row["tenant"],
            model_version=row["model_version"],
            company=row["company"],
            profile=json.loads(row["profile"]),
            shown=_shown(row["results"]),
            created_at=_utc(row["created_at"]),
            feedback=feedback_rows,
        )

    def list_requests(self, tenant: str, *, limit: int, offset: int) -> tuple[list[RequestRow], int]:
        """A page of the tenant's requests, newest first, without profiles or feedback."""
        with self.engine.connect() as conn:
            total = conn.execute(
                select(func.count()).select_from(match_requests).where(match_requests.c.tenant == tenant)
            ).scalar_one()
            rows = conn.execute(
                select(
                    match_requests.c.id,
                    match_requests.c.created_at,
                    match_requests.c.model_version,
                    match_requests.c.company,
                    match_requests.c.results,
                )
                .where(match_requests.c.tenant == tenant)
                .order_by(match_requests.c.created_at.desc(), match_requests.c.id.desc())
                .limit(limit)
                .offset(offset)
            ).all()
        items = [
            RequestRow(r.id, tenant, r.model_version, r.company, {}, _shown(r.results), _utc(r.created_at))
            for r in rows
        ]
        return items, int(total)

    # ----------------------------------------------------------- feedback
    def add_feedback(self, row: FeedbackRow) -> FeedbackRow | None:
        """Store one feedback row; None when the request is unknown to its tenant."""
        with self.engine.connect() as conn:
            owner = conn.execute(
                select(match_requests.c.tenant, match_requests.c.company_key).where(
                    match_requests.c.id == row.request_id
                )
            ).first()
        if owner is None or owner.tenant != row.tenant:
            return None

        def write(conn):
            values = {k: getattr(row, k) for k in ("request_id", "tenant", "partner_id", "outcome", "reason", "note")}
            values |= {"created_at": row.created_at, "company_key": owner.company_key}
            return conn.execute(insert(feedback).values(**values)).inserted_primary_key[0]

        return FeedbackRow(**{**row.__dict__, "id": int(self._write(write))})

    def declined(self, tenant: str, company: str) -> set[str]:
        """Partners whose latest mark by ``tenant`` for ``company`` (any of its requests) is not_relevant."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(feedback.c.partner_id, feedback.c.outcome)
                .where(feedback.c.tenant == tenant, feedback.c.company_key == company_key(company))
                .order_by(feedback.c.id)
            ).all()
        latest: dict[str, str] = {}
        for partner_id, outcome in rows:
            latest[partner_id] = outcome
        return {p for p, outcome in latest.items() if outcome == "not_relevant"}

    def exposures(self, *, since: dt.datetime | None = None) -> Iterator[tuple[RequestRow, dict]]:
        """Every stored request with its feedback by partner (latest mark wins), oldest first."""
        query = select(match_requests).order_by(match_requests.c.created_at, match_requests.c.id)
        if since is not None:
            query = query.where(match_requests.c.created_at >= since)
        with self.engine.connect() as conn:
            requests = conn.execute(query).mappings().all()
            marks: dict[str, dict[str, FeedbackRow]] = {}
            for f in conn.execute(select(feedback).order_by(feedback.c.id)).mappings():
                marks.setdefault(f["request_id"], {})[f["partner_id"]] = _feedback_row(f)
        for r in requests:
            row = RequestRow(
                r["id"],
                r["tenant"],
                r["model_version"],
                r["company"],
                json.loads(r["profile"]),
                _shown(r["results"]),
                _utc(r["created_at"]),
            )
            yield row, marks.get(r["id"], {})

    # ------------------------------------------------------------- events
    def save_event(
        self, schedule_id: str, tenant: str, model_version: str, request: dict, schedule: dict
    ) -> dt.datetime:
        """Store a planned event (request and schedule); returns its creation time once durable."""
        now = dt.datetime.now(dt.UTC)
        values = {
            "id": schedule_id,
            "tenant": tenant,
            "created_at": now,
            "model_version": model_version,
            "request": _dumps(request),
            "schedule": _dumps(schedule),
        }
        self._write(lambda conn: conn.execute(insert(events).values(**values)))
        return now

    def get_event(self, schedule_id: str, tenant: str) -> tuple[dt.datetime, dict, dict] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(events).where(events.c.id == schedule_id, events.c.tenant == tenant)).first()
        if row is None:
            return None
        return _utc(row.created_at), json.loads(row.request), json.loads(row.schedule)

    def close(self) -> None:
        self._committer.close()
        self.engine.dispose()

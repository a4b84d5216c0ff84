"""Durable storage of match requests and feedback (SQLAlchemy 2 Core).

SQLite by default, in WAL mode with ``synchronous=FULL`` so a committed row survives a crash or
power loss; any SQLAlchemy URL (PostgreSQL) through ``KBIO_DATABASE_URL``. A write returns only
after its transaction committed, so a 201 is never given for data that could be lost.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import queue
import threading
from concurrent.futures import Future
from pathlib import Path

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
)
from sqlalchemy.engine import Engine, make_url

__all__ = ["Store", "SCHEMA_VERSION", "GroupCommitter"]

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
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
    Column("profile", Text, nullable=False),
    Column("results", Text, nullable=False),
    Index("ix_requests_tenant_created", "tenant", "created_at"),
)
feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("request_id", String(36), ForeignKey("match_requests.id"), nullable=False, index=True),
    Column("tenant", String(100), nullable=False),
    Column("partner_id", String(200), nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("note", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Each migration takes the schema from version N-1 to N; create_all covers version 1.
MIGRATIONS: dict[int, list[str]] = {}


def _iso(value: dt.datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.isoformat(timespec="milliseconds")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=True, separators=(",", ":"))


class GroupCommitter:
    """One writer thread that commits every queued write in a single transaction.

    A caller's ``submit`` returns only after the transaction holding its write committed, so
    durability is per request, while concurrent requests share one fsync. If a batch fails,
    its writes are retried one transaction each, so one bad write fails alone.
    """

    MAX_BATCH = 256

    def __init__(self, engine: Engine):
        self.engine = engine
        self._queue: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="kbio-group-commit", daemon=True)
        self._thread.start()

    def submit(self, write):
        future: Future = Future()
        self._queue.put((write, future))
        return future.result()

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            batch = [item]
            while len(batch) < self.MAX_BATCH:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    self._queue.put(None)
                    break
                batch.append(nxt)
            self._commit(batch)

    def _commit(self, batch) -> None:
        try:
            with self.engine.begin() as conn:
                results = [write(conn) for write, _ in batch]
        except Exception as exc:
            if len(batch) == 1:
                batch[0][1].set_exception(exc)
                return
            for single in batch:  # isolate the failing write
                self._commit([single])
            return
        for (_, future), result in zip(batch, results, strict=True):
            future.set_result(result)


class Store:
    """Match requests and feedback, scoped by tenant."""

    def __init__(self, url: str):
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
        self._committer = GroupCommitter(self.engine)

    @staticmethod
    def _sqlite_pragmas(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    def migrate(self) -> None:
        """Create the schema, or bring an older one up to ``SCHEMA_VERSION``."""
        with self.engine.begin() as conn:
            metadata.create_all(conn)
            current = conn.execute(select(func.max(schema_version.c.version))).scalar()
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
    def save_requests(self, rows: list[dict]) -> None:
        """Store match requests (id, tenant, model_version, company, profile, results) in one transaction."""
        now = dt.datetime.now(dt.UTC)
        values = [
            {
                "id": r["id"],
                "tenant": r["tenant"],
                "created_at": now,
                "model_version": r["model_version"],
                "company": r["company"][:200],
                "profile": _dumps(r["profile"]),
                "results": _dumps(r["results"]),
            }
            for r in rows
        ]
        self._write(lambda conn: conn.execute(insert(match_requests), values))

    def get_request(self, request_id: str, tenant: str) -> dict | None:
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
            fb = (
                conn.execute(select(feedback).where(feedback.c.request_id == request_id).order_by(feedback.c.id))
                .mappings()
                .all()
            )
        return {
            "request_id": row["id"],
            "created_at": _iso(row["created_at"]),
            "model_version": row["model_version"],
            "profile": json.loads(row["profile"]),
            "matches": json.loads(row["results"]),
            "feedback": [self._feedback_record(f) for f in fb],
        }

    def list_requests(self, tenant: str, *, limit: int, offset: int) -> tuple[list[dict], int]:
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
            {
                "request_id": r.id,
                "created_at": _iso(r.created_at),
                "model_version": r.model_version,
                "company": r.company,
                "n_matches": len(json.loads(r.results)),
            }
            for r in rows
        ]
        return items, int(total)

    # ----------------------------------------------------------- feedback
    def add_feedback(
        self, *, request_id: str, tenant: str, partner_id: str, outcome: str, note: str | None
    ) -> dict | None:
        """Store one feedback record; None when the request is unknown to this tenant."""
        with self.engine.connect() as conn:
            owner = conn.execute(select(match_requests.c.tenant).where(match_requests.c.id == request_id)).scalar()
        if owner != tenant:
            return None
        now = dt.datetime.now(dt.UTC)

        def write(conn):
            result = conn.execute(
                insert(feedback).values(
                    request_id=request_id,
                    tenant=tenant,
                    partner_id=partner_id,
                    outcome=outcome,
                    note=note,
                    created_at=now,
                )
            )
            return result.inserted_primary_key[0]

        new_id = self._write(write)
        return {
            "id": int(new_id),
            "request_id": request_id,
            "partner_id": partner_id,
            "outcome": outcome,
            "note": note,
            "created_at": _iso(now),
        }

    @staticmethod
    def _feedback_record(row) -> dict:
        return {
            "id": int(row["id"]),
            "request_id": row["request_id"],
            "partner_id": row["partner_id"],
            "outcome": row["outcome"],
            "note": row["note"],
            "created_at": _iso(row["created_at"]),
        }

    def close(self) -> None:
        self._committer.close()
        self.engine.dispose()

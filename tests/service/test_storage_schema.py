"""Schema migrations keep what older databases stored."""

from __future__ import annotations


def test_a_version_3_database_is_migrated_and_keeps_declined_partners(tmp_path):
    """Schema 4 copies each feedback row's company onto it; an older database is backfilled."""
    import datetime as dt

    import sqlalchemy as sa
    from kbio_match.service.storage import SCHEMA_VERSION, FeedbackRow, RequestRow, Store

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    store = Store(url)
    now = dt.datetime.now(dt.UTC)
    store.save_requests([RequestRow("r1", "t", "v1", "Acme Bio", {}, (), now)])
    store.add_feedback(FeedbackRow(None, "r1", "t", "p-declined", "not_relevant", "too_early", None, now))
    store.close()
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # back to the version 3 layout
        conn.exec_driver_sql("DROP INDEX ix_feedback_tenant_company")
        conn.exec_driver_sql("ALTER TABLE feedback DROP COLUMN company_key")
        conn.exec_driver_sql("DELETE FROM schema_version")
        conn.exec_driver_sql("INSERT INTO schema_version (version) VALUES (3)")
    engine.dispose()
    again = Store(url)
    try:
        assert again.declined("t", "  acme BIO ") == {"p-declined"}
        with again.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT MAX(version) FROM schema_version").scalar() == SCHEMA_VERSION
    finally:
        again.close()

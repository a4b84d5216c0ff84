"""A throw-away PostgreSQL server from Debian's binaries (tests and benches; never the service)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def throwaway_postgres():
    """Start a server in a temporary folder; yield its SQLAlchemy URL; stop and delete it."""
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    assert binaries, "PostgreSQL tests and benches need Debian's server binaries: apt-get install postgresql"
    bindir = Path(binaries[-1]).parent
    base = Path(tempfile.mkdtemp(prefix="kbio-pg-"))
    as_owner: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        shutil.chown(base, "postgres")
        runuser = shutil.which("runuser") or next(
            (p for p in ("/usr/sbin/runuser", "/sbin/runuser") if Path(p).exists()), None
        )
        assert runuser, "running PostgreSQL as root needs runuser (util-linux)"
        as_owner = [runuser, "-u", "postgres", "--"]
    port = free_port()
    data, log = base / "data", base / "server.log"
    subprocess.run(
        [*as_owner, str(bindir / "initdb"), "-D", str(data), "-U", "kbio", "--auth=trust", "-E", "UTF8"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *as_owner,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(log),
            "-w",
            "start",
            "-o",
            f"-p {port} -k {base} -c listen_addresses=127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://kbio@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_owner, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)

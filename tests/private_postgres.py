"""A private PostgreSQL cluster on a free loopback port, for tests that restart or restore it.

The shared server at 127.0.0.1:5432 serves tests running beside these ones, so it is never
restarted. initdb and the server refuse to run as root: they run as the ``postgres`` user.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

BIN = Path(os.environ.get("CASETRACKER_TEST_POSTGRES_BIN", "/usr/lib/postgresql/15/bin"))
OS_USER = "postgres"
RUNUSER = shutil.which("runuser") or "/usr/sbin/runuser"
START_TIMEOUT = 30


class PrivatePostgres:
    """A running private cluster: its URLs, and restart, dump and restore."""

    def __init__(self, directory: Path, port: int):
        self.directory = directory
        self.port = port

    def url(self, database: str = "postgres", *, driver: str = "postgresql+psycopg") -> str:
        """Return the URL of DATABASE on this cluster (trust authentication, user postgres)."""
        return f"{driver}://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create an empty database; return its SQLAlchemy URL."""
        self.run_client("createdb", name)
        return self.url(name)

    def restart(self) -> None:
        """Stop the server (fast: sessions are ended) and start it; return once it accepts."""
        self._pg_ctl("restart", "-m", "fast")

    def stop(self) -> None:
        """Stop the server."""
        self._pg_ctl("stop", "-m", "fast")

    def run_client(self, program: str, *args: str) -> subprocess.CompletedProcess:
        """Run a client program (pg_dump, pg_restore, createdb…) against this cluster."""
        return subprocess.run(  # noqa: S603 - our own binaries and arguments
            [str(BIN / program), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", *args],
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def _pg_ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        _as_postgres(
            str(BIN / "pg_ctl"),
            "-D",
            str(self.directory / "data"),
            "-l",
            str(self.directory / "server.log"),
            "-o",
            options,
            "-t",
            str(START_TIMEOUT),
            "-w",
            *args,
        )

    def log(self) -> str:
        """Return the end of the server's log, for failure messages."""
        with contextlib.suppress(OSError):
            return (self.directory / "server.log").read_text(errors="replace")[-3000:]
        return ""


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """Run a fresh cluster in a temporary directory; stop it and remove it at the end."""
    directory = Path(tempfile.mkdtemp(prefix="casetracker-pg-"))
    shutil.chown(directory, OS_USER, OS_USER)
    try:
        _as_postgres(
            str(BIN / "initdb"),
            "-D",
            str(directory / "data"),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        )
        server = _started(directory)
        try:
            yield server
        finally:
            with contextlib.suppress(subprocess.CalledProcessError):
                server.stop()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _started(directory: Path) -> PrivatePostgres:
    # Another process may take the free port before the server binds it: try another one.
    for _attempt in range(3):
        server = PrivatePostgres(directory, _free_port())
        try:
            server._pg_ctl("start")
            return server
        except subprocess.CalledProcessError as exc:
            if "already in use" not in server.log():
                raise RuntimeError(f"PostgreSQL did not start:\n{server.log()}") from exc
    raise RuntimeError(f"PostgreSQL did not start:\n{server.log()}")


def _as_postgres(*command: str) -> None:
    subprocess.run(  # noqa: S603 - our own binaries and arguments
        [RUNUSER, "-u", OS_USER, "--", *command],
        check=True,
        capture_output=True,
        timeout=120,
        cwd="/",
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]

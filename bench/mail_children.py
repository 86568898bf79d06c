"""What runs in a measured child process of bench/mail.py: the product run, or the floor."""

from __future__ import annotations

import resource
import secrets
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg

SLICE = 1024 * 1024  # as casetracker.mail.fetch.SLICE
FLOOR_INSERT = "INSERT INTO bench_raw_messages (uid, received_at, data) VALUES (%s, %s, %b)"


def child(spec: dict) -> dict:
    """One measured run, in a process of its own: 'product' or 'floor'."""
    run = _product if spec["role"] == "product" else _floor
    return run(spec)


def _product(spec: dict) -> dict:
    from casetracker import config, create_app
    from casetracker.extensions import db
    from casetracker.mail import fetch

    env = {"DATABASE_URL": spec["url"], "SECRET_KEY": secrets.token_urlsafe(48)}
    app = create_app(
        {
            **config.from_environment(env),
            **spec["imap"],
            "ATTACHMENTS_DIR": spec["attachments"],
            "CASETRACKER_SCHEDULER": "off",
            "OUTBOX_AFTER_COMMIT": "off",
        }
    )
    with app.app_context():
        timers = _time_phases(db.engine) if spec.get("phases") else None
        setup_kb = _memory("VmHWM")
        profiler = None
        if spec.get("profile"):
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        cpu, started = _cpu(), time.perf_counter()
        report = fetch.fetch_mail(db.session, now=datetime.now(UTC))
        seconds, cpu = time.perf_counter() - started, _cpu() - cpu
        if profiler:
            profiler.disable()
            profiler.dump_stats(spec["profile"])
        db.session.remove()
        db.engine.dispose()
    return {
        "messages": report.imported,
        "errors": report.errors,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "setup_kb": setup_kb,
        "peak_kb": _memory("VmHWM"),
        "phases": timers and timers.split(seconds),
    }


class _Timers:
    """Wall-clock totals of wrapped functions, and the SQL statements sent."""

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self.sql: dict[str, int] = {}

    def wrap(self, owner, name: str, label: str) -> None:
        real = getattr(owner, name)
        self.seconds[label] = 0.0

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - started

        setattr(owner, name, timed)

    def count(self, what: str) -> None:
        self.sql[what] = self.sql.get(what, 0) + 1

    def split(self, total: float) -> dict:
        s = self.seconds
        inner = s["parse"] + s["stored"] + s["files"] + s["thread"]
        return {
            "IMAP: size and date, then the 1 MiB slices (as the floor)": s["download"],
            "parse: stdlib email, body, nh3, mail-parser-reply, parts": s["parse"],
            "SELECT identity, INSERT message (flush)": s["stored"],
            "attachments: SHA-256, file written, rows added": s["files"],
            "import's COMMIT, threading": s["import"] - inner,
            "cursor: UPDATE mail_cursors, second COMMIT": s["advance"],
            "the rest (temp file, loop, login, SEARCH, notice)": total
            - s["download"]
            - s["import"]
            - s["advance"],
            "sql": self.sql,
        }


def _time_phases(engine) -> _Timers:
    """Wrap the importer's phases with timers (in this child only; the code is unchanged)."""
    from sqlalchemy import event

    from casetracker.mail import fetch, parsing, service

    timers = _Timers()
    timers.wrap(fetch, "_download", "download")
    timers.wrap(fetch, "_advance", "advance")
    timers.wrap(service, "import_message", "import")
    timers.wrap(parsing, "parse", "parse")
    timers.wrap(service, "_stored", "stored")
    timers.wrap(service, "_keep_attachments", "files")
    timers.wrap(service, "_thread_case", "thread")
    event.listen(engine, "begin", lambda conn: timers.count("BEGIN"))
    event.listen(engine, "commit", lambda conn: timers.count("COMMIT"))
    event.listen(
        engine,
        "before_cursor_execute",
        lambda conn, cursor, statement, *rest: timers.count(statement.split()[0].upper()),
    )
    return timers


def _floor(spec: dict) -> dict:
    from imapclient import IMAPClient

    imap_settings = spec["imap"]
    setup_kb = _memory("VmHWM")
    cpu, started = _cpu(), time.perf_counter()
    imap = IMAPClient(
        imap_settings["IMAP_HOST"], port=imap_settings["IMAP_PORT"], ssl=False, timeout=30
    )
    imap.normalise_times = False
    imap.login(imap_settings["IMAP_USERNAME"], imap_settings["IMAP_PASSWORD"])
    stored = 0
    with psycopg.connect(spec["url"], autocommit=True) as conn:
        imap.select_folder(imap_settings["IMAP_FOLDER"], readonly=True)
        for uid in sorted(imap.search(["ALL"])):
            facts = imap.fetch([uid], ["RFC822.SIZE", "INTERNALDATE"])[uid]
            raw = bytearray()
            for offset in range(0, max(int(facts[b"RFC822.SIZE"]), 1), SLICE):
                data = imap.fetch([uid], [f"BODY.PEEK[]<{offset}.{SLICE}>"])[uid]
                raw += next((v for k, v in data.items() if k.startswith(b"BODY[]")), b"") or b""
            conn.execute(FLOOR_INSERT, (uid, facts[b"INTERNALDATE"], bytes(raw)))
            stored += 1
    imap.logout()
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu
    return {
        "messages": stored,
        "errors": [],
        "seconds": seconds,
        "cpu_seconds": cpu,
        "setup_kb": setup_kb,
        "peak_kb": _memory("VmHWM"),
    }


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _memory(field: str) -> int:
    """Return a /proc/self/status memory field in kB (VmHWM: the peak resident set)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")

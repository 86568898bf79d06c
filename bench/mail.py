"""Import 1,000 messages from Dovecot into PostgreSQL: the mail importer against a raw floor.

A private Dovecot (tests/imap.py) gets the messages of tests/mail_samples.bulk (every tenth
with a 1 MiB attachment) in its INBOX, first the smaller size (250), then up to the larger
(1,000). A fresh PostgreSQL database (casetracker_bench_mail) is migrated once. At each size,
each run is a fresh child process, so that its peak RSS (VmHWM) is its own:

  product  one fetch_mail run (the fetch-mail job, in-process in the child) importing all of
           INBOX: download in 1 MiB slices, parse, attachments to ATTACHMENTS_DIR, rows.
  floor    the least any importer does with the same library: imapclient fetches each
           message in the same 1 MiB slices, psycopg inserts the raw bytes (bytea) into
           bench_raw_messages, one transaction per message. Nothing else.

Between runs the tables the import writes are truncated (and a CHECKPOINT taken), and the
attachments directory is deleted; the mailbox is never changed. Each size runs --runs times,
product and floor alternating which goes first; the table shows the median messages/s, the
median CPU time per message of the child itself (user + system; the waits for Dovecot and
PostgreSQL are not in it) and the largest peak RSS. Targets: product >= 0.3 x floor, peak RSS
< 200 MB (10^6 bytes), and peak RSS at the larger size within 10 % of the smaller one.

About 5 minutes with the defaults (the mailbox is about 144 MB at 1,000 messages); --phases
adds one more product run timed phase by phase, --profile one more under cProfile.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

import database
import psycopg

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "casetracker_bench_mail"
MESSAGES = 1000
SMALL = 250
RUNS = 3
SLICE = 1024 * 1024  # as casetracker.mail.fetch.SLICE
TARGET_RATIO = 0.3
TARGET_RSS_MB = 200.0
TARGET_FLAT = 0.10
CHILD_TIMEOUT = 3600

FLOOR_TABLE = """
CREATE TABLE bench_raw_messages (
    uid bigint PRIMARY KEY,
    received_at timestamptz NOT NULL,
    data bytea NOT NULL
)
"""
FLOOR_INSERT = "INSERT INTO bench_raw_messages (uid, received_at, data) VALUES (%s, %s, %b)"
RESET = "TRUNCATE mail_messages, attachments, mail_cursors, outbox_messages, bench_raw_messages"


@dataclass(frozen=True)
class Run:
    role: str
    messages: int
    seconds: float
    cpu_seconds: float
    setup_rss_mb: float
    peak_rss_mb: float
    phases: dict | None = None

    @property
    def rate(self) -> float:
        return self.messages / self.seconds

    @property
    def cpu_ms(self) -> float:
        """The child's own CPU time (user + system) per message, in milliseconds."""
        return self.cpu_seconds / self.messages * 1000


@dataclass(frozen=True)
class Size:
    messages: int
    mailbox_mb: float
    product: list[Run]
    floor: list[Run]

    def rate(self, role: str) -> float:
        return statistics.median(run.rate for run in getattr(self, role))

    def cpu_ms(self, role: str) -> float:
        return statistics.median(run.cpu_ms for run in getattr(self, role))

    def peak(self, role: str) -> float:
        return max(run.peak_rss_mb for run in getattr(self, role))

    def setup(self, role: str) -> float:
        return max(run.setup_rss_mb for run in getattr(self, role))

    @property
    def ratio(self) -> float:
        return self.rate("product") / self.rate("floor")

    @property
    def paired(self) -> list[float]:
        """Each run's product/floor ratio (the two ran one after the other)."""
        return [p.rate / f.rate for p, f in zip(self.product, self.floor, strict=True)]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or, with --child, one measured run) and print the table."""
    args = parse_args(argv)
    if args.child:
        print(json.dumps(_child(json.loads(args.child))))
        return 0
    sys.path.insert(0, str(ROOT))  # tests.imap and tests.mail_samples
    from tests import imap as test_imap

    if not Path(test_imap.DOVECOT).exists():
        sys.exit(f"bench: Dovecot not found at {test_imap.DOVECOT} (apt-get install dovecot-imapd)")
    sizes = sorted({size for size in (args.small, args.messages) if size > 0})
    url = f"{args.postgres}/{DATABASE}"
    attachments = Path(tempfile.mkdtemp(prefix="casetracker-bench-mail-"))
    started = _machine()
    _say(f"creating {DATABASE}")
    database.recreate(args.postgres, DATABASE)
    try:
        _migrate(url)
        with psycopg.connect(url) as conn:
            conn.execute(FLOOR_TABLE)
        with test_imap.private_dovecot() as server:
            results = _measure(args, sizes, server, url, attachments / "files")
            print(table(results, args, started))
            if args.phases:
                _phases(server, url, attachments / "files", sizes[-1])
            if args.profile:
                _profile(args, server, url, attachments / "files", sizes[-1])
    finally:
        shutil.rmtree(attachments, ignore_errors=True)
        if not args.keep:
            database.drop(args.postgres, DATABASE)
    return 0


def _measure(args, sizes: list[int], server, url: str, attachments: Path) -> list[Size]:
    from tests import mail_samples

    results, in_mailbox, mailbox_bytes = [], 0, 0
    for size in sizes:
        _say(f"{size:,} messages: appending {size - in_mailbox:,} to Dovecot's INBOX")
        more = islice(
            mail_samples.bulk(
                size,
                attachment_every=args.attachment_every,
                attachment_size=args.attachment_size,
            ),
            in_mailbox,
            None,
        )
        mailbox_bytes += _append(server, more)
        in_mailbox = size
        runs: dict[str, list[Run]] = {"product": [], "floor": []}
        for number in range(args.runs):
            order = ("product", "floor") if number % 2 == 0 else ("floor", "product")
            for role in order:
                _reset(url, attachments)
                run = _spawn(role, server, url, attachments)
                _check(role, run, url, attachments, size, args)
                runs[role].append(run)
                _say(
                    f"{size:,} messages, run {number + 1}/{args.runs}, {role}: {run.rate:,.1f}"
                    f" messages/s, peak RSS {run.peak_rss_mb:.1f} MB"
                )
        results.append(Size(size, mailbox_bytes / 1e6, runs["product"], runs["floor"]))
    _reset(url, attachments)
    return results


def _append(server, raws) -> int:
    total = 0

    def counted():
        nonlocal total
        for raw in raws:
            total += len(raw)
            yield raw

    server.append_many(counted())
    return total


def _reset(url: str, attachments: Path) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(RESET)
        conn.execute("CHECKPOINT")  # the previous run's WAL is not written during the next
    shutil.rmtree(attachments, ignore_errors=True)


def _spawn(role: str, server, url: str, attachments: Path, **extra) -> Run:
    spec = {"role": role, "imap": server.settings(), "url": url, "attachments": str(attachments)}
    spec.update(extra)
    done = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(spec)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the {role} run failed:\n{done.stderr[-4000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result.get("errors"):
        raise RuntimeError(f"the {role} run reported errors: {result['errors'][:10]}")
    return Run(
        role=role,
        messages=result["messages"],
        seconds=result["seconds"],
        cpu_seconds=result["cpu_seconds"],
        setup_rss_mb=result["setup_kb"] * 1024 / 1e6,
        peak_rss_mb=result["peak_kb"] * 1024 / 1e6,
        phases=result.get("phases"),
    )


def _check(role: str, run: Run, url: str, attachments: Path, size: int, args) -> None:
    """Make sure the run did all the work: every message stored, every attachment kept."""
    with psycopg.connect(url) as conn:
        if role == "floor":
            (stored,) = conn.execute("SELECT count(*) FROM bench_raw_messages").fetchone()
            files = None
        else:
            (stored,) = conn.execute(
                "SELECT count(*) FROM mail_messages WHERE direction = 'in'"
            ).fetchone()
            files = sum(1 for path in attachments.rglob("*") if path.is_file())
    expected_files = -(-size // args.attachment_every) if args.attachment_every else 0
    if run.messages != size or stored != size or files not in (None, expected_files):
        raise RuntimeError(
            f"{role} at {size:,}: {run.messages:,} reported, {stored:,} rows, {files} files"
            f" (expected {size:,} and {expected_files:,} files)"
        )


def _profile(args, server, url: str, attachments: Path, size: int) -> None:
    import pstats

    _say(f"{size:,} messages: one more product run under cProfile, to {args.profile}")
    _reset(url, attachments)
    run = _spawn("product", server, url, attachments, profile=str(Path(args.profile).resolve()))
    _reset(url, attachments)
    print(
        f"\nProfiled product run ({size:,} messages, {run.rate:,.1f} messages/s under cProfile),"
        f" top {args.profile_top} functions by own time:"
    )
    stats = pstats.Stats(args.profile, stream=sys.stdout)
    stats.sort_stats("tottime").print_stats(args.profile_top)
    print("... and by cumulative time:")
    stats.sort_stats("cumulative").print_stats(args.profile_top)


def _phases(server, url: str, attachments: Path, size: int) -> None:
    _say(f"{size:,} messages: one more product run with a timer around each phase")
    _reset(url, attachments)
    run = _spawn("product", server, url, attachments, phases=True)
    _reset(url, attachments)
    print(phase_table(run))


def phase_table(run: Run) -> str:
    """Where one product run's wall-clock time went, by phase, with its SQL round trips."""
    phases = dict(run.phases)
    sql = phases.pop("sql")
    lines = [
        f"\nWhere the product's time goes ({run.messages:,} messages, {run.seconds:.1f} s,"
        f" {run.rate:.1f} messages/s; wall-clock timers around each phase):",
        "",
        f"{'phase':<58} {'s':>6} {'share':>6} {'ms/msg':>7}",
    ]
    for name, seconds in phases.items():
        lines.append(
            f"{name:<58} {seconds:>6.2f} {seconds / run.seconds:>6.0%}"
            f" {seconds / run.messages * 1000:>7.2f}"
        )
    per = ", ".join(f"{count / run.messages:.2f} {name}" for name, count in sql.items())
    lines.append(f"\nSQL per message: {per} (the floor: 1 INSERT, autocommitted)")
    return "\n".join(lines)


def table(results: list[Size], args, started: str) -> str:
    """Format each size's figures side by side, and say which targets are met."""
    every = (
        f"every {_ordinal(args.attachment_every)}message with a"
        f" {args.attachment_size / 1024 / 1024:g} MiB attachment"
        if args.attachment_every
        else "no attachments"
    )
    lines = [
        f"Mail import benchmark, {started}; {every}; median messages/s and CPU ms/msg,"
        f" largest peak RSS (VmHWM, MB = 10^6 bytes) of {args.runs} runs",
        "",
        f"{'messages':>8} {'mailbox MB':>10} {'product msg/s':>13} {'floor msg/s':>11}"
        f" {'ratio':>6} {'CPU ms/msg: product':>19} {'floor':>5}"
        f" {'product RSS MB':>14} {'(setup)':>8} {'floor RSS MB':>12}",
    ]
    for size in results:
        lines.append(
            f"{size.messages:>8,} {size.mailbox_mb:>10.1f} {size.rate('product'):>13.1f}"
            f" {size.rate('floor'):>11.1f} {size.ratio:>6.2f} {size.cpu_ms('product'):>19.1f}"
            f" {size.cpu_ms('floor'):>5.1f} {size.peak('product'):>14.1f}"
            f" {size.setup('product'):>8.1f} {size.peak('floor'):>12.1f}"
        )
    lines.append("")
    worst = min(size.ratio for size in results)
    lines.append(
        f"ratio >= {TARGET_RATIO:g} x floor: lowest {worst:.2f} ({_met(worst >= TARGET_RATIO)})"
    )
    peak = max(size.peak("product") for size in results)
    lines.append(
        f"product peak RSS < {TARGET_RSS_MB:.0f} MB: {peak:.1f} MB ({_met(peak < TARGET_RSS_MB)})"
    )
    if len(results) > 1:
        small, large = results[0], results[-1]
        growth = large.peak("product") / small.peak("product") - 1
        lines.append(
            f"flat in messages: {large.messages:,} vs {small.messages:,} messages"
            f" {growth:+.1%} (within {TARGET_FLAT:.0%}: {_met(abs(growth) <= TARGET_FLAT)})"
        )
    for size in results:
        lines.append(
            f"{size.messages:,} messages, each run (msg/s): product"
            f" {', '.join(f'{r.rate:.1f}' for r in size.product)}; floor"
            f" {', '.join(f'{r.rate:.1f}' for r in size.floor)}; run by run ratios"
            f" {', '.join(f'{ratio:.2f}' for ratio in size.paired)}"
        )
    return "\n".join(lines)


def _child(spec: dict) -> dict:
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


def _migrate(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(48)}
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"]
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"flask db upgrade failed:\n{done.stderr}")


def _machine() -> str:
    load = os.getloadavg()[0]
    return f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, load average {load:.1f}"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--messages", type=int, default=MESSAGES, help="messages at the larger size (%(default)s)"
    )
    parser.add_argument(
        "--small",
        type=int,
        default=SMALL,
        help="messages at the smaller size, to see RSS flat in N; 0 to skip (%(default)s)",
    )
    parser.add_argument(
        "--runs", type=int, default=RUNS, help="runs of each side at each size (%(default)s)"
    )
    parser.add_argument(
        "--attachment-every",
        type=int,
        default=10,
        help="every Nth message has an attachment; 0 for none (%(default)s)",
    )
    parser.add_argument(
        "--attachment-size",
        type=int,
        default=1024 * 1024,
        help="attachment size in bytes (%(default)s)",
    )
    parser.add_argument(
        "--phases",
        action="store_true",
        help="after measuring, time one more product run at the larger size phase by phase"
        " (IMAP, parsing, SQL, commits) and print where its time goes",
    )
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="after measuring, profile one more product run at the larger size with cProfile,"
        " write the stats to FILE and print the costliest functions",
    )
    parser.add_argument(
        "--profile-top",
        type=int,
        default=25,
        help="functions to print with --profile (%(default)s)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)  # one measured run, internal
    database.add_arguments(parser, keep=f"the database {DATABASE}")
    args = parser.parse_args(argv)
    if args.messages < 1 or args.runs < 1 or args.small < 0 or args.attachment_every < 0:
        parser.error("--messages and --runs must be positive, --small and --attachment-every >= 0")
    return args


def _ordinal(n: int) -> str:
    return {1: "", 2: "second ", 3: "third "}.get(n, f"{n}th ")


def _met(met: bool) -> str:
    return "met" if met else "MISSED"


def _say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())

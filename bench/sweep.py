"""Time one SLA sweep over 10,000, 100,000 and 1,000,000 cases with 1,000 clocks due.

For each size: a fresh PostgreSQL database (casetracker_bench_sweep), migrated, filled with
bulk cases in SQL (bench/database.py); every running clock is then given a wake-up time in
the future, as a previous sweep would leave it, and 1,000 clocks spread over the table are
made due two days from now with their wake-up time passed. One sweep (in-process, the same
function the scheduler runs) must enqueue their 1,000 "2d" reminders; it is timed three
times, resetting those clocks in between, and once more with nothing due.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import database
import psycopg

from casetracker import config, create_app
from casetracker.extensions import db
from casetracker.reminders import service

DATABASE = "casetracker_bench_sweep"
SIZES = (10_000, 100_000, 1_000_000)
TARGET_MS = 500.0
TARGET_RATIO = 2.0
RUNS = 3

# As a sweep leaves them: each running clock wakes at its next threshold, spread over a day.
SETTLE = """
UPDATE clocks SET next_reminder_at = now() + interval '1 hour' + mod(id, 86400) * interval '1 s'
WHERE met_at IS NULL
"""
# 1,000 respond clocks spread over the table, running, due in two days (the "2d" threshold).
MAKE_DUE = """
WITH chosen AS (
    SELECT id, case_id FROM clocks
    WHERE name = 'respond' AND mod(case_id, %(stride)s) = 0
    ORDER BY id LIMIT %(due)s
), clocks_due AS (
    UPDATE clocks SET met_at = NULL, breached_at = NULL, started_at = now() - interval '20 days',
        due_at = now() + interval '1 day' + mod(clocks.id, 3600) * interval '1 s'
    FROM chosen WHERE clocks.id = chosen.id
    RETURNING clocks.id
)
UPDATE cases SET status = 'open', closed_at = NULL FROM chosen WHERE cases.id = chosen.case_id
"""
WAKE = """
UPDATE clocks SET next_reminder_at = now() - interval '1 minute'
WHERE name = 'respond' AND mod(case_id, %(stride)s) = 0 AND met_at IS NULL
    AND due_at < now() + interval '2 days'
"""
RESET = """
DELETE FROM outbox_messages WHERE topic = 'reminder';
DELETE FROM reminders_sent;
"""
PLAN = """
EXPLAIN SELECT id FROM clocks WHERE next_reminder_at <= now() AND met_at IS NULL
ORDER BY next_reminder_at, id LIMIT 500
"""


@dataclass(frozen=True)
class Timing:
    cases: int
    running_clocks: int
    reminders: int
    median_ms: float
    best_ms: float
    idle_ms: float
    index_used: bool


def main(argv: list[str] | None = None) -> int:
    """Run the sweep benchmark at each size and print the table."""
    args = parse_args(argv)
    timings = []
    for size in args.sizes:
        timings.append(measure_size(args, size))
        print(table(timings, args.due), file=sys.stderr, flush=True)
    print(table(timings, args.due))
    return 0


def measure_size(args: argparse.Namespace, size: int) -> Timing:
    """Build the database for ``size`` cases and time the sweep on it."""
    url = f"{args.postgres}/{DATABASE}"
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(48)}
    _say(f"{size:,} cases: creating {DATABASE}")
    database.recreate(args.postgres, DATABASE)
    try:
        database.prepare(env)
        _say(f"{size:,} cases: inserting in SQL")
        filled = database.fill(url, cases=size)
        stride = max(1, size // args.due)
        with psycopg.connect(url) as conn:
            conn.execute(SETTLE)
            conn.execute(MAKE_DUE, {"stride": stride, "due": args.due})
            conn.commit()
            conn.execute("ANALYZE clocks")
            running = conn.execute("SELECT count(*) FROM clocks WHERE met_at IS NULL").fetchone()
            plan = "\n".join(row[0] for row in conn.execute(PLAN))
        _say(f"{size:,} cases: sweeping")
        return _time_sweeps(env, url, stride, filled.cases, running[0], plan)
    finally:
        if not args.keep:
            database.drop(args.postgres, DATABASE)


def _time_sweeps(env, url, stride, cases, running, plan) -> Timing:
    app = create_app({**config.from_environment(env), "OUTBOX_AFTER_COMMIT": "off"})
    samples, sent = [], []
    with app.app_context():
        for _ in range(RUNS):
            with psycopg.connect(url) as conn:
                conn.execute(RESET)
                conn.execute(WAKE, {"stride": stride})
            started = time.perf_counter()
            report = service.sweep(db.session, now=datetime.now(UTC))
            samples.append((time.perf_counter() - started) * 1000)
            sent.append(report.reminders)
        started = time.perf_counter()
        service.sweep(db.session, now=datetime.now(UTC))
        idle = (time.perf_counter() - started) * 1000
        db.session.remove()
        db.engine.dispose()
    return Timing(
        cases=cases,
        running_clocks=running,
        reminders=min(sent),
        median_ms=statistics.median(samples),
        best_ms=min(samples),
        idle_ms=idle,
        index_used="ix_clocks_next_reminder" in plan,
    )


def table(timings: list[Timing], due: int) -> str:
    """Format the timings side by side, each as a ratio to the smallest size."""
    base = timings[0].median_ms
    lines = [
        f"SLA sweep benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs;"
        f" {due:,} clocks due; median of {RUNS} sweeps; target < {TARGET_MS:.0f} ms at the"
        f" largest size and a ratio <= {TARGET_RATIO:g}",
        "",
        f"{'cases':>10} {'running clocks':>15} {'reminders':>9} {'median ms':>10}"
        f" {'best ms':>8} {'idle ms':>8} {'ratio':>6}  index",
    ]
    for t in timings:
        lines.append(
            f"{t.cases:>10,} {t.running_clocks:>15,} {t.reminders:>9,} {t.median_ms:>10.1f}"
            f" {t.best_ms:>8.1f} {t.idle_ms:>8.1f} {t.median_ms / base:>6.2f}"
            f"  {'ix_clocks_next_reminder' if t.index_used else 'NOT USED'}"
        )
    last = timings[-1]
    ratio = last.median_ms / base
    lines.append(
        f"\nlargest: {last.median_ms:.0f} ms ({_met(last.median_ms < TARGET_MS)}),"
        f" ratio {ratio:.2f} ({_met(ratio <= TARGET_RATIO)})"
    )
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes",
        type=lambda text: tuple(int(part) for part in text.split(",")),
        default=SIZES,
        help="comma-separated case counts (10000,100000,1000000)",
    )
    parser.add_argument("--due", type=int, default=1000, help="clocks due (1000)")
    database.add_arguments(parser, keep=f"the database {DATABASE}")
    return parser.parse_args(argv)


def _met(met: bool) -> str:
    return "met" if met else "MISSED"


def _say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())

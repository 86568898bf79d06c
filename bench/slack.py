"""Benchmark signed /case requests against a bare Bolt app that only acks.

Creates a fresh PostgreSQL database (casetracker_bench_slack), migrates it, adds a staff
member linked to a Slack user and bulk cases in SQL; then serves the product, a bare Bolt app
(same Bolt settings, verification on) and a floor Bolt app (bench/floor_app.py: the same
commands' queries in raw psycopg) with gunicorn, 2 sync workers each, and loads them with
wrk: signed `/case show REF` and `/case list mine`, one scenario after another.
Needs wrk: apt-get install -y wrk.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import sys
from contextlib import contextmanager
from datetime import UTC, datetime

import bare_app
import database
import load

DATABASE = "casetracker_bench_slack"
SLACK_USER = load.SLACK_USER
# The least throughput wanted, as a fraction of the floor's (the same queries, raw).
TARGET = 0.5
SHOW_FLOOR = "(d) floor: show's queries, raw"
LIST_FLOOR = "(e) floor: list's queries, raw"
P99_TARGET_MS = 100.0


def bare_bolt():
    """The bare Bolt app, whose /case only acks; gunicorn serves it from here."""
    return bare_app.bolt_app(lambda ack: ack("ok"))


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the report."""
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        sys.exit("bench: wrk is not installed (apt-get install -y wrk)")
    url = f"{args.postgres}/{DATABASE}"
    secret = secrets.token_hex(16)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "SLACK_SIGNING_SECRET": secret,
        # The bench directory on the path lets gunicorn import bench.slack:bare_bolt().
        "PYTHONPATH": os.pathsep.join(filter(None, [str(load.ROOT / "bench"), str(load.ROOT)])),
    }
    env.pop("SLACK_BOT_TOKEN", None)
    settings = load.Load(
        connections=args.connections,
        threads=2,
        duration=args.duration,
        warmup=args.warmup,
        server_threads=args.gunicorn_threads,
        rounds=args.rounds,
    )
    load_average = os.getloadavg()[0]
    _say(f"creating database {DATABASE}")
    database.recreate(args.postgres, DATABASE)
    try:
        _prepare(env)
        _say(f"inserting {args.cases:,} cases in SQL")
        filled = database.fill(url, cases=args.cases)
        results = throughput(settings, env, secret, filled.sample_reference)
    finally:
        if not args.keep:
            database.drop(args.postgres, DATABASE)
    print(report(settings, results, load_average, filled.cases))
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per scenario (10)")
    parser.add_argument("--warmup", type=int, default=2, help="discarded seconds before each (2)")
    parser.add_argument("--connections", type=int, default=20, help="concurrent clients (20)")
    parser.add_argument("--cases", type=int, default=20_000, help="bulk cases (20000)")
    load.add_arguments(parser)
    database.add_arguments(parser, keep=f"the database {DATABASE}")
    return parser.parse_args(argv)


def _prepare(env: dict[str, str]) -> None:
    database._flask(env, "db", "upgrade")
    database._flask(
        env,
        *("staff", "add", "--name", "Bench Runner", "--email", database.STAFF_EMAIL),
        *("--role", "staff", "--slack-user-id", SLACK_USER),
    )


def throughput(settings: load.Load, env: dict[str, str], secret: str, reference: str):
    """Serve both apps with the same gunicorn settings and load each scenario in turn."""
    threads = settings.server_threads
    with (
        load.serving("bench.slack:bare_bolt()", env, threads=threads) as bare,
        load.serving("wsgi:app", env, threads=threads) as product,
        load.serving("bench.floor_app:create_slack_app()", env, threads=threads) as floor,
    ):
        scenarios = [
            ("(a) bare Bolt, ack only", bare, f"show {reference}", None, None),
            (f"(b) /case show {reference}", product, f"show {reference}", TARGET, SHOW_FLOOR),
            ("(c) /case list mine", product, "list mine", TARGET, LIST_FLOOR),
            (SHOW_FLOOR, floor, f"show {reference}", None, None),
            (LIST_FLOOR, floor, "list mine", None, None),
        ]
        measured = [
            (
                load.Scenario(
                    name, f"{base}/slack/events", method="POST", target=target, floor=floor_name
                ),
                text,
            )
            for name, base, text, target, floor_name in scenarios
        ]
        rounds = {scenario.name: [] for scenario, _ in measured}
        for number in range(1, settings.rounds + 1):
            for scenario, text in measured:
                _say(f"round {number}: loading {scenario.name}")
                with _signed(secret, text):
                    rounds[scenario.name].append(load.measure(scenario, settings))
        return [(scenario, load.median(rounds[scenario.name])) for scenario, _ in measured]


@contextmanager
def _signed(secret: str, text: str):
    """Sign one /case body now (valid for Slack's 5 minutes) and hand it to wrk."""
    body, headers = load.slack_command(secret, text)
    os.environ.update(
        BENCH_BODY=body,
        BENCH_CONTENT_TYPE=headers.pop("Content-Type"),
        BENCH_HEADERS="\n".join(f"{name}: {value}" for name, value in headers.items()),
    )
    try:
        yield
    finally:
        for name in ("BENCH_BODY", "BENCH_CONTENT_TYPE", "BENCH_HEADERS"):
            os.environ.pop(name, None)


def report(settings: load.Load, results, load_average: float, cases: int) -> str:
    """Format req/s and latencies side by side, with each scenario's ratio to bare Bolt and
    to its floor."""
    heading = [
        f"casetracker Slack benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC,"
        f" {os.cpu_count()} CPUs, load average {load_average:.2f} at the start, {cases:,} cases",
        f"{load.settings_line(settings)}; signed form bodies, verification on",
    ]
    return load.side_by_side(heading, results, _verdict)


def _verdict(ratio: float, scenario: load.Scenario, result: load.Result) -> str:
    if scenario.target is None:
        return ""
    if result.errors:
        return "INVALID (errors)"
    fast = "met" if result.p99_ms <= P99_TARGET_MS else "MISSED"
    share = "met" if ratio >= scenario.target else "MISSED"
    return f"p99 <= {P99_TARGET_MS:.0f} ms {fast}; >= {scenario.target:.2f} x floor {share}"


def _say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())

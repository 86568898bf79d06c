"""Benchmark the case API against a bare Flask app, and time the overdue list at scale.

Creates a fresh PostgreSQL database (casetracker_bench), migrates it and fills it with bulk
cases in SQL; times GET /api/v1/cases?overdue=true&limit=50 in-process; then serves the
product, a bare Flask app and the floor app (bench/floor_app.py: the same requests' queries
in raw psycopg) with the same gunicorn settings (2 sync workers each unless
--gunicorn-threads is given; 127.0.0.1 only) and loads them with wrk, one scenario after
another. Needs wrk: apt-get install -y wrk.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import sys
from datetime import UTC, datetime

import database
import load
import overdue

DATABASE = "casetracker_bench"
# Targets: the least throughput wanted, as a fraction of the floor's in the same run.
GET_TARGET = 0.5
POST_TARGET = 0.5
GET_FLOOR = "(d) floor: GET's queries, raw"
POST_FLOOR = "(e) floor: POST's writes, raw"
LIST_TARGET_MS = 50.0
LIST_REQUESTS = 50
CASE_BODY = {
    "kind": "complaint",
    "jurisdiction": "EU",
    "data_context": "website",
    "summary": "Newsletter kept arriving after I unsubscribed twice.",
    "channel": "email",
    "subject": {"name": "Erika Mustermann", "email": "erika@example.org", "country": "DE"},
}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and print the report."""
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        sys.exit("bench: wrk is not installed (apt-get install -y wrk)")
    url = f"{args.postgres}/{DATABASE}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "CASETRACKER_SCHEDULER": "off",
    }
    settings = load.Load(
        connections=args.connections,
        threads=min(2, args.connections),
        duration=args.duration,
        warmup=args.warmup,
        server_threads=args.gunicorn_threads,
        rounds=args.rounds,
    )
    load_average = os.getloadavg()[0]
    _say(f"creating database {DATABASE}")
    database.recreate(args.postgres, DATABASE)
    try:
        token = database.prepare(env)
        _say(f"inserting {args.cases:,} cases in SQL")
        filled = database.fill(url, cases=args.cases)
        _say("timing the overdue list in-process")
        timing = overdue.measure(env, token, requests=LIST_REQUESTS)
        results = throughput(settings, env, token, filled.sample_reference)
    finally:
        if not args.keep:
            database.drop(args.postgres, DATABASE)
    print(throughput_table(settings, results, load_average))
    print(list_report(filled, timing))
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--duration", type=_positive, default=10, help="seconds of load per scenario (10)"
    )
    parser.add_argument(
        "--warmup", type=_positive, default=2, help="seconds of discarded load before each (2)"
    )
    parser.add_argument(
        "--connections", type=_positive, default=8, help="concurrent wrk connections (8)"
    )
    parser.add_argument(
        "--cases", type=_positive, default=100_000, help="bulk cases to insert (100000)"
    )
    load.add_arguments(parser)
    database.add_arguments(parser, keep=f"the database {DATABASE}")
    return parser.parse_args(argv)


def throughput(
    settings: load.Load, env: dict[str, str], token: str, reference: str
) -> list[tuple[load.Scenario, load.Result]]:
    """Serve both apps under the same gunicorn settings and load each scenario in turn."""
    with (
        load.serving("bench.bare_app:create_app()", env, threads=settings.server_threads) as bare,
        load.serving("wsgi:app", env, threads=settings.server_threads) as api,
        load.serving("bench.floor_app:create_app()", env, threads=settings.server_threads) as floor,
    ):
        scenarios = [
            load.Scenario("(a) bare Flask GET /", f"{bare}/"),
            load.Scenario(
                "(b) GET /api/v1/cases/<ref>",
                f"{api}/api/v1/cases/{reference}",
                token=token,
                target=GET_TARGET,
                floor=GET_FLOOR,
            ),
            load.Scenario(
                "(c) POST /api/v1/cases",
                f"{api}/api/v1/cases",
                method="POST",
                body=json.dumps(CASE_BODY),
                token=token,
                target=POST_TARGET,
                floor=POST_FLOOR,
            ),
            load.Scenario(
                GET_FLOOR,
                f"{floor}/api/v1/cases/{reference}",
                token=token,
            ),
            load.Scenario(
                POST_FLOOR,
                f"{floor}/api/v1/cases",
                method="POST",
                body=json.dumps(CASE_BODY),
                token=token,
            ),
        ]
        rounds = {scenario.name: [] for scenario in scenarios}
        for number in range(1, settings.rounds + 1):
            for scenario in scenarios:
                _say(f"round {number}: loading {scenario.name}")
                rounds[scenario.name].append(load.measure(scenario, settings))
        return [(scenario, load.median(rounds[scenario.name])) for scenario in scenarios]


def throughput_table(
    settings: load.Load, results: list[tuple[load.Scenario, load.Result]], load_average: float
) -> str:
    """Format req/s and latencies side by side, with each scenario's ratio to bare and to
    its floor."""
    heading = [
        f"casetracker API benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()}"
        f" CPUs, load average {load_average:.2f} at the start",
        load.settings_line(settings),
    ]
    return load.side_by_side(heading, results, _verdict)


def list_report(filled: database.Filled, timing: overdue.Timing) -> str:
    """Format the overdue list's server time and the plan of its query."""
    return "\n".join(
        [
            "",
            f"GET {overdue.PATH}: {filled.cases:,} cases, {filled.overdue:,} overdue",
            f"server time in-process (Flask test client, time.perf_counter), {LIST_REQUESTS}"
            f" sequential requests; target < {LIST_TARGET_MS:.0f} ms:",
            f"  median {timing.median_ms:.1f} ms {_met(timing.median_ms < LIST_TARGET_MS)},"
            f" p95 {timing.p95_ms:.1f} ms {_met(timing.p95_ms < LIST_TARGET_MS)}",
            f"SQL statements per request: {timing.statements}",
            f"EXPLAIN (ANALYZE, BUFFERS) of the page query; {overdue.INDEX} used:"
            f" {'yes' if timing.index_used else 'NO'}",
            *(f"  {line}" for line in timing.plan),
        ]
    )


def _verdict(ratio: float, scenario: load.Scenario, result: load.Result) -> str:
    target = scenario.target
    if target is None:
        return ""
    if result.errors:
        return f">= {target:.2f} INVALID (errors)"
    return f">= {target:.2f} x floor {_met(ratio >= target)}"


def _met(met: bool) -> str:
    return "met" if met else "MISSED"


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())

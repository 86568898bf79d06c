"""Server time of the dashboard's busiest pages at 10,000 and 100,000 cases on PostgreSQL.

For each size: a fresh database (casetracker_bench_dashboard_<size>), migrated and filled in SQL
by bench/database.py; a quarter of the open internal-review complaints moved on to the outside
bodies so the Escalations page has work; 200 audit events added to one case. Each page is then
requested in-process (Flask test client, signed in as a DPO) and timed with perf_counter,
alternating between the sizes request by request so that a busy machine skews both alike.
Target: p95 <= 100 ms at 100,000 cases, and <= 2x the 10,000-case p95.
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
from casetracker.people import service as people_service

DATABASE = "casetracker_bench_dashboard"
DPO_EMAIL = "bench-dpo@example.org"
PASSWORD = secrets.token_urlsafe(16)
TARGET_MS = 100.0
TARGET_RATIO = 2.0
WARMUP = 5
EVENTS = 200
PAGES = ("escalations", "overdue", "all cases", "case page (200 events)")

# Spread open complaints over the later stages of their route, as escalations would.
ESCALATE = """
UPDATE cases SET stage = CASE WHEN mod(id, 3) = 0 THEN 'dpa_panel'
                              WHEN mod(id, 3) = 1 THEN 'independent_recourse'
                              ELSE 'arbitration' END
WHERE status = 'open' AND kind = 'complaint' AND stage = 'internal_review' AND mod(id, 4) = 0
"""
EVENTS_SQL = """
INSERT INTO events (case_id, at, actor_type, actor, source, action, before, after, reason)
SELECT c.id, c.received_at + make_interval(mins => n), 'staff', 'bench@example.org', 'web',
       'note', '{}'::json, '{}'::json, 'Bench note ' || n
FROM cases AS c, generate_series(1, %(events)s) AS n
WHERE c.reference = %(reference)s
"""


@dataclass(frozen=True)
class Timing:
    median_ms: float
    p95_ms: float


def main(argv: list[str] | None = None) -> int:
    """Fill one database per size, time the pages in alternation, and print the report."""
    args = _parse(argv)
    names = {size: f"{DATABASE}_{size}" for size in args.sizes}
    try:
        clients = {}
        for size, name in names.items():
            _say(f"filling {name} with {size:,} cases")
            clients[size] = prepare(args.postgres, name, size)
        _say(f"timing {len(PAGES)} pages x {len(names)} sizes x {args.requests} requests")
        results = measure(clients, requests=args.requests)
    finally:
        if not args.keep:
            for name in names.values():
                database.drop(args.postgres, name)
    print(report(results, args.requests))
    return 0


def prepare(server: str, name: str, cases: int) -> tuple:
    """Create, fill and shape one database; return a signed-in client and the page paths."""
    url = f"{server}/{name}"
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(48)}
    database.recreate(server, name)
    database.prepare(env)
    filled = database.fill(url, cases=cases)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(ESCALATE)
        conn.execute(EVENTS_SQL, {"events": EVENTS, "reference": filled.sample_reference})
        # Settle the bulk insert now, not while timing (autovacuum would run meanwhile).
        conn.execute("VACUUM ANALYZE")
    app = create_app({**config.from_environment(env), "WTF_CSRF_ENABLED": False})
    with app.app_context():
        data = {"name": "Bench DPO", "email": DPO_EMAIL, "role": "dpo"}
        people_service.add_staff(db.session, data=data, password=PASSWORD)
    client = app.test_client()
    signed_in = client.post("/sign-in", data={"email": DPO_EMAIL, "password": PASSWORD})
    if signed_in.status_code != 302:
        raise RuntimeError(f"bench sign-in failed: {signed_in.status_code}")
    paths = {
        "escalations": "/escalations",
        "overdue": "/overdue",
        "all cases": "/cases",
        "case page (200 events)": f"/cases/{filled.sample_reference}",
    }
    return client, paths


def measure(clients: dict[int, tuple], *, requests: int) -> dict[int, dict[str, Timing]]:
    """Time every page, alternating sizes request by request so load spikes hit both alike."""
    samples = {size: {page: [] for page in PAGES} for size in clients}
    for client, paths in clients.values():
        for path in paths.values():
            for _ in range(WARMUP):
                _get(client, path)
    for _ in range(requests):
        for page in PAGES:
            for size, (client, paths) in clients.items():
                started = time.perf_counter()
                _get(client, paths[page])
                samples[size][page].append((time.perf_counter() - started) * 1000)
    return {
        size: {
            page: Timing(statistics.median(values), statistics.quantiles(values, n=20)[-1])
            for page, values in pages.items()
        }
        for size, pages in samples.items()
    }


def _get(client, path: str) -> None:
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path} answered {response.status_code}")


def report(results: dict[int, dict[str, Timing]], requests: int) -> str:
    """Format the timings, and the ratio of the largest size to the smallest."""
    sizes = sorted(results)
    small, large = sizes[0], sizes[-1]
    lines = [
        f"casetracker dashboard benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC,"
        f" {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}",
        f"server time in-process (Flask test client), {requests} sequential requests per page",
        "",
        f"{'page':<24}"
        + "".join(f" {f'{size:,} p50/p95 ms':>22}" for size in sizes)
        + f" {'p95 ratio':>10}  target",
    ]
    for page in PAGES:
        row = f"{page:<24}"
        for size in sizes:
            timing = results[size][page]
            row += f" {f'{timing.median_ms:.1f} / {timing.p95_ms:.1f}':>22}"
        ratio = results[large][page].p95_ms / results[small][page].p95_ms
        met = results[large][page].p95_ms <= TARGET_MS and ratio <= TARGET_RATIO
        row += f" {ratio:>9.2f}x  {'met' if met else 'MISSED'}"
        lines.append(row)
    lines.append(
        f"target: p95 <= {TARGET_MS:.0f} ms at {large:,} cases and <= {TARGET_RATIO:.0f}x"
        f" the {small:,}-case p95"
    )
    return "\n".join(lines)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[10_000, 100_000], help="case counts"
    )
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page (50)")
    database.add_arguments(parser, keep=f"the {DATABASE}_* databases")
    return parser.parse_args(argv)


def _say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())

"""The bench database: created fresh, migrated, given a staff member, a token and bulk cases."""

from __future__ import annotations

import argparse
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
STAFF_EMAIL = "bench@example.org"

# Cases received evenly over two years, newest last. Open: those under 45 days old, plus a
# backlog of stragglers (1 in 37). Every 11th case is acknowledged late. An open case is due
# on its acknowledge clock until acknowledged, then on its respond clock, so the stragglers
# and the late acknowledgements are overdue: about 3 % of all cases.
BULK_CASES = """
WITH base AS (
    SELECT
        i,
        CASE WHEN mod(i, 3) = 0 THEN 'request' ELSE 'complaint' END AS kind,
        (ARRAY['EU', 'UK', 'CH', 'BR', 'US-CA', 'OTHER'])[1 + mod(i / 3, 6)] AS jurisdiction,
        (ARRAY['platform', 'website', 'marketing', 'recruiting', 'employment'])[1 + mod(i / 7, 5)]
            AS data_context,
        now() - make_interval(secs => (%(cases)s - i) * 63072000.0 / %(cases)s) AS received_at
    FROM generate_series(1, %(cases)s) AS i
),
flagged AS (
    SELECT
        base.*,
        now() - received_at < interval '45 days' OR mod(i, 37) = 0 AS open,
        now() - received_at > interval '2 days' AS old_enough_to_acknowledge,
        mod(i, 11) = 0 AS acknowledged_late
    FROM base
),
shaped AS (
    SELECT
        flagged.*,
        CASE WHEN NOT open THEN received_at + interval '30 days' END AS closed_at,
        CASE
            WHEN old_enough_to_acknowledge AND NOT (open AND acknowledged_late)
            THEN received_at + interval '2 days'
        END AS acknowledged_at,
        CASE WHEN kind = 'request' THEN interval '14 days' ELSE interval '7 days' END
            AS acknowledge_within,
        extract(year FROM received_at AT TIME ZONE 'UTC')::int AS year,
        CASE WHEN kind = 'request' THEN 'DSR' ELSE 'PC' END AS prefix
    FROM flagged
),
numbered AS (
    SELECT
        shaped.*,
        row_number() OVER (PARTITION BY prefix, year ORDER BY i) AS number
    FROM shaped
),
new_cases AS (
    INSERT INTO cases (
        reference, kind, jurisdiction, data_context, "right", summary, channel, route, stage,
        status, owner_id, priority, outcome, closed_from_stage, received_at, acknowledged_at,
        closed_at, next_due_at, created_at, updated_at, version
    )
    SELECT
        prefix || '-' || year || '-' || lpad(number::text, greatest(5, length(number::text)), '0'),
        kind,
        jurisdiction,
        data_context,
        CASE WHEN kind = 'request'
            THEN (ARRAY['access', 'erasure', 'rectification', 'opt_out'])[1 + mod(i / 5, 4)]
        END,
        'Bulk case ' || i || ': newsletter kept arriving after unsubscribing.',
        (ARRAY['web', 'email', 'phone', 'letter', 'api'])[1 + mod(i, 5)],
        CASE
            WHEN kind = 'request' THEN 'dsr'
            WHEN jurisdiction IN ('EU', 'UK', 'CH')
                AND data_context IN ('recruiting', 'employment') THEN 'dpf_hr'
            WHEN jurisdiction IN ('EU', 'UK', 'CH') THEN 'dpf'
            WHEN jurisdiction = 'BR' THEN 'lgpd'
            ELSE 'internal'
        END,
        CASE
            WHEN NOT open THEN 'closed'
            WHEN acknowledged_at IS NULL THEN 'received'
            WHEN kind = 'request' THEN 'in_progress'
            ELSE 'internal_review'
        END,
        CASE WHEN open THEN 'open' ELSE 'closed' END,
        CASE WHEN acknowledged_at IS NOT NULL THEN (SELECT min(id) FROM staff) END,
        CASE WHEN mod(i, 10) = 0 THEN 'high' ELSE 'normal' END,
        CASE WHEN NOT open THEN CASE WHEN kind = 'request' THEN 'complied' ELSE 'resolved' END END,
        CASE WHEN NOT open THEN CASE WHEN kind = 'request' THEN 'in_progress'
            ELSE 'internal_review' END END,
        received_at,
        acknowledged_at,
        closed_at,
        CASE
            WHEN NOT open THEN NULL
            WHEN acknowledged_at IS NULL THEN received_at + acknowledge_within
            ELSE received_at + interval '45 days'
        END,
        received_at,
        coalesce(closed_at, acknowledged_at, received_at),
        1 + (acknowledged_at IS NOT NULL)::int + (NOT open)::int
    FROM numbered
    RETURNING id, kind, received_at, acknowledged_at, closed_at
),
new_subjects AS (
    INSERT INTO subjects (case_id, name, email, country)
    SELECT id, 'Subject ' || id, 'subject' || id || '@example.org', 'DE' FROM new_cases
)
INSERT INTO clocks (case_id, name, rule, started_at, due_at, pauses, met_at, met_by)
SELECT
    c.id,
    r.name,
    json_build_object(
        'duration', r.duration, 'calendar', NULL, 'roll_forward', false, 'pausable', false,
        'extension', r.extension, 'stages', r.stages::json, 'met_by', r.met_by::json,
        'starts_on', NULL, 'source', 'bench data'
    ),
    c.received_at,
    c.received_at + r.within,
    '[]'::json,
    met.at,
    CASE WHEN met.at IS NOT NULL THEN r.met_action END
FROM new_cases AS c
JOIN (
    VALUES
        ('complaint', 'acknowledge', '5 business days', NULL, interval '7 days',
            '["received"]', '["acknowledge"]', 'acknowledge'),
        ('complaint', 'respond', '45 days', NULL, interval '45 days',
            '["received", "internal_review"]', '[]', 'resolve'),
        ('request', 'acknowledge', '10 business days', NULL, interval '14 days',
            '["received"]', '["acknowledge"]', 'acknowledge'),
        ('request', 'respond', '45 days', '45 days', interval '45 days',
            '["received", "verifying_identity", "in_progress"]', '[]', 'resolve')
) AS r (kind, name, duration, extension, within, stages, met_by, met_action) ON r.kind = c.kind
CROSS JOIN LATERAL (
    SELECT CASE WHEN r.name = 'acknowledge' THEN c.acknowledged_at ELSE c.closed_at END AS at
) AS met
"""

# Continue each (prefix, year) numbering where the bulk cases end, as the product would.
COUNTERS = """
INSERT INTO case_counters (prefix, year, value)
SELECT split_part(reference, '-', 1), split_part(reference, '-', 2)::int,
       max(split_part(reference, '-', 3)::int)
FROM cases
GROUP BY 1, 2
"""

# The case the GET scenario reads: preferably open and owned, so every part of it is loaded.
SAMPLE = """
SELECT reference FROM cases ORDER BY status <> 'open', owner_id IS NULL, id DESC LIMIT 1
"""


@dataclass(frozen=True)
class Filled:
    cases: int
    overdue: int
    sample_reference: str


def add_arguments(parser: argparse.ArgumentParser, *, keep: str) -> None:
    """Add the options every benchmark shares: which server, and whether to keep its data."""
    parser.add_argument("--keep", action="store_true", help=f"keep {keep} (default: drop it)")
    parser.add_argument(
        "--postgres",
        default="postgresql://postgres@127.0.0.1:5432",
        help="PostgreSQL server URL, without a database name (%(default)s)",
    )


def recreate(server: str, name: str) -> None:
    """Drop the database if it exists and create it empty."""
    drop(server, name)
    _admin(server, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop(server: str, name: str) -> None:
    """Drop the database, closing any connection left to it."""
    _admin(server, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def prepare(env: dict[str, str]) -> str:
    """Migrate the database, add the bench staff member and return a new pii-scoped token."""
    _flask(env, "db", "upgrade")
    _flask(env, "staff", "add", "--name", "Bench Runner", "--email", STAFF_EMAIL, "--role", "staff")
    return _flask(env, "tokens", "create", "--staff", STAFF_EMAIL, "--scope", "pii").strip()


def fill(url: str, *, cases: int) -> Filled:
    """Insert ``cases`` cases with subjects and clocks in SQL, then ANALYZE."""
    with psycopg.connect(url) as conn:
        conn.execute(BULK_CASES, {"cases": cases})
        conn.execute(COUNTERS)
        conn.commit()
        conn.execute("ANALYZE")
        total, overdue = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE next_due_at < now()) FROM cases"
        ).fetchone()
        (reference,) = conn.execute(SAMPLE).fetchone()
    return Filled(cases=total, overdue=overdue, sample_reference=reference)


def _admin(server: str, statement: sql.Composed) -> None:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(statement)


def _flask(env: dict[str, str], *args: str) -> str:
    command = [sys.executable, "-m", "flask", "--app", "wsgi", *args]
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout

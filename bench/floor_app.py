"""The least any implementation of the measured endpoints must do, written in raw psycopg.

Served beside the product by bench/api.py and bench/slack.py, these apps show how much of the
gap to the bare endpoint is the database's own share on this machine: the same round trips
to PostgreSQL as the product's (check the token or the Slack user, read the case with its
clocks or a page of cases, and record in the access log that a pii-scoped token saw the
individual's data; or the one write transaction of a new case), and none of the ORM,
validation or presentation around them. Their answers are fixed bodies. They are yardsticks,
not products: nothing else uses them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import threading
from datetime import UTC, datetime, timedelta

import psycopg
from flask import Flask, abort, request

from bench.bare_app import bolt_app

READ_BEARER = """
SELECT api_tokens.secret_hash, api_tokens.scopes, staff.id, staff.role, staff.active
FROM api_tokens JOIN staff ON staff.id = api_tokens.staff_id
WHERE api_tokens.prefix = %s AND api_tokens.revoked_at IS NULL
"""
CASE = """
SELECT cases.*, clocks.name, clocks.due_at, clocks.met_at
FROM cases LEFT JOIN clocks ON clocks.case_id = cases.id
WHERE cases.reference = %s ORDER BY clocks.id
"""
COUNTER = """
INSERT INTO case_counters (prefix, year, value) VALUES ('PC', %s, 1)
ON CONFLICT (prefix, year) DO UPDATE SET value = case_counters.value + 1 RETURNING value
"""
NEW_CASE = """
INSERT INTO cases (reference, kind, jurisdiction, data_context, summary, channel, route, stage,
                   status, priority, received_at, next_due_at, created_at, updated_at, version)
VALUES (%s, 'complaint', 'EU', 'website', %s, 'email', 'dpf', 'received', 'open', 'normal',
        %s, %s, %s, %s, 1)
RETURNING id
"""
NEW_CLOCKS = """
INSERT INTO clocks (case_id, name, rule, started_at, due_at, original_due_at, pauses)
VALUES (%(case)s, 'acknowledge', '{}', %(now)s, %(due)s, %(due)s, '[]'),
       (%(case)s, 'respond', '{}', %(now)s, %(due)s, %(due)s, '[]')
"""
ACCESS_LOG = """
INSERT INTO pii_access_log (at, staff_id, actor, channel, case_id, what)
VALUES (%s, %s, 'bench', 'api', %s, %s)
"""
NEW_SUBJECT = "INSERT INTO subjects (case_id, name, email, country) VALUES (%s, %s, %s, %s)"
NEW_EVENT = """
INSERT INTO events (case_id, at, actor_type, actor, source, action, before, after, seq, hash)
VALUES (%s, %s, 'api_token', 'bench', 'api', 'create', '{}', '{}', 1, %s)
"""
NEW_MESSAGE = """
INSERT INTO outbox_messages (channel, recipient, topic, payload, dedupe_key, case_id,
                             created_at, attempts, next_attempt_at)
VALUES ('slack', 'channel:cases', 'case_created', '{}', %s, %s, %s, 0, %s)
"""


SLACK_STAFF = "SELECT id, email, role FROM staff WHERE slack_user_id = %s AND active"
MY_CASES = """
SELECT cases.reference, cases.kind, cases.jurisdiction, cases.stage, cases.status,
       cases.next_due_at, staff.name
FROM cases JOIN staff ON staff.id = cases.owner_id
WHERE cases.owner_id = %s AND cases.next_due_at IS NOT NULL
ORDER BY cases.next_due_at, cases.id LIMIT 21
"""

_local = threading.local()


def connection() -> psycopg.Connection:
    """This thread's connection, outside any transaction (like the product's reads)."""
    if getattr(_local, "conn", None) is None:
        url = os.environ["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
        _local.conn = psycopg.connect(url, autocommit=True)
    return _local.conn


def create_slack_app() -> Flask:
    """The bare Bolt app, whose /case makes the product's reads; served as
    ``bench.floor_app:create_slack_app()``."""

    def case(ack, command):
        conn = connection()
        staff = conn.execute(SLACK_STAFF, (command["user_id"],)).fetchone()
        words = command["text"].split()
        if words[0] == "show":
            rows = conn.execute(CASE, (words[1],)).fetchall()
        else:
            rows = conn.execute(MY_CASES, (staff[0],)).fetchall()
        ack(f"{len(rows)} rows")

    return bolt_app(case)


def create_app() -> Flask:
    """The API's floor; gunicorn serves it as ``bench.floor_app:create_app()``."""
    app = Flask(__name__)

    def authenticate(conn: psycopg.Connection) -> tuple:
        secret = request.headers.get("Authorization", "").removeprefix("Bearer ")
        prefix = secret.split("_")[1] if secret.count("_") >= 2 else ""
        row = conn.execute(READ_BEARER, (prefix,)).fetchone()
        digest = hashlib.sha256(secret.encode()).hexdigest()
        if row is None or not row[4] or not hmac.compare_digest(row[0], digest):
            abort(401)
        return row

    @app.get("/api/v1/cases/<reference>")
    def read(reference):
        conn = connection()
        bearer = authenticate(conn)
        rows = conn.execute(CASE, (reference,)).fetchall()
        if not rows:
            abort(404)
        if "pii" in bearer[1].split():
            # Autocommitted, so durable before the answer, like the product's access log.
            what = f"GET {request.path}"
            conn.execute(ACCESS_LOG, (datetime.now(UTC), bearer[2], rows[0][0], what))
        return {"reference": reference, "clocks": len(rows)}

    @app.post("/api/v1/cases")
    def create():
        conn = connection()
        authenticate(conn)
        body = json.loads(request.get_data())
        now = datetime.now(UTC)
        due = now + timedelta(days=45)
        with conn.transaction():
            (number,) = conn.execute(COUNTER, (now.year,)).fetchone()
            reference = f"PC-{now.year}-{number:05d}"
            values = (reference, body["summary"], now, due, now, now)
            (case,) = conn.execute(NEW_CASE, values).fetchone()
            conn.execute(NEW_CLOCKS, {"case": case, "now": now, "due": due})
            subject = body["subject"]
            conn.execute(NEW_SUBJECT, (case, subject["name"], subject["email"], subject["country"]))
            # The first link of the case's audit chain: a hash of the event's fields.
            sealed = json.dumps([reference, now.isoformat(), "create", "0" * 64], sort_keys=True)
            conn.execute(NEW_EVENT, (case, now, hashlib.sha256(sealed.encode()).hexdigest()))
            conn.execute(NEW_MESSAGE, (f"created:{reference}", case, now, now))
        return {"reference": reference}, 201

    return app

"""Server time of the overdue list, measured in-process, and the plan of its query."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

from sqlalchemy import event

from casetracker import config, create_app
from casetracker.extensions import db

PATH = "/api/v1/cases?overdue=true&limit=50"
INDEX = "ix_cases_next_due"
WARMUP_REQUESTS = 5


@dataclass(frozen=True)
class Timing:
    median_ms: float
    p95_ms: float
    statements: int
    plan: list[str]

    @property
    def index_used(self) -> bool:
        return any(INDEX in line for line in self.plan)


def measure(env: dict[str, str], token: str, *, requests: int) -> Timing:
    """Time ``requests`` sequential list requests through the Flask test client."""
    app = create_app(config.from_environment(env))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    with app.app_context():
        for _ in range(WARMUP_REQUESTS):
            _get(client, headers)
        statements = _statements_of(lambda: _get(client, headers))
        samples = []
        for _ in range(requests):
            started = time.perf_counter()
            _get(client, headers)
            samples.append((time.perf_counter() - started) * 1000)
        plan = _explain(statements)
    return Timing(
        median_ms=statistics.median(samples),
        p95_ms=statistics.quantiles(samples, n=20)[-1],
        statements=len(statements),
        plan=plan,
    )


def _get(client, headers: dict[str, str]) -> None:
    response = client.get(PATH, headers=headers)
    if response.status_code != 200:
        raise RuntimeError(f"GET {PATH} answered {response.status_code}: {response.text[:500]}")


def _statements_of(call) -> list[tuple[str, object]]:
    """Run ``call`` and return the SQL statements it sent, with their parameters."""
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        call()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return seen


def _explain(statements: list[tuple[str, object]]) -> list[str]:
    """EXPLAIN ANALYZE the statement that selects the page of cases, as the app sent it."""
    statement, parameters = next(
        (text, params) for text, params in statements if "ORDER BY cases.next_due_at" in text
    )
    with db.engine.connect() as conn:
        rows = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters)
        return [line for (line,) in rows]

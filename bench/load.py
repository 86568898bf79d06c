"""Gunicorn servers and wrk runs for the throughput benchmark."""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from slack_sdk.signature import SignatureVerifier

ROOT = Path(__file__).resolve().parent.parent
WRK_SCRIPT = Path(__file__).resolve().parent / "wrk.lua"
WORKERS = 2
SLACK_USER = "U0BENCH"  # the staff member's Slack user, who sends every /case
START_TIMEOUT = 30.0


@dataclass(frozen=True)
class Scenario:
    name: str
    url: str
    method: str = "GET"
    body: str | None = None
    token: str | None = None
    target: float | None = None  # the least throughput wanted, as a fraction of bare
    # The name of the scenario that does the same work in raw psycopg (bench/floor_app.py);
    # when set, the target is a fraction of that floor's throughput instead.
    floor: str | None = None


@dataclass(frozen=True)
class Load:
    connections: int
    threads: int
    duration: int
    warmup: int
    server_threads: int = 0  # gunicorn threads per worker; 0 = sync workers
    rounds: int = 1  # each scenario is measured this many times, in turn; the median counts


@dataclass(frozen=True)
class Result:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the server option both throughput benchmarks share."""
    parser.add_argument(
        "--gunicorn-threads",
        type=int,
        default=0,
        help="threads per gunicorn worker for both apps; 0 = sync workers (0)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="measure every scenario this many times, all scenarios in turn, and report the"
        " medians: on a shared machine a product and its floor are then measured close in"
        " time (1)",
    )


def gunicorn_settings(threads: int, workers: int = WORKERS) -> tuple[str, ...]:
    """Two workers (or ``workers``): sync ones, or gthread ones with ``threads`` threads each."""
    kind = (
        ("--worker-class", "gthread", "--threads", str(threads))
        if threads
        else ("--worker-class", "sync")
    )
    return ("--workers", str(workers), *kind, "--log-level", "warning")


def describe_server(threads: int) -> str:
    """Say how gunicorn served both apps, for the report."""
    return (
        f"gunicorn {WORKERS} gthread workers x {threads} threads"
        if threads
        else f"gunicorn {WORKERS} sync workers"
    )


def settings_line(settings: Load) -> str:
    """Say how both apps were served and loaded, for the report."""
    rounds = f"; median of {settings.rounds} rounds" if settings.rounds > 1 else ""
    return (
        f"{describe_server(settings.server_threads)} per app; wrk {settings.threads} threads,"
        f" {settings.connections} connections, {settings.duration} s per scenario after a"
        f" {settings.warmup} s warm-up{rounds}"
    )


def side_by_side(
    heading: list[str],
    results: list[tuple[Scenario, Result]],
    verdict: Callable[[float, Scenario, Result], str],
) -> str:
    """Tabulate req/s and latencies, with each scenario's ratio to the first (bare) one and
    to its floor; ``verdict`` is given the ratio its target is judged on."""
    bare = results[0][1].requests_per_s
    by_name = {scenario.name: result.requests_per_s for scenario, result in results}
    width = max(30, *(len(scenario.name) + 2 for scenario, _ in results))
    lines = [
        *heading,
        "",
        f"{'scenario':<{width}} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}"
        f" {'x bare':>6} {'x floor':>7}  target",
    ]
    for scenario, result in results:
        ratio = result.requests_per_s / bare
        to_floor = result.requests_per_s / by_name[scenario.floor] if scenario.floor else None
        floor_column = f"{to_floor:>7.2f}" if to_floor is not None else f"{'':>7}"
        judged = ratio if to_floor is None else to_floor
        lines.append(
            f"{scenario.name:<{width}} {result.requests_per_s:>8,.0f} {result.p50_ms:>7.1f}"
            f" {result.p99_ms:>7.1f} {result.errors:>6} {ratio:>6.2f} {floor_column}"
            f"  {verdict(judged, scenario, result)}"
        )
    return "\n".join(lines)


@contextmanager
def serving(
    app: str, env: dict[str, str], *, threads: int = 0, workers: int = WORKERS
) -> Iterator[str]:
    """Serve ``app`` with gunicorn on a free localhost port; yield its base URL."""
    bind = f"127.0.0.1:{_free_port()}"
    base = f"http://{bind}"
    settings = gunicorn_settings(threads, workers)
    command = [sys.executable, "-m", "gunicorn", *settings, "--bind", bind, app]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        _wait_until_up(process, base)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def median(results: list[Result]) -> Result:
    """Combine rounds of one scenario: the median of each figure, all the errors."""
    return Result(
        requests_per_s=statistics.median(r.requests_per_s for r in results),
        p50_ms=statistics.median(r.p50_ms for r in results),
        p99_ms=statistics.median(r.p99_ms for r in results),
        errors=sum(r.errors for r in results),
    )


def measure(scenario: Scenario, load: Load) -> Result:
    """Run wrk for the warm-up (discarded), then for the measured duration."""
    _wrk(scenario, load, seconds=load.warmup)
    return _wrk(scenario, load, seconds=load.duration)


def _wrk(scenario: Scenario, load: Load, *, seconds: int) -> Result:
    env = {**os.environ, "BENCH_METHOD": scenario.method}
    if scenario.body is not None:
        env["BENCH_BODY"] = scenario.body
    if scenario.token is not None:
        env["BENCH_TOKEN"] = scenario.token
    command = [
        "wrk",
        f"--threads={load.threads}",
        f"--connections={load.connections}",
        f"--duration={seconds}s",
        "--timeout=5s",
        f"--script={WRK_SCRIPT}",
        scenario.url,
    ]
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=seconds + 30, check=True
    )
    line = next(line for line in done.stdout.splitlines() if line.startswith("BENCH "))
    raw = json.loads(line.removeprefix("BENCH "))
    return Result(
        requests_per_s=raw["requests"] / (raw["duration_us"] / 1e6),
        p50_ms=raw["p50_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        errors=raw["bad_status"] + raw["socket_errors"],
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(process: subprocess.Popen, base: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {process.returncode}")
        try:
            urllib.request.urlopen(base, timeout=1).close()  # noqa: S310 - our own localhost URL
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
        else:
            return
    raise RuntimeError(f"gunicorn did not answer at {base} within {START_TIMEOUT:.0f} s")


def slack_command(secret: str, text: str) -> tuple[str, dict[str, str]]:
    """Return a ``/case text`` form body and its headers, signed now as Slack signs them."""
    body = urllib.parse.urlencode(
        {
            "team_id": "T0BENCH",
            "user_id": SLACK_USER,
            "command": "/case",
            "text": text,
            "response_url": "http://127.0.0.1:9/unused",
            "trigger_id": "bench",
        }
    )
    timestamp = str(int(time.time()))
    return body, {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": SignatureVerifier(secret).generate_signature(
            timestamp=timestamp, body=body
        ),
    }

"""Soak: minutes of mixed traffic against the product, watching memory, descriptors and latency.

Creates a fresh PostgreSQL database (casetracker_bench_soak), migrates it, adds a staff member
(dashboard password, Slack user U0BENCH, a pii-scoped API token) and bulk cases in SQL, and
spreads the running clocks' reminder wake-ups over the run so every sweep has work. Then
serves the product as in production: gunicorn with 4 sync workers (wsgi:app, Slack signing
secret set, scheduler off in the workers) and one dedicated scheduler process running every
job, the SLA sweep every minute. A pool of client threads sends a fixed rate of mixed
requests (bench/soak_traffic.py): API reads and writes, signed /case commands and dashboard
pages in a signed-in session. Every minute: request count, 5xx, p50/p99 latency, and each
process's RSS (VmRSS) and open descriptors (/proc/<pid>/fd), read every 5 s.
Targets: RSS growth < 10 % from the first minute after warm-up to the last, no descriptor
growth, p99 of the last 5 minutes within 20 % of the first 5 after warm-up, no 5xx.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import database
import load
import psycopg
import soak_probe
import soak_report
import soak_tables
from soak_traffic import MIX, Target, Traffic, sign_in

DATABASE = "casetracker_bench_soak"
WORKERS = 4
SWEEP_MINUTES = 1
PASSWORD = secrets.token_urlsafe(18)
STOP_TIMEOUT = 30.0
# Reads go to open, owned cases (clocks, subject and owner all loaded), newest first.
READ = """
SELECT reference FROM cases WHERE status = 'open' AND owner_id IS NOT NULL
ORDER BY id DESC LIMIT 500
"""
# Each running clock wakes once during the run, as earlier sweeps would have left it.
WAKE = """
UPDATE clocks SET next_reminder_at = now() + mod(id, %(spread)s) * interval '1 s'
WHERE met_at IS NULL
"""
CONNECTIONS = """
SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()
"""


def main(argv: list[str] | None = None) -> int:
    """Prepare the database, run the soak and print the report."""
    args = parse_args(argv)
    if args.scheduler_process:
        return run_scheduler()
    url = f"{args.postgres}/{DATABASE}"
    secret = secrets.token_hex(16)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "SLACK_SIGNING_SECRET": secret,
        "CASETRACKER_SCHEDULER": "off",  # the web workers; the scheduler runs on its own
        "PYTHONPATH": os.pathsep.join(filter(None, [str(load.ROOT), os.environ.get("PYTHONPATH")])),
    }
    env.pop("SLACK_BOT_TOKEN", None)
    started_at, load_before = datetime.now(UTC), os.getloadavg()[0]
    _say(f"creating database {DATABASE}")
    database.recreate(args.postgres, DATABASE)
    try:
        token = prepare(env)
        _say(f"inserting {args.cases:,} cases in SQL")
        database.fill(url, cases=args.cases)
        with psycopg.connect(url, autocommit=True) as conn:
            references = tuple(row[0] for row in conn.execute(READ))
            woken = conn.execute(WAKE, {"spread": args.minutes * 60}).rowcount
            conn.execute("VACUUM ANALYZE")
        run = soak(args, env, url, Target("", token, secret, "", references))
    finally:
        if not args.keep:
            database.drop(args.postgres, DATABASE)
    heading = [
        f"casetracker soak, {started_at:%Y-%m-%d %H:%M} UTC, {args.minutes} min,"
        f" {os.cpu_count()} CPUs, load average {load_before:.2f} at the start,"
        f" {os.getloadavg()[0]:.2f} at the end",
        f"gunicorn {WORKERS} sync workers (wsgi:app) + 1 scheduler process (sweep every"
        f" {SWEEP_MINUTES} min); {args.rate:g} requests/s from {args.clients} client threads;"
        f" {args.cases:,} bulk cases, {woken:,} clock wake-ups spread over the run;"
        f" warm-up {args.warmup} min",
        "mix per 100 requests: " + ", ".join(f"{kind} {weight}" for kind, weight in MIX.items()),
    ]
    table, _ = soak_report.verdict(run)
    print(
        "\n\n".join(
            ["\n".join(heading), soak_tables.minute_table(run), soak_tables.kind_table(run), table]
        )
    )
    if args.csv:
        soak_tables.write_csv(run, args.csv)
        _say(f"wrote {args.csv}")
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=int, default=20, help="minutes of traffic (20)")
    parser.add_argument(
        "--warmup", type=int, default=2, help="first minutes not judged (2): RSS from minute 3"
    )
    parser.add_argument("--rate", type=float, default=40.0, help="requests per second (40)")
    parser.add_argument(
        "--clients", type=int, default=64, help="client threads, enough to keep the rate (64)"
    )
    parser.add_argument("--cases", type=int, default=20_000, help="bulk cases (20000)")
    parser.add_argument("--csv", metavar="FILE", help="also write the per-minute figures here")
    parser.add_argument("--scheduler-process", action="store_true", help=argparse.SUPPRESS)
    database.add_arguments(parser, keep=f"the database {DATABASE}")
    args = parser.parse_args(argv)
    if args.minutes < 1 or args.warmup < 0 or args.rate <= 0 or args.clients < 1:
        parser.error("--minutes, --rate and --clients must be positive, --warmup not negative")
    return args


def prepare(env: dict[str, str]) -> str:
    """Migrate; add the staff member with a password and a Slack id; return a pii token."""
    database._flask(env, "db", "upgrade")
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "staff", "add"]
    command += ["--name", "Bench Runner", "--email", database.STAFF_EMAIL, "--role", "staff"]
    command += ["--slack-user-id", load.SLACK_USER, "--password-stdin"]
    done = subprocess.run(
        command,
        cwd=load.ROOT,
        env=env,
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"flask staff add failed:\n{done.stderr}")
    return database._flask(
        env, "tokens", "create", "--staff", database.STAFF_EMAIL, "--scope", "pii"
    ).strip()


def soak(args, env: dict[str, str], url: str, target: Target) -> soak_report.Run:
    """Serve the product and the scheduler, send the traffic and sample every minute."""
    connections, loads = {}, {}
    with (
        scheduling(env) as (scheduler, log),
        load.serving("wsgi:app", env, workers=WORKERS) as base,
    ):
        master = soak_probe.gunicorn_master()
        cookie = sign_in(base, database.STAFF_EMAIL, PASSWORD)
        target = Target(base, target.token, target.secret, cookie, target.references)
        traffic = Traffic(target, rate=args.rate, seconds=args.minutes * 60, clients=args.clients)
        _say(f"serving at {base}; {args.minutes} min of traffic from {datetime.now(UTC):%H:%M:%S}")
        traffic.start()
        probe = soak_probe.Probe(master, scheduler.pid, traffic.started)
        probe.start()
        try:
            for minute in range(1, args.minutes + 1):
                time.sleep(max(0.0, minute * 60 - traffic.elapsed()))
                loads[minute] = os.getloadavg()[0]
                with psycopg.connect(url, autocommit=True) as conn:
                    connections[minute] = conn.execute(
                        CONNECTIONS, (url.rsplit("/", 1)[1],)
                    ).fetchone()[0]
                if soak_probe.read(master, 0) is None:
                    raise RuntimeError("the gunicorn master has stopped")
                if scheduler.poll() is not None:
                    raise RuntimeError("the scheduler process has stopped")
                _progress(minute, args.minutes, traffic, probe, log)
            traffic.wait()
        finally:
            traffic.stop()
            probe.stop()
        zero = traffic.started
        sweeps = [
            (None if start is None else start - zero, end - zero, ok)
            for start, end, ok in _sweeps(log)
        ]
    minutes = soak_report.minutes_of(
        traffic.snapshot(),
        probe.readings,
        count=args.minutes,
        db_connections=connections,
        sweeps=sweeps,
        loads=loads,
    )
    return soak_report.Run(minutes, args.warmup, WORKERS, list(probe.workers), sweeps)


@contextmanager
def scheduling(env: dict[str, str]):
    """Run the dedicated scheduler process; yield it and its log lines with their times."""
    command = [sys.executable, str(Path(__file__).resolve()), "--scheduler-process"]
    process = subprocess.Popen(
        command, cwd=load.ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: list[tuple[float, str]] = []

    def read() -> None:
        for line in process.stdout:
            lines.append((time.monotonic(), line.rstrip("\n")))

    threading.Thread(target=read, name="soak-scheduler-log", daemon=True).start()
    try:
        deadline = time.monotonic() + load.START_TIMEOUT
        while not any("scheduler running" in line for _, line in lines):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = "\n".join(line for _, line in lines[-20:])
                raise RuntimeError(f"the scheduler did not start:\n{tail}")
            time.sleep(0.1)
        yield process, lines
    finally:
        process.terminate()  # SIGTERM: the running tick finishes first
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_scheduler() -> int:
    """Run every job as `flask --app wsgi scheduler` does, with the sweep every minute."""
    import logging

    import slackbot
    from casetracker import create_app
    from casetracker.jobs import scheduler
    from casetracker.jobs.schedule import SWEEP_MINUTES as SWEEP_SETTING

    app = create_app({SWEEP_SETTING: SWEEP_MINUTES})
    slackbot.init_app(app)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # Beyond the CLI's logging: each job's start, to time the sweeps.
    logging.getLogger("apscheduler.executors").setLevel(logging.INFO)
    print("scheduler running", flush=True)
    with app.app_context():
        scheduler.run_forever(app)
    return 0


def _sweeps(log: list[tuple[float, str]]) -> list[tuple[float | None, float, bool]]:
    """Each SLA sweep: when it started and ended, and whether it ran without errors."""
    bad = ("failed", "could not run", "skipped")
    sweeps, start = [], None
    for at, line in list(log):
        if 'Running job "sla-sweep ' in line:
            start = at
        elif "sla-sweep: " in line:
            sweeps.append((start, at, not any(word in line for word in bad)))
            start = None
    return sweeps


def _progress(minute: int, total: int, traffic: Traffic, probe: soak_probe.Probe, log) -> None:
    done = [s for s in traffic.snapshot() if (minute - 1) * 60 <= s.due < minute * 60]
    ms = [s.ms for s in done]
    rss = [
        series[-1].rss_kb / 1024 for label, series in probe.readings.items() if "worker" in label
    ]
    sweep = next(
        (line.split("sla-sweep: ", 1)[1] for _, line in reversed(log) if "sla-sweep: " in line),
        "none yet",
    )
    _say(
        f"minute {minute}/{total}: {len(done):,} answered, p99 {soak_report.percentile(ms, 99):.1f}"
        f" ms, {sum(1 for s in done if s.status >= 500)} 5xx; worker RSS"
        f" {min(rss, default=0):.1f}-{max(rss, default=0):.1f} MB; last sweep: {sweep}"
    )


def _say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        _say("interrupted; every server it started is stopped")
        sys.exit(130)

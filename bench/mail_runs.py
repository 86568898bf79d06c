"""Prepare the database and the mailbox, then start each measured child and check its work."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(__file__).resolve().with_name("mail.py")
CHILD_TIMEOUT = 3600

FLOOR_TABLE = """
CREATE TABLE bench_raw_messages (
    uid bigint PRIMARY KEY,
    received_at timestamptz NOT NULL,
    data bytea NOT NULL
)
"""
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


def prepare(url: str) -> None:
    """Migrate the fresh database and add the floor's table."""
    _migrate(url)
    with psycopg.connect(url) as conn:
        conn.execute(FLOOR_TABLE)


def _migrate(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(48)}
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"]
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"flask db upgrade failed:\n{done.stderr}")


def measure(args, sizes: list[int], server, url: str, attachments: Path) -> list[Size]:
    """Fill INBOX up to each size in turn and time --runs of product and floor at each."""
    from tests.mail_generated import bulk

    results, in_mailbox, mailbox_bytes = [], 0, 0
    for size in sizes:
        say(f"{size:,} messages: appending {size - in_mailbox:,} to Dovecot's INBOX")
        more = islice(
            bulk(
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
                reset(url, attachments)
                run = spawn(role, server, url, attachments)
                _check(role, run, url, attachments, size, args)
                runs[role].append(run)
                say(
                    f"{size:,} messages, run {number + 1}/{args.runs}, {role}: {run.rate:,.1f}"
                    f" messages/s, peak RSS {run.peak_rss_mb:.1f} MB"
                )
        results.append(Size(size, mailbox_bytes / 1e6, runs["product"], runs["floor"]))
    reset(url, attachments)
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


def reset(url: str, attachments: Path) -> None:
    """Empty the tables the import writes and delete the attachments directory."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(RESET)
        conn.execute("CHECKPOINT")  # the previous run's WAL is not written during the next
    shutil.rmtree(attachments, ignore_errors=True)


def spawn(role: str, server, url: str, attachments: Path, **extra) -> Run:
    """Run one product or floor import in a child process of its own and return its figures."""
    spec = {"role": role, "imap": server.settings(), "url": url, "attachments": str(attachments)}
    spec.update(extra)
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--child", json.dumps(spec)],
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


def say(message: str) -> None:
    """Print a progress line to stderr."""
    print(f"bench: {message}", file=sys.stderr, flush=True)

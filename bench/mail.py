"""Import 1,000 messages from Dovecot into PostgreSQL: the mail importer against a raw floor.

A private Dovecot (tests/imap.py) gets the messages of tests/mail_generated.bulk (every tenth
with a 1 MiB attachment) in its INBOX, first the smaller size (250), then up to the larger
(1,000). A fresh PostgreSQL database (casetracker_bench_mail) is migrated once. At each size,
each run is a fresh child process, so that its peak RSS (VmHWM) is its own:

  product  one fetch_mail run (the fetch-mail job, in-process in the child) importing all of
           INBOX: download in 1 MiB slices, parse, attachments to ATTACHMENTS_DIR, rows.
  floor    the least any importer does with the same library: imapclient fetches each
           message in the same 1 MiB slices, psycopg inserts the raw bytes (bytea) into
           bench_raw_messages, one transaction per message. Nothing else.

Between runs the tables the import writes are truncated (and a CHECKPOINT taken), and the
attachments directory is deleted; the mailbox is never changed. Each size runs --runs times,
product and floor alternating which goes first; the table shows the median messages/s, the
median CPU time per message of the child itself (user + system; the waits for Dovecot and
PostgreSQL are not in it) and the largest peak RSS. Targets: product >= 0.3 x floor, peak RSS
< 200 MB (10^6 bytes), and peak RSS at the larger size within 10 % of the smaller one.

About 5 minutes with the defaults (the mailbox is about 144 MB at 1,000 messages); --phases
adds one more product run timed phase by phase, --profile one more under cProfile.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import database
import mail_children
import mail_runs
from mail_runs import ROOT, Run, Size, say

DATABASE = "casetracker_bench_mail"
MESSAGES = 1000
SMALL = 250
RUNS = 3
TARGET_RATIO = 0.3
TARGET_RSS_MB = 200.0
TARGET_FLAT = 0.10


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or, with --child, one measured run) and print the table."""
    args = parse_args(argv)
    if args.child:
        print(json.dumps(mail_children.child(json.loads(args.child))))
        return 0
    sys.path.insert(0, str(ROOT))  # tests.imap and tests.mail_generated
    from tests import imap as test_imap

    if not Path(test_imap.DOVECOT).exists():
        sys.exit(f"bench: Dovecot not found at {test_imap.DOVECOT} (apt-get install dovecot-imapd)")
    sizes = sorted({size for size in (args.small, args.messages) if size > 0})
    url = f"{args.postgres}/{DATABASE}"
    attachments = Path(tempfile.mkdtemp(prefix="casetracker-bench-mail-"))
    started = _machine()
    say(f"creating {DATABASE}")
    database.recreate(args.postgres, DATABASE)
    try:
        mail_runs.prepare(url)
        with test_imap.private_dovecot() as server:
            results = mail_runs.measure(args, sizes, server, url, attachments / "files")
            print(table(results, args, started))
            if args.phases:
                _phases(server, url, attachments / "files", sizes[-1])
            if args.profile:
                _profile(args, server, url, attachments / "files", sizes[-1])
    finally:
        shutil.rmtree(attachments, ignore_errors=True)
        if not args.keep:
            database.drop(args.postgres, DATABASE)
    return 0


def _profile(args, server, url: str, attachments: Path, size: int) -> None:
    import pstats

    say(f"{size:,} messages: one more product run under cProfile, to {args.profile}")
    mail_runs.reset(url, attachments)
    run = mail_runs.spawn(
        "product", server, url, attachments, profile=str(Path(args.profile).resolve())
    )
    mail_runs.reset(url, attachments)
    print(
        f"\nProfiled product run ({size:,} messages, {run.rate:,.1f} messages/s under cProfile),"
        f" top {args.profile_top} functions by own time:"
    )
    stats = pstats.Stats(args.profile, stream=sys.stdout)
    stats.sort_stats("tottime").print_stats(args.profile_top)
    print("... and by cumulative time:")
    stats.sort_stats("cumulative").print_stats(args.profile_top)


def _phases(server, url: str, attachments: Path, size: int) -> None:
    say(f"{size:,} messages: one more product run with a timer around each phase")
    mail_runs.reset(url, attachments)
    run = mail_runs.spawn("product", server, url, attachments, phases=True)
    mail_runs.reset(url, attachments)
    print(phase_table(run))


def phase_table(run: Run) -> str:
    """Where one product run's wall-clock time went, by phase, with its SQL round trips."""
    phases = dict(run.phases)
    sql = phases.pop("sql")
    lines = [
        f"\nWhere the product's time goes ({run.messages:,} messages, {run.seconds:.1f} s,"
        f" {run.rate:.1f} messages/s; wall-clock timers around each phase):",
        "",
        f"{'phase':<58} {'s':>6} {'share':>6} {'ms/msg':>7}",
    ]
    for name, seconds in phases.items():
        lines.append(
            f"{name:<58} {seconds:>6.2f} {seconds / run.seconds:>6.0%}"
            f" {seconds / run.messages * 1000:>7.2f}"
        )
    per = ", ".join(f"{count / run.messages:.2f} {name}" for name, count in sql.items())
    lines.append(f"\nSQL per message: {per} (the floor: 1 INSERT, autocommitted)")
    return "\n".join(lines)


def table(results: list[Size], args, started: str) -> str:
    """Format each size's figures side by side, and say which targets are met."""
    every = (
        f"every {_ordinal(args.attachment_every)}message with a"
        f" {args.attachment_size / 1024 / 1024:g} MiB attachment"
        if args.attachment_every
        else "no attachments"
    )
    lines = [
        f"Mail import benchmark, {started}; {every}; median messages/s and CPU ms/msg,"
        f" largest peak RSS (VmHWM, MB = 10^6 bytes) of {args.runs} runs",
        "",
        f"{'messages':>8} {'mailbox MB':>10} {'product msg/s':>13} {'floor msg/s':>11}"
        f" {'ratio':>6} {'CPU ms/msg: product':>19} {'floor':>5}"
        f" {'product RSS MB':>14} {'(setup)':>8} {'floor RSS MB':>12}",
    ]
    for size in results:
        lines.append(
            f"{size.messages:>8,} {size.mailbox_mb:>10.1f} {size.rate('product'):>13.1f}"
            f" {size.rate('floor'):>11.1f} {size.ratio:>6.2f} {size.cpu_ms('product'):>19.1f}"
            f" {size.cpu_ms('floor'):>5.1f} {size.peak('product'):>14.1f}"
            f" {size.setup('product'):>8.1f} {size.peak('floor'):>12.1f}"
        )
    lines.append("")
    worst = min(size.ratio for size in results)
    lines.append(
        f"ratio >= {TARGET_RATIO:g} x floor: lowest {worst:.2f} ({_met(worst >= TARGET_RATIO)})"
    )
    peak = max(size.peak("product") for size in results)
    lines.append(
        f"product peak RSS < {TARGET_RSS_MB:.0f} MB: {peak:.1f} MB ({_met(peak < TARGET_RSS_MB)})"
    )
    if len(results) > 1:
        small, large = results[0], results[-1]
        growth = large.peak("product") / small.peak("product") - 1
        lines.append(
            f"flat in messages: {large.messages:,} vs {small.messages:,} messages"
            f" {growth:+.1%} (within {TARGET_FLAT:.0%}: {_met(abs(growth) <= TARGET_FLAT)})"
        )
    for size in results:
        lines.append(
            f"{size.messages:,} messages, each run (msg/s): product"
            f" {', '.join(f'{r.rate:.1f}' for r in size.product)}; floor"
            f" {', '.join(f'{r.rate:.1f}' for r in size.floor)}; run by run ratios"
            f" {', '.join(f'{ratio:.2f}' for ratio in size.paired)}"
        )
    return "\n".join(lines)


def _machine() -> str:
    load = os.getloadavg()[0]
    return f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, load average {load:.1f}"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--messages", type=int, default=MESSAGES, help="messages at the larger size (%(default)s)"
    )
    parser.add_argument(
        "--small",
        type=int,
        default=SMALL,
        help="messages at the smaller size, to see RSS flat in N; 0 to skip (%(default)s)",
    )
    parser.add_argument(
        "--runs", type=int, default=RUNS, help="runs of each side at each size (%(default)s)"
    )
    parser.add_argument(
        "--attachment-every",
        type=int,
        default=10,
        help="every Nth message has an attachment; 0 for none (%(default)s)",
    )
    parser.add_argument(
        "--attachment-size",
        type=int,
        default=1024 * 1024,
        help="attachment size in bytes (%(default)s)",
    )
    parser.add_argument(
        "--phases",
        action="store_true",
        help="after measuring, time one more product run at the larger size phase by phase"
        " (IMAP, parsing, SQL, commits) and print where its time goes",
    )
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="after measuring, profile one more product run at the larger size with cProfile,"
        " write the stats to FILE and print the costliest functions",
    )
    parser.add_argument(
        "--profile-top",
        type=int,
        default=25,
        help="functions to print with --profile (%(default)s)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)  # one measured run, internal
    database.add_arguments(parser, keep=f"the database {DATABASE}")
    args = parser.parse_args(argv)
    if args.messages < 1 or args.runs < 1 or args.small < 0 or args.attachment_every < 0:
        parser.error("--messages and --runs must be positive, --small and --attachment-every >= 0")
    return args


def _ordinal(n: int) -> str:
    return {1: "", 2: "second ", 3: "third "}.get(n, f"{n}th ")


def _met(met: bool) -> str:
    return "met" if met else "MISSED"


if __name__ == "__main__":
    sys.exit(main())

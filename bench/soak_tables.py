"""The soak's tables: one line per minute, latencies per kind, and the CSV file."""

from __future__ import annotations

import csv
import math

from soak_report import Minute, Run, labels, mb, percentile, windows
from soak_traffic import MIX, expected


def minute_table(run: Run) -> str:
    """One line per minute: requests, latencies, memory and descriptors, sweeps, load."""
    workers = [label for label in labels(run) if label.startswith("worker")]
    lines = [
        f"{'min':>3} {'req':>5} {'5xx':>3} {'fail':>4} {'p50 ms':>6} {'p99 ms':>6}"
        f"  {'worker RSS MB':<{6 * len(workers)}} {'worker fds':<{4 * len(workers)}}"
        f" {'master MB/fd':>12} {'sched MB/fd':>12} {'db':>3} {'sweep s':>7} {'late':>4}"
        f" {'cpu ms/req':>10}"
        f" {'cpu % srv/cli':>13} {'load':>5}"
    ]
    for m in run.minutes:
        latencies = [s.ms for s in m.samples]
        rss = "".join(f"{mb(m.rss_kb.get(w)):>6}" for w in workers)
        fds = "".join(f"{m.fds[w][0] if w in m.fds else '-':>4}" for w in workers)
        lines.append(
            f"{m.number:>3} {len(m.samples):>5} {m.server_errors:>3} {m.failures:>4}"
            f" {percentile(latencies, 50):>6.1f} {percentile(latencies, 99):>6.1f}"
            f"  {rss} {fds} {_process(m, 'master'):>12} {_process(m, 'scheduler'):>12}"
            f" {m.db_connections if m.db_connections is not None else '-':>3}"
            f" {_seconds(m.sweep_seconds):>7} {m.late:>4} {m.cpu_ms_per_request:>10.1f}"
            f" {f'{m.server_cpu:.0f} / {m.client_cpu:.0f}':>13}"
            f" {m.load if m.load is not None else math.nan:>5.2f}"
        )
    lines.append(
        "RSS: the minute's last reading; fds: the fewest open in its readings (every 5 s), so a"
        " request's socket open at that instant does not count; db: connections to the database;"
        " sweep s: the SLA sweep started in the minute, its duration; late: requests started over"
        " 1 s after their slot; cpu ms/req: the server processes' CPU time per request;"
        " cpu %: percent of one CPU used by the server processes (workers, master, scheduler)"
        " and by the load generator"
    )
    return "\n".join(lines)


def kind_table(run: Run) -> str:
    """Per kind of request: count, failures, latencies in the first and last windows."""
    compared = windows(run)
    lines = [
        f"{'kind':<12} {'requests':>8} {'not ok':>6}   {'first p50/p99 ms':>17}"
        f"   {'last p50/p99 ms':>16}"
    ]
    for kind in MIX:
        every = [s for m in run.minutes for s in m.samples if s.kind == kind]
        bad = sum(1 for s in every if not expected(s.kind, s.status))
        row = f"{kind:<12} {len(every):>8} {bad:>6}"
        if compared:
            for window in compared:
                ms = [s.ms for m in window for s in m.samples if s.kind == kind]
                row += f"   {percentile(ms, 50):>7.1f} / {percentile(ms, 99):>6.1f}"
        lines.append(row)
    return "\n".join(lines)


def write_csv(run: Run, path: str) -> None:
    """One row per minute, every figure of the minute table plus p99 per kind."""
    names = labels(run)
    header = ["minute", "requests", "5xx", "failures", "late", "p50_ms", "p99_ms"]
    header += ["db_connections", "sweep_seconds", "sweep_failures", "load"]
    header += ["server_cpu_percent", "client_cpu_percent", "server_cpu_ms_per_request"]
    header += [f"{label}_{what}" for label in names for what in ("rss_kb", "fds_min", "fds_max")]
    header += [f"p99_ms_{kind}" for kind in MIX]
    with open(path, "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([name.replace(" ", "_") for name in header])
        for m in run.minutes:
            ms = [s.ms for s in m.samples]
            row = [m.number, len(m.samples), m.server_errors, m.failures, m.late]
            row += [_round(percentile(ms, 50)), _round(percentile(ms, 99)), m.db_connections]
            row += [_round(m.sweep_seconds), m.sweep_failures, _round(m.load)]
            row += [_round(m.server_cpu), _round(m.client_cpu), _round(m.cpu_ms_per_request)]
            for label in names:
                low, high = m.fds.get(label, (None, None))
                row += [m.rss_kb.get(label), low, high]
            row += [_round(percentile([s.ms for s in m.samples if s.kind == k], 99)) for k in MIX]
            writer.writerow(row)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _process(minute: Minute, label: str) -> str:
    if label not in minute.rss_kb:
        return "-"
    return f"{mb(minute.rss_kb[label])}/{minute.fds[label][0]}"

"""The soak's figures gathered per minute, and the verdict against its targets."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from soak_probe import Reading
from soak_traffic import Sample, expected

RSS_GROWTH_TARGET = 0.10
P99_RATIO_TARGET = 1.20
WINDOW = 5  # minutes compared for p99, at the start (after warm-up) and at the end


@dataclass
class Minute:
    number: int  # 1-based
    samples: list[Sample]
    rss_kb: dict[str, int]  # the minute's last reading, 2.5 s before its end
    fds: dict[str, tuple[int, int]]  # fewest and most open in the minute's readings
    db_connections: int | None
    sweep_seconds: float | None  # the longest sweep started in the minute
    sweep_failures: int
    load: float | None
    server_cpu: float  # percent of one CPU: workers, master and scheduler together
    client_cpu: float  # the same for this process, the load generator

    @property
    def server_errors(self) -> int:
        return sum(1 for s in self.samples if s.status >= 500)

    @property
    def cpu_ms_per_request(self) -> float:
        """Server CPU time per request in the minute (the CPU share over its requests)."""
        return self.server_cpu * 600 / len(self.samples) if self.samples else math.nan

    @property
    def late(self) -> int:
        """Requests that started over a second after their slot: the rate was not kept."""
        return sum(1 for s in self.samples if s.lag > 1.0)

    @property
    def failures(self) -> int:
        """Answers that are neither as expected nor 5xx (other statuses, no answer)."""
        return sum(1 for s in self.samples if s.status < 500 and not expected(s.kind, s.status))


@dataclass
class Run:
    minutes: list[Minute]
    warmup: int
    workers: int
    worker_pids: list[int]
    sweeps: list[tuple[float | None, float, bool]]  # start and end (s after the start), ok


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile; nan for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def minutes_of(
    samples: list[Sample],
    readings: dict[str, list[Reading]],
    *,
    count: int,
    db_connections: dict[int, int],
    sweeps: list[tuple[float | None, float, bool]],
    loads: dict[int, float],
) -> list[Minute]:
    """Gather each minute's requests (by scheduled time), readings and sweeps."""
    result = []
    for number in range(1, count + 1):
        server_cpu, client_cpu = _cpu(readings, number)

        def within(at: float, number: int = number) -> bool:
            return (number - 1) * 60 <= at < number * 60

        rss, fds = {}, {}
        for label, series in readings.items():
            mine = [r for r in series if within(r.at)]
            if mine:
                rss[label] = mine[-1].rss_kb
                fds[label] = (min(r.fds for r in mine), max(r.fds for r in mine))
        ran = [
            (end - start, ok) for start, end, ok in sweeps if start is not None and within(start)
        ]
        result.append(
            Minute(
                number,
                [s for s in samples if within(s.due)],
                rss,
                fds,
                db_connections.get(number),
                max((seconds for seconds, _ in ran), default=None),
                sum(1 for _, ok in ran if not ok),
                loads.get(number),
                server_cpu,
                client_cpu,
            )
        )
    return result


def _cpu(readings: dict[str, list[Reading]], number: int) -> tuple[float, float]:
    """CPU use in the minute, percent of one CPU: the server processes', the client's."""
    shares = {"server": 0.0, "client": 0.0}
    for label, series in readings.items():
        before = [r for r in series if r.at < (number - 1) * 60] or series[:1]
        upto = [r for r in series if r.at < number * 60]
        if not before or not upto or upto[-1].at <= before[-1].at:
            continue
        used = (upto[-1].cpu_s - before[-1].cpu_s) / (upto[-1].at - before[-1].at) * 100
        shares["client" if label == "client" else "server"] += used
    return shares["server"], shares["client"]


def windows(run: Run) -> tuple[list[Minute], list[Minute]] | None:
    """The first and last minutes compared for p99, or None if the run is too short."""
    after = run.minutes[run.warmup :]
    width = min(WINDOW, len(after) // 2)
    if width < 1:
        return None
    return after[:width], after[-width:]


def labels(run: Run) -> list[str]:
    workers = [f"worker {n}" for n in range(1, len(run.worker_pids) + 1)]
    return [*workers, "master", "scheduler"]


def verdict(run: Run) -> tuple[str, list[list[str]]]:
    """Judge the run against the targets; return the table and its rows (for the CSV)."""
    rows = []
    # RSS: the first minute after warm-up (minute 3 by default) against the last one.
    after_warmup = run.minutes[run.warmup :]
    first, last = (after_warmup[0], after_warmup[-1]) if len(after_warmup) > 1 else (None, None)
    for label in labels(run):
        if first is None or label not in first.rss_kb or label not in last.rss_kb:
            rows.append([f"RSS growth, {label}", "n/a (run too short)", "< 10 %", "n/a"])
            continue
        growth = last.rss_kb[label] / first.rss_kb[label] - 1
        measured = (
            f"{mb(first.rss_kb[label])} -> {mb(last.rss_kb[label])} MB"
            f" (min {first.number} -> {last.number}): {growth:+.1%}"
        )
        rows.append([f"RSS growth, {label}", measured, "< 10 %", _met(growth < RSS_GROWTH_TARGET)])
    # Descriptors: the fewest open in the first and in the last window of minutes.
    compared = windows(run)
    for label in labels(run):
        floors = compared and [[m.fds[label][0] for m in w if label in m.fds] for w in compared]
        if not floors or not all(floors):
            rows.append([f"descriptors, {label}", "n/a (run too short)", "no growth", "n/a"])
            continue
        before, after = min(floors[0]), min(floors[1])
        measured = f"{before} -> {after} (fewest in {_span(compared[0])} -> {_span(compared[1])})"
        rows.append([f"descriptors, {label}", measured, "no growth", _met(after <= before)])
    compared = windows(run)
    if compared is None:
        rows.append(["p99, last vs first minutes", "n/a (run too short)", "<= 1.20 x", "n/a"])
    else:
        start, end = ([s.ms for m in w for s in m.samples] for w in compared)
        ratio = percentile(end, 99) / percentile(start, 99)
        span = [_span(w) for w in compared]
        measured = (
            f"{percentile(start, 99):.1f} ms ({span[0]}) -> {percentile(end, 99):.1f} ms"
            f" ({span[1]}): {ratio:.2f} x"
        )
        rows.append(["p99, last vs first minutes", measured, "<= 1.20 x", _met(ratio <= 1.2)])
    if compared is not None:
        start, end = (
            sum(m.server_cpu * 600 for m in w) / sum(len(m.samples) for m in w) for w in compared
        )
        rows.append(
            [
                "server CPU per request (check)",
                f"{start:.1f} ms -> {end:.1f} ms: {end / start:.2f} x",
                "<= 1.20 x",
                _met(end / start <= P99_RATIO_TARGET),
            ]
        )
    server_errors = sum(m.server_errors for m in run.minutes)
    failures = sum(m.failures for m in run.minutes)
    total = sum(len(m.samples) for m in run.minutes)
    rows.append(["5xx answers", f"{server_errors} of {total:,}", "0", _met(server_errors == 0)])
    rows.append(
        ["other failures", f"{failures} (other status, no answer)", "0", _met(failures == 0)]
    )
    starts = [start for start, _, _ in run.sweeps if start is not None]
    during = [at for at in starts if 0 <= at < len(run.minutes) * 60]
    failed = sum(1 for _, _, ok in run.sweeps if not ok)
    gap = max((b - a for a, b in itertools.pairwise(starts)), default=math.inf)
    longest = max((end - start for start, end, _ in run.sweeps if start is not None), default=0)
    rows.append(
        [
            "SLA sweep every minute (check)",
            f"{len(during)} started in the run, {failed} failed; longest gap between starts"
            f" {gap:.0f} s; longest sweep {longest:.1f} s",
            "gap <= 90 s",
            _met(failed == 0 and gap <= 90 and len(during) >= len(run.minutes)),
        ]
    )
    late = sum(m.late for m in run.minutes)
    worst = max((s.lag for m in run.minutes for s in m.samples), default=0)
    rows.append(
        [
            "rate kept (check)",
            f"{late} requests over 1 s late; at worst {worst:.1f} s",
            "0",
            _met(late == 0),
        ]
    )
    restarts = len(run.worker_pids) - run.workers
    rows.append(
        [
            "worker restarts (check)",
            f"{restarts} ({len(run.worker_pids)} pids seen)",
            "0",
            _met(restarts == 0),
        ]
    )
    width = max(len(row[1]) for row in rows)
    lines = [f"{'':<32} {'measured':<{width}}  {'target':<12} met"]
    lines += [
        f"{name:<32} {measured:<{width}}  {target:<12} {met}"
        for name, measured, target, met in rows
    ]
    return "\n".join(lines), rows


def mb(kb: int | None) -> str:
    return "-" if kb is None else f"{kb / 1024:.1f}"


def _span(window: list[Minute]) -> str:
    return f"min {window[0].number}-{window[-1].number}"


def _met(ok: bool) -> str:
    return "yes" if ok else "MISSED"

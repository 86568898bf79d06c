"""Resident memory and open descriptors of the soak's server processes, read from /proc."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")
EVERY = 5.0  # seconds between samples
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Reading:
    at: float  # seconds after the traffic started
    pid: int
    rss_kb: int
    fds: int
    cpu_s: float  # user and system time since the process started


@dataclass
class Probe:
    """Sample the gunicorn master, its workers and the scheduler every few seconds."""

    master: int
    scheduler: int
    started: float
    readings: dict[str, list[Reading]] = field(default_factory=dict)
    workers: list[int] = field(default_factory=list)  # in the order first seen
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="soak-probe", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def sample(self) -> None:
        """Read every process once; a worker seen for the first time gets the next label."""
        at = time.monotonic() - self.started
        for pid in sorted(children(self.master)):
            if pid not in self.workers:
                self.workers.append(pid)
        # The client (this process) is read for its CPU time; it is not judged.
        processes = {"master": self.master, "scheduler": self.scheduler, "client": os.getpid()}
        processes.update({f"worker {n}": pid for n, pid in enumerate(self.workers, 1)})
        for label, pid in processes.items():
            reading = read(pid, at)
            if reading is not None:
                self.readings.setdefault(label, []).append(reading)

    def _run(self) -> None:
        # Half-way between boundaries (2.5 s, 7.5 s, … 57.5 s): each reading is plainly in
        # one minute, and the minute's last one is 2.5 s before its end.
        while True:
            since = time.monotonic() - self.started - EVERY / 2
            if self._stop.wait(EVERY - since % EVERY if since > 0 else -since):
                return
            self.sample()


def read(pid: int, at: float) -> Reading | None:
    """Return the process's VmRSS and descriptor count, or None once it has gone."""
    try:
        status = (PROC / str(pid) / "status").read_text()
        stat = (PROC / str(pid) / "stat").read_text()
        fds = len(os.listdir(PROC / str(pid) / "fd"))
    except OSError:
        return None
    rss = [line for line in status.splitlines() if line.startswith("VmRSS:")]
    if not rss:  # a zombie: exited, not yet reaped
        return None
    # utime and stime, fields 14 and 15, in clock ticks; counted from after the ")".
    ticks = sum(int(field) for field in stat.rpartition(")")[2].split()[11:13])
    return Reading(at, pid, int(rss[0].split()[1]), fds, ticks / TICKS)


def children(pid: int) -> list[int]:
    """Return the ids of the process's children."""
    found = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue
        # The command name, in parentheses, may hold spaces: the parent id follows the last ")".
        if int(stat.rpartition(")")[2].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def gunicorn_master() -> int:
    """Return the id of this process's gunicorn child (load.serving starts it)."""
    for pid in children(os.getpid()):
        command = (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ")
        if b"gunicorn" in command:
            return pid
    raise RuntimeError("no gunicorn process found among this process's children")

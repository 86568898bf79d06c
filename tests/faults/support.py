"""Shared pieces of the fault tests: the figures they yield, and servers that misbehave.

Each fault test asserts its outcome and also records the figure bench/README.md quotes; set
CASETRACKER_FAULT_FIGURES to a file path to collect them (one tab-separated line each).
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading

FIGURES = "CASETRACKER_FAULT_FIGURES"


def figure(fault: str, measured: str, value) -> None:
    """Record one measured figure of a fault test."""
    path = os.environ.get(FIGURES)
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(f"{fault}\t{measured}\t{value}\n")


class CuttingProxy:
    """A TCP proxy to a server that drops each connection after ``cut_after`` bytes from it,
    as a server that dies or a network that fails in the middle of a conversation."""

    def __init__(self, target: tuple[str, int], *, cut_after: int):
        self.target = target
        self.cut_after = cut_after
        self.cuts = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            threading.Thread(target=self._pump, args=(client, upstream, None), daemon=True).start()
            limit = self.cut_after
            threading.Thread(target=self._pump, args=(upstream, client, limit), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, limit: int | None) -> None:
        passed = 0
        try:
            while data := source.recv(4096):
                if limit is not None and passed + len(data) > limit:
                    sink.sendall(data[: limit - passed])
                    self.cuts += 1
                    break
                sink.sendall(data)
                passed += len(data)
        except OSError:
            pass
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()


class MoodySMTP:
    """An SMTP server's answers: a queue of refusals (e.g. ``("RCPT", "451 ...")``) given
    before it accepts, addresses it always refuses, and the envelopes it accepted."""

    def __init__(self):
        self.refusals: list[tuple[str, str]] = []
        self.refused_addresses: dict[str, str] = {}  # address -> the reply to its RCPT
        self.accepted = []
        self.refused = 0
        self.lock = threading.Lock()

    def _refusal(self, stage: str) -> str | None:
        with self.lock:
            if self.refusals and self.refusals[0][0] == stage:
                self.refused += 1
                return self.refusals.pop(0)[1]
        return None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if refusal := self._refusal("RCPT"):
            return refusal
        if address in self.refused_addresses:
            return self.refused_addresses[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if refusal := self._refusal("DATA"):
            return refusal
        with self.lock:
            self.accepted.append(envelope)
        return "250 OK"

"""A real IMAP server for tests: a private Debian Dovecot per test process, and its fixtures.

The root conftest loads this as a plugin. Messages go in with IMAP APPEND, as delivered mail
looks to a client; tests/mail_*.py build them. tests/imap_server.py runs the server.
"""

from __future__ import annotations

import contextlib
import imaplib
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import IN_CI
from tests.imap_server import DOVECOT, INDEX_FILES, PASSWORD, USERNAME, _prepare, _start, _stop


class ImapServer:
    """A running private Dovecot with one mailbox, and helpers to fill and inspect it."""

    def __init__(self, host: str, port: int, maildir: Path):
        self.host = host
        self.port = port
        self.username = USERNAME
        self.password = PASSWORD
        self.maildir = maildir

    def settings(self, **overrides) -> dict:
        """Return the app's IMAP settings for this server, with OVERRIDES."""
        return {
            "IMAP_HOST": self.host,
            "IMAP_PORT": self.port,
            "IMAP_USERNAME": self.username,
            "IMAP_PASSWORD": self.password,
            "IMAP_SECURITY": "none",
            "IMAP_FOLDER": "INBOX",
            **overrides,
        }

    @contextlib.contextmanager
    def connect(self) -> Iterator[imaplib.IMAP4]:
        """Log in as the mailbox's user; log out when the block ends."""
        client = imaplib.IMAP4(self.host, self.port, timeout=60)
        try:
            _check(client.login(self.username, self.password), "LOGIN")
            yield client
        finally:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                client.logout()

    def append(
        self,
        raw: bytes,
        *,
        folder: str = "INBOX",
        received_at: datetime | None = None,
        flags: Iterable[str] = (),
    ) -> int:
        """Deliver RAW to FOLDER (created if missing) and return its UID."""
        return self.append_many([raw], folder=folder, received_at=received_at, flags=flags)[0]

    def append_many(
        self,
        raws: Iterable[bytes],
        *,
        folder: str = "INBOX",
        received_at: datetime | None = None,
        flags: Iterable[str] = (),
    ) -> list[int]:
        """Deliver each of RAWS over one connection (for load tests); return their UIDs."""
        internal_date = None if received_at is None else imaplib.Time2Internaldate(received_at)
        flag_list = " ".join(flags)
        uids = []
        with self.connect() as client:
            if folder.upper() != "INBOX":
                _create(client, folder)
            for raw in raws:
                response = client.append(_quote(folder), flag_list, internal_date, raw)
                _check(response, "APPEND")
                uids.append(int(re.search(rb"\[APPENDUID \d+ (\d+)\]", response[1][0])[1]))
        return uids

    def clear(self, folder: str = "INBOX") -> None:
        """Empty FOLDER; clearing INBOX resets the whole account (folders, UIDs, keywords)."""
        with self.connect() as client:
            if folder.upper() != "INBOX":
                _empty(client, folder)
                return
            # Longest first: Dovecot refuses to delete a folder that still has children.
            for name in sorted(_folders(client), key=len, reverse=True):
                if name.upper() != "INBOX":
                    client.unsubscribe(_quote(name))
                    _check(client.delete(_quote(name)), f"DELETE {name}")
            _empty(client, "INBOX")
        self._forget_inbox()

    def count(self, folder: str = "INBOX") -> int:
        """Count the messages in FOLDER."""
        return self._status(folder, "MESSAGES")

    def uidvalidity(self, folder: str = "INBOX") -> int:
        """Return FOLDER's current UIDVALIDITY."""
        return self._status(folder, "UIDVALIDITY")

    def uidvalidity_reset(self, folder: str = "INBOX") -> int:
        """Recreate FOLDER empty with a new UIDVALIDITY and UIDs from 1; return the new value."""
        before = self.uidvalidity(folder)
        with self.connect() as client:
            if folder.upper() == "INBOX":
                _empty(client, folder)
            else:
                _check(client.delete(_quote(folder)), f"DELETE {folder}")
                _create(client, folder)
        if folder.upper() == "INBOX":
            self._forget_inbox()
        after = self.uidvalidity(folder)
        assert after != before, f"UIDVALIDITY of {folder} stayed {before}"
        return after

    def flags(self, folder: str = "INBOX") -> dict[int, set[str]]:
        """Return each message's flags by UID (without the per-session \\Recent)."""
        with self.connect() as client:
            typ, data = client.select(_quote(folder), readonly=True)
            _check((typ, data), f"EXAMINE {folder}")
            if int(data[0]) == 0:
                return {}
            typ, data = client.uid("FETCH", "1:*", "(FLAGS)")
            _check((typ, data), "UID FETCH FLAGS")
        flags = {}
        for line in data:
            uid = int(re.search(rb"UID (\d+)", line)[1])
            flags[uid] = {flag.decode() for flag in imaplib.ParseFlags(line)} - {"\\Recent"}
        return flags

    def folders(self) -> list[str]:
        """List every folder of the account, INBOX included."""
        with self.connect() as client:
            return _folders(client)

    def _status(self, folder: str, item: str) -> int:
        with self.connect() as client:
            typ, data = client.status(_quote(folder), f"({item})")
        _check((typ, data), f"STATUS {folder}")
        return int(re.search(rf"{item} (\d+)".encode(), data[0])[1])

    def _forget_inbox(self) -> None:
        # IMAP cannot delete INBOX. Without its UID list and indexes Dovecot starts it afresh
        # (new UIDVALIDITY from its counter, UIDs from 1), as after a restore on a real server.
        root = self.maildir / self.username
        for path in [*root.glob("dovecot.index*"), *(root / name for name in INDEX_FILES)]:
            path.unlink(missing_ok=True)


def _check(response: tuple, what: str) -> None:
    typ, data = response
    if typ != "OK":
        raise imaplib.IMAP4.error(f"{what}: {typ} {data!r}")


def _quote(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _create(client: imaplib.IMAP4, folder: str) -> None:
    typ, data = client.create(_quote(folder))
    if typ != "OK" and b"[ALREADYEXISTS]" not in data[0]:
        raise imaplib.IMAP4.error(f"CREATE {folder}: {typ} {data!r}")


def _empty(client: imaplib.IMAP4, folder: str) -> None:
    typ, data = client.select(_quote(folder))
    _check((typ, data), f"SELECT {folder}")
    if int(data[0]):
        _check(client.store("1:*", "+FLAGS.SILENT", "(\\Deleted)"), "STORE")
        _check(client.expunge(), "EXPUNGE")
    client.close()


def _folders(client: imaplib.IMAP4) -> list[str]:
    typ, data = client.list()
    _check((typ, data), "LIST")
    names = []
    for entry in data:
        if not entry:
            continue
        head, name = entry if isinstance(entry, tuple) else (entry, None)
        attributes, quoted = re.match(rb'\(([^)]*)\) (?:"[^"]*"|NIL) ?(.*)', head).groups()
        if b"\\Noselect" in attributes or b"\\NonExistent" in attributes:
            continue
        name = name.decode() if name is not None else quoted.decode()
        if name.startswith('"'):
            name = name[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        names.append(name)
    return names


@contextlib.contextmanager
def private_dovecot(binary: str = DOVECOT) -> Iterator[ImapServer]:
    """Run a Dovecot of our own, in a temporary directory on a free port, for the block."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    directory = Path(tempfile.mkdtemp(prefix=f"casetracker-dovecot-{worker}-"))
    try:
        _prepare(directory)
        port, process = _start(binary, directory)
        try:
            yield ImapServer("127.0.0.1", port, directory / "mail")
        finally:
            _stop(process)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def dovecot():
    """One Dovecot per test process, for every test that reads mail over IMAP."""
    if not Path(DOVECOT).exists():
        message = f"Dovecot not found at {DOVECOT} (apt-get install dovecot-imapd)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    with private_dovecot() as server:
        yield server


@pytest.fixture
def imap(dovecot):
    """The Dovecot mailbox, emptied and reset for this test."""
    dovecot.clear()
    return dovecot

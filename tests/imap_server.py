"""Configure, start and stop a private Debian Dovecot for tests, on a free port.

tests/imap.py runs one per test process and gives the tests their mailbox.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import time
from pathlib import Path

DOVECOT = os.environ.get("CASETRACKER_TEST_DOVECOT", "/usr/sbin/dovecot")


USERNAME = "privacy@example.test"


PASSWORD = "imap-test-password"


START_TIMEOUT = 30


INDEX_FILES = ("dovecot-uidlist", "dovecot-keywords", "subscriptions")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _config(directory: Path, port: int) -> str:
    return f"""\
base_dir = {directory}/run
# Ours, not /var/lib/dovecot: the machine's own Dovecot stays untouched.
state_dir = {directory}/state
log_path = {directory}/dovecot.log
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
# Debian gives the dovecot user a system uid, below Dovecot's default limit of 500.
first_valid_uid = {pwd.getpwnam("dovecot").pw_uid}
mail_location = maildir:{directory}/mail/%u
# Test mail needs no crash safety, and appends take a third less time without fsync.
mail_fsync = never
service imap-login {{
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {directory}/passwd
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={directory}/mail/%u
}}
"""


def _prepare(directory: Path) -> None:
    # Dovecot reads the passwd file and the mail as the dovecot user (it refuses uid 0).
    directory.chmod(0o711)
    for name in ("run", "state", "mail"):
        (directory / name).mkdir()
    shutil.chown(directory / "mail", "dovecot", "dovecot")
    passwd = directory / "passwd"
    passwd.write_text(f"{USERNAME}:{{PLAIN}}{PASSWORD}\n")
    passwd.chmod(0o644)


def _log(directory: Path) -> str:
    text = ""
    for name in ("stderr.log", "dovecot.log"):
        with contextlib.suppress(OSError):
            text += (directory / name).read_text(errors="replace")
    return text[-3000:]


def _greets(port: int) -> bool:
    try:
        # Dovecot holds the greeting back until its auth process is ready.
        with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
            return connection.recv(4).startswith(b"* OK")
    except OSError:
        return False


def _start(binary: str, directory: Path) -> tuple[int, subprocess.Popen]:
    conf = directory / "dovecot.conf"
    # Another process may take the free port before Dovecot binds it: try another one.
    for _attempt in range(3):
        port = _free_port()
        conf.write_text(_config(directory, port))
        with (directory / "stderr.log").open("wb") as stderr:
            process = subprocess.Popen(  # noqa: S603 - our own binary and arguments
                [binary, "-F", "-c", str(conf)], stdin=subprocess.DEVNULL, stderr=stderr
            )
        deadline = time.monotonic() + START_TIMEOUT
        while process.poll() is None and time.monotonic() < deadline:
            if _greets(port):
                return port, process
            time.sleep(0.02)
        if process.poll() is None:
            _stop(process)
            raise RuntimeError(f"Dovecot did not answer in {START_TIMEOUT}s:\n{_log(directory)}")
        if "Address already in use" not in _log(directory):
            break
    raise RuntimeError(f"Dovecot did not start:\n{_log(directory)}")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()

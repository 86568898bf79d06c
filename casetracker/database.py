"""The connection pool's health check, and two ways of using the session that save round
trips to PostgreSQL on the hot paths."""

from __future__ import annotations

import select
import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import Engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, scoped_session

from casetracker.extensions import db

# A pooled connection idle for longer than this is pinged before use, whatever its socket says.
PING_AFTER_IDLE_SECONDS = 10.0
_CHECKED_IN_AT = "casetracker_checked_in_at"
_ANYTHING_ON_THE_SOCKET = select.POLLIN | select.POLLERR | select.POLLHUP


def init_app(app: Flask) -> None:
    """Check pooled connections before handing them out (after db.init_app)."""
    with app.app_context():
        ping_idle_connections(db.engine)


def ping_idle_connections(engine: Engine) -> None:
    """Replace a pooled connection whose server went away, pinging only when in doubt.

    A connection can die while it sits in the pool: an administrator or a restart ended its
    server process, or a firewall dropped it. SQLAlchemy's ``pool_pre_ping`` pings on every
    checkout, a round trip on every request. Here a checkout costs no round trip unless there
    is a reason to doubt the connection:

    - a PostgreSQL server process that ends (``pg_terminate_backend``, a restart, a crash)
      says so on the socket, so a pooled connection with anything to read is pinged: one
      local ``poll``, no round trip, and no request is refused for a connection that died in
      the pool, however recently it was in use;
    - a connection dropped without a word (a firewall) shows nothing on its socket, so one
      idle for longer than PING_AFTER_IDLE_SECONDS is pinged as well.

    A dead connection is replaced before anything is sent on it, so nothing is ever retried:
    no statement can run twice. What this cannot save is a request whose connection dies
    while it is using it (between checkout and its last statement): that request answers 503
    ("the database is not reachable"), its transaction is rolled back unless COMMIT had
    reached the server, and SQLAlchemy then discards the rest of the pool.
    """

    @event.listens_for(engine, "checkin")
    def _checked_in(dbapi_connection, record) -> None:
        record.info[_CHECKED_IN_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, proxy) -> None:
        checked_in_at = record.info.get(_CHECKED_IN_AT)
        if checked_in_at is None:
            return  # a connection opened for this checkout
        idle = time.monotonic() - checked_in_at >= PING_AFTER_IDLE_SECONDS
        if not idle and not _server_spoke(dbapi_connection):
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError("the pooled connection is closed") from exc
        if not alive:
            raise DisconnectionError("the pooled connection is closed")


def _server_spoke(dbapi_connection) -> bool:
    """Tell whether an idle connection has something to read: its server process ended."""
    pgconn = getattr(dbapi_connection, "pgconn", None)  # psycopg; SQLite has no server
    if pgconn is None:
        return False
    if dbapi_connection.closed or dbapi_connection.broken:
        return True
    poller = select.poll()
    poller.register(pgconn.socket, _ANYTHING_ON_THE_SOCKET)
    return bool(poller.poll(0))


def read_outside_transaction(db_session: Session | scoped_session) -> None:
    """Let the rest of this request's reads run without BEGIN and ROLLBACK.

    On PostgreSQL the transaction around a read-only request's few statements costs two round
    trips of its own and buys nothing: at READ COMMITTED, the default, each statement takes
    its own snapshot inside a transaction as well. Call this before the request's first query;
    once the session holds a connection it does nothing. Writes are still possible afterwards,
    but each statement then commits on its own, so only single-statement writes belong in
    such a request. SQLite is left as it is: it has no round trips to save.
    """
    session = _session(db_session)
    if session.in_transaction() or session.get_bind().dialect.name != "postgresql":
        return
    session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


@contextmanager
def kept_loaded(db_session: Session | scoped_session) -> Iterator[None]:
    """Let a commit inside the block keep the objects' loaded state; expire it on leaving.

    After a commit the session normally forgets every attribute, so presenting the case just
    written reads it back: a new transaction and one query per relationship. What it holds is
    exactly what was written (no column is filled in by the database behind the ORM's back),
    so the block can present it from memory. Leaving the block expires everything, as the
    commit would have, so later reads in the same session see what others changed since.
    """
    session = _session(db_session)
    expiring = session.expire_on_commit
    session.expire_on_commit = False
    try:
        yield
    finally:
        session.expire_on_commit = expiring
        if expiring:
            session.expire_all()


def _session(db_session: Session | scoped_session) -> Session:
    return db_session() if isinstance(db_session, scoped_session) else db_session

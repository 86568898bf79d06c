"""The connection pool's health check, and two ways of using the session that save round
trips to PostgreSQL on the hot paths."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import Engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, scoped_session

from casetracker.extensions import db

# A pooled connection idle for longer than this is checked before use.
PING_AFTER_IDLE_SECONDS = 10.0
_CHECKED_IN_AT = "casetracker_checked_in_at"


def init_app(app: Flask) -> None:
    """Check idle pooled connections before handing them out (after db.init_app)."""
    with app.app_context():
        ping_idle_connections(db.engine)


def ping_idle_connections(engine: Engine) -> None:
    """Ping a pooled connection before use only when it has been idle for a while.

    A connection can die while it sits in the pool (the database restarted, a firewall
    dropped it), so it is checked with the dialect's ping before being handed out again, and
    replaced if the ping fails. SQLAlchemy's ``pool_pre_ping`` does that on every checkout,
    which costs a round trip on every request; a connection that was in use a moment ago is
    alive, so here only connections idle for longer than PING_AFTER_IDLE_SECONDS are pinged.
    If the database restarts under load, a request or two may still fail on a connection that
    was in use just before; SQLAlchemy then discards the whole pool.
    """

    @event.listens_for(engine, "checkin")
    def _checked_in(dbapi_connection, record) -> None:
        record.info[_CHECKED_IN_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, proxy) -> None:
        checked_in_at = record.info.get(_CHECKED_IN_AT)
        if checked_in_at is None or time.monotonic() - checked_in_at < PING_AFTER_IDLE_SECONDS:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError("the pooled connection is closed") from exc
        if not alive:
            raise DisconnectionError("the pooled connection is closed")


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

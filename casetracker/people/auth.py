"""Bearer-token authentication for the REST API."""

from __future__ import annotations

from datetime import timedelta
from functools import wraps

from flask import g, request
from flask_smorest import abort

from casetracker import timesource
from casetracker.database import read_outside_transaction
from casetracker.extensions import db
from casetracker.people import service

TOUCH_EVERY = timedelta(minutes=15)
# API reads run outside a transaction; the one write they may make (record_use) is one
# statement.
READ_METHODS = frozenset({"GET", "HEAD"})


def token_required(view):
    """Let the request through only with a valid bearer token; set ``g.actor``."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            abort(401, message="send an API token: 'Authorization: Bearer <token>'")
        if request.method in READ_METHODS:
            read_outside_transaction(db.session)
        bearer = service.authenticate(db.session, secret.strip())
        if bearer is None:
            abort(401, message="this API token is unknown or revoked")
        g.actor = bearer.actor()
        now = timesource.now()
        if bearer.last_used_at is None or now - bearer.last_used_at > TOUCH_EVERY:
            # For the admins' token list; not on every request, to keep reads cheap.
            service.record_use(db.session, bearer, now=now)
        return view(*args, **kwargs)

    return wrapper

"""How long a dashboard session lasts, and how recently its person proved who they are.

The session keeps, as Unix seconds from the product's clock, when it started, when it was
last used, and when its person last gave a password, a code or a single sign-on round trip.
"""

from __future__ import annotations

from flask import Flask, current_app, flash, g, redirect, request, session
from flask_login import login_url, logout_user

from casetracker import timesource
from casetracker.extensions import login_manager

STARTED = "started_at"
SEEN = "seen_at"
AUTHENTICATED = "authenticated_at"
USER_KEY = "_user_id"  # where Flask-Login keeps the signed-in staff id
# Creating API tokens needs a password, code or single sign-on round trip this recent.
RECENT_SECONDS = 5 * 60
IDLE_ENDED = "Your session ended after {minutes} minutes without activity; please sign in again."
ABSOLUTE_ENDED = (
    "Your session ended after {hours} hours, the longest a session lasts; please sign in again."
)
ENDED = "Your session has ended; please sign in again."


def init_app(app: Flask) -> None:
    """End sessions past their idle or absolute lifetime before any page reads them."""
    app.before_request(_check_lifetime)
    login_manager.unauthorized_handler(_unauthorized)


def begin() -> None:
    """Start the lifetimes of a session that has just signed someone in."""
    now = _now()
    session[STARTED] = now
    session[SEEN] = now
    session[AUTHENTICATED] = now


def confirmed() -> None:
    """Note that the signed-in person has just proved who they are again."""
    session[AUTHENTICATED] = _now()


def recently_authenticated() -> bool:
    """Tell whether the signed-in person proved who they are within the last few minutes."""
    return _now() - session.get(AUTHENTICATED, 0) <= RECENT_SECONDS


def _check_lifetime():
    # API requests carry a token instead of a session: their lifetime is the token's.
    if USER_KEY not in session or request.authorization is not None:
        return
    config = current_app.config
    now = _now()
    started = session.get(STARTED)
    seen = session.get(SEEN, started)
    if started is None:
        _end(ENDED)
    elif now - started > config["SESSION_ABSOLUTE_HOURS"] * 3600:
        _end(ABSOLUTE_ENDED.format(hours=config["SESSION_ABSOLUTE_HOURS"]))
    elif now - seen > config["SESSION_IDLE_MINUTES"] * 60:
        _end(IDLE_ENDED.format(minutes=config["SESSION_IDLE_MINUTES"]))
    elif seen != now:
        session[SEEN] = now


def _end(message: str) -> None:
    logout_user()
    session.clear()
    flash(message, "info")
    g.session_ended = True


def _unauthorized():
    # Flask-Login's own answer, without "please sign in" on top of why the session ended.
    if not g.get("session_ended"):
        flash(login_manager.login_message, login_manager.login_message_category)
    return redirect(login_url(login_manager.login_view, next_url=request.url))


def _now() -> int:
    return int(timesource.now().timestamp())

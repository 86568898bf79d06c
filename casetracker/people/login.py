"""Dashboard sessions: Flask-Login and single sign-on wiring, and the admin pages' role checks."""

from __future__ import annotations

from functools import wraps

from flask import Flask, abort
from flask_login import current_user, login_required

from casetracker.extensions import db, login_manager
from casetracker.people import oidc, service, sessions


def init_app(app: Flask) -> None:
    """Load the signed-in staff member from the session; send others to sign in."""
    oidc.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "people.sign_in"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.user_loader(_load_staff)
    sessions.init_app(app)


def _load_staff(staff_id: str):
    # A deactivated account loses its open sessions at the next request.
    try:
        return service.active_staff(db.session, staff_id=int(staff_id))
    except ValueError:
        return None


def role_required(*roles: str):
    """Let signed-in staff with one of these roles through; others get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if current_user.role not in roles:
                abort(403, description=f"This page is for the {' or '.join(roles)} role only.")
            return view(*args, **kwargs)

        return wrapper

    return decorator

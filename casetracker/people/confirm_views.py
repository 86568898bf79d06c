"""Confirming who you are again before a sensitive change: password and code, or single sign-on.

A confirmation counts for a few minutes (``sessions.RECENT_SECONDS``); pages that need one
send the person here with ``next`` and check ``sessions.recently_authenticated()``.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required

from casetracker import timesource
from casetracker.extensions import db, limiter
from casetracker.people import factor, oidc, service, sessions
from casetracker.people import views as people_views

bp = Blueprint("confirm", __name__)
REFUSED = (
    "That did not confirm it is you. Check your password and code. After "
    f"{service.MAX_FAILED_SIGN_INS} wrong attempts the account is locked for "
    f"{service.LOCK_OUT_FOR.seconds // 60} minutes."
)
TOO_MANY = (
    "There were too many sign-in attempts from your network. Wait a few minutes, then try again."
)


def _sign_in_limit() -> str:
    return current_app.config["SIGN_IN_RATE_LIMIT"]


def through_provider() -> bool:
    """Tell whether this session was signed in through the identity provider."""
    return session.get("signed_in_with") == "oidc"


@bp.route("/account/confirm", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"], error_message=TOO_MANY)
@login_required
def confirm():
    """Ask for the password (and the code, with a second factor) once more."""
    if through_provider():
        return redirect(url_for("confirm.single_sign_on", next=_next_page()))
    if request.method == "GET":
        return _page(None, 200)
    try:
        staff = service.sign_in(
            db.session, email=current_user.email, password=request.form.get("password", "")
        )
        if staff.totp_secret is not None:
            factor.verify(
                db.session, staff=staff, code=request.form.get("code", ""), now=timesource.now()
            )
    except (service.SignInRefused, factor.CodeRefused):
        return _page(REFUSED, 401)
    sessions.confirmed()
    return redirect(_next_page())


@bp.get("/auth/oidc/confirm")
@login_required
def single_sign_on():
    """Send the person through the identity provider again, asking it to re-authenticate."""
    if not oidc.enabled() or not through_provider():
        abort(404)
    session["sso_next"] = _next_page()
    session["sso_fresh"] = True
    try:
        return oidc.start(fresh=True)
    except oidc.SsoFailed as exc:
        context = {"title": "Single sign-on did not start", "text": exc.message}
        return render_template("people/sso_problem.html", **context), exc.status


def _page(refused: str | None, status: int):
    context = {
        "refused": refused,
        "with_code": current_user.totp_secret is not None,
        "next_page": _next_page(),
    }
    return render_template("people/confirm.html", **context), status


def _next_page() -> str:
    return people_views.safe_next(request.args.get("next", ""))

"""Sign-in and sign-out, and the admin pages for staff accounts and API tokens."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from marshmallow import ValidationError

from casetracker import timesource
from casetracker.extensions import db, limiter
from casetracker.people import factor, factor_views, oidc, service, sessions, sso
from casetracker.people.login import role_required
from casetracker.people.models import ROLES
from casetracker.people.schemas import SignInSchema

log = logging.getLogger(__name__)
bp = Blueprint("people", __name__)
ADMIN = "admin"
# Per network address, on top of each account's lock-out: slows guessing across accounts.
TOO_MANY_SIGN_INS = (
    "There were too many sign-in attempts from your network. Wait a few minutes, then try again."
)
PASSWORDS_OFF = "Signing in with a password is turned off here: use single sign-on."
# Kept in the session for the provider's sign-out while it fits the cookie comfortably.
MAX_KEPT_ID_TOKEN = 2048


def _sign_in_limit() -> str:
    return current_app.config["SIGN_IN_RATE_LIMIT"]


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"], error_message=TOO_MANY_SIGN_INS)
def sign_in():
    """Show the sign-in form, or sign in with an email and password."""
    if current_user.is_authenticated:
        return redirect(_next_page())
    if request.method == "GET":
        return _sign_in_page()
    if not current_app.config["PASSWORD_SIGN_IN"]:
        return _sign_in_page(refused=PASSWORDS_OFF, status=403)
    values = {"email": request.form.get("email", ""), "password": request.form.get("password", "")}
    try:
        fields = SignInSchema().load(values)
        staff = service.sign_in(db.session, email=fields["email"], password=fields["password"])
    except ValidationError as exc:
        return _sign_in_again(values, exc.normalized_messages(), None)
    except service.SignInRefused as exc:
        return _sign_in_again(values, {}, exc.message)
    if factor_views.needed(staff):
        return factor_views.start(staff, target=_next_page())
    session.clear()
    login_user(staff)
    sessions.begin()
    return redirect(_next_page())


@bp.get("/auth/oidc/start")
@limiter.limit(_sign_in_limit, error_message=TOO_MANY_SIGN_INS)
def sso_start():
    """Send the browser to the identity provider to sign in."""
    if not oidc.enabled():
        abort(404)
    if current_user.is_authenticated:
        return redirect(_next_page())
    session["sso_next"] = _next_page()
    try:
        return oidc.start()
    except oidc.SsoFailed as exc:
        return _sso_failed(exc)


@bp.get(oidc.CALLBACK_PATH)
@limiter.limit(_sign_in_limit, error_message=TOO_MANY_SIGN_INS)
def sso_callback():
    """Sign in the staff member the identity provider vouches for."""
    if not oidc.enabled():
        abort(404)
    config = current_app.config
    try:
        identity = oidc.finish()
        if session.get("sso_fresh") and not oidc.authenticated_afresh(identity.claims):
            raise oidc.SsoFailed(oidc.UNVERIFIED, "no fresh auth_time after max_age=0")
        staff = sso.sign_in(
            db.session,
            claims=identity.claims,
            role_claim=config["OIDC_ROLE_CLAIM"],
            role_map=config["OIDC_ROLE_MAP"],
            now=timesource.now(),
        )
    except oidc.SsoFailed as exc:
        return _sso_failed(exc)
    except sso.SsoRefused as exc:
        return _sso_page("You cannot sign in to casetracker", exc.message, 403)
    target = safe_next(session.get("sso_next", ""))
    session.clear()
    login_user(staff)
    sessions.begin()
    session["signed_in_with"] = "oidc"
    if len(identity.id_token) <= MAX_KEPT_ID_TOKEN:
        session["oidc_id_token"] = identity.id_token
    return redirect(target)


@bp.post("/sign-out")
def sign_out():
    """End the session, and the identity provider's too when it offers that."""
    through_provider = session.get("signed_in_with") == "oidc"
    id_token = session.get("oidc_id_token")
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    provider = None
    if through_provider:
        back = current_app.config["CASETRACKER_BASE_URL"] + url_for("people.sign_in")
        provider = oidc.end_session_url(id_token=id_token, then=back)
    return redirect(provider or url_for("people.sign_in"))


@bp.get("/staff")
@role_required(ADMIN)
def staff():
    """List staff accounts, with a form to add one."""
    return _staff_page({}, {})


@bp.post("/staff")
@role_required(ADMIN)
def add_staff():
    """Add a staff account with a first password."""
    values = {
        k: request.form.get(k, "").strip() for k in ("name", "email", "role", "slack_user_id")
    }
    data = {k: v for k, v in values.items() if v}
    try:
        member = service.add_staff(db.session, data=data, password=request.form.get("password"))
    except ValidationError as exc:
        return _staff_page(values, exc.normalized_messages(), 422)
    flash(f"Added {member.name} ({member.role}).", "success")
    return redirect(url_for("people.staff"))


@bp.post("/staff/<int:staff_id>/active")
@role_required(ADMIN)
def set_active(staff_id: int):
    """Deactivate or reactivate an account."""
    active = request.form.get("active") == "yes"
    try:
        member = service.set_active(db.session, staff_id=staff_id, active=active, by=current_user)
    except ValidationError as exc:
        flash(" ".join(exc.normalized_messages().get("staff", [])), "error")
        return redirect(url_for("people.staff"))
    flash(f"{member.name} is now {'active' if member.active else 'deactivated'}.", "success")
    return redirect(url_for("people.staff"))


@bp.get("/tokens")
@role_required(ADMIN)
def tokens():
    """List API tokens, with a form to create one."""
    return _tokens_page({}, {}, None)


@bp.post("/tokens")
@role_required(ADMIN)
def create_token():
    """Create a token and show it this once; the person must have confirmed who they are."""
    values = {"staff": request.form.get("staff", ""), "scopes": request.form.getlist("scopes")}
    if not sessions.recently_authenticated():
        return _tokens_page(values, {}, None, 403)
    try:
        secret = service.create_token(db.session, data=values)
    except ValidationError as exc:
        return _tokens_page(values, exc.normalized_messages(), None, 422)
    return _tokens_page({}, {}, secret, 201)


@bp.post("/tokens/<int:token_id>/revoke")
@role_required(ADMIN)
def revoke_token(token_id: int):
    """Revoke a token."""
    try:
        token = service.revoke_token(db.session, token_id=token_id)
    except ValidationError:
        flash("No such token.", "error")
    else:
        flash(f"Token {token.prefix} is revoked.", "success")
    return redirect(url_for("people.tokens"))


def _sign_in_page(*, values=None, errors=None, refused: str | None = None, status: int = 200):
    context = {
        "values": values or {},
        "errors": errors or {},
        "refused": refused,
        "passwords": current_app.config["PASSWORD_SIGN_IN"],
        "single_sign_on": oidc.enabled(),
    }
    return render_template("people/sign_in.html", **context), status


def _sign_in_again(values: dict, errors: dict, refused: str | None):
    values = {"email": values["email"]}
    return _sign_in_page(
        values=values, errors=errors, refused=refused, status=422 if errors else 401
    )


def _sso_failed(error: oidc.SsoFailed):
    log.warning("single sign-on failed: %s", error)
    return _sso_page("Single sign-on did not complete", error.message, error.status)


def _sso_page(title: str, text: str, status: int):
    context = {"title": title, "text": text, "not_signed_in": sso.NOT_SIGNED_IN}
    return render_template("people/sso_problem.html", **context), status


def _staff_page(values: dict, errors: dict, status: int = 200):
    members = service.list_staff(db.session)
    context = {
        "members": members,
        "roles": ROLES,
        "values": values,
        "errors": errors,
        "now_utc": timesource.now(),
        "account_events": factor.recent_events(db.session),
    }
    return render_template("people/staff.html", **context), status


def _tokens_page(values: dict, errors: dict, secret: str | None, status: int = 200):
    context = {
        "tokens": service.list_tokens(db.session),
        "members": [m for m in service.list_staff(db.session) if m.active],
        "values": values,
        "errors": errors,
        "secret": secret,
        "confirmed": sessions.recently_authenticated(),
        "refused": status == 403,
        "recent_minutes": sessions.RECENT_SECONDS // 60,
    }
    return render_template("people/tokens.html", **context), status


def _next_page() -> str:
    return safe_next(request.args.get("next", ""))


def safe_next(target: str) -> str:
    """Return the target if it is a path on this site, else the dashboard's start page."""
    parts = urlsplit(target)
    # Only paths on this site: an absolute or scheme-relative URL would be an open redirect.
    safe = target.startswith("/") and not target.startswith("//") and "\\" not in target
    if safe and not parts.netloc and not parts.scheme:
        return target
    return url_for("dashboard.index")

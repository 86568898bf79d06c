"""The second factor's pages: the code asked after the password, enrolment, admins' resets.

Between the password and the code a session holds only ``factor_pending`` (a staff id), not a
signed-in person: every other page still sends it to sign in.
"""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user

from casetracker import timesource
from casetracker.extensions import db, limiter
from casetracker.people import factor, service, sessions
from casetracker.people.login import role_required
from casetracker.people.models import Staff

log = logging.getLogger(__name__)
bp = Blueprint("factor", __name__)
# The code must follow the password within this many seconds.
PENDING_FOR = 10 * 60
ISSUER = "casetracker"
TOO_MANY = (
    "There were too many sign-in attempts from your network. Wait a few minutes, then try again."
)


def _sign_in_limit() -> str:
    return current_app.config["SIGN_IN_RATE_LIMIT"]


def start(staff: Staff, *, target: str):
    """After a right password: ask for the code, or for enrolment; nobody is signed in yet."""
    session.clear()
    session["factor_pending"] = staff.id
    session["factor_since"] = timesource.now().timestamp()
    session["factor_next"] = target
    return redirect(url_for("factor.code" if staff.totp_secret else "factor.enrol"))


def needed(staff: Staff) -> bool:
    """Tell whether signing in with a password needs a code or an enrolment first."""
    required = current_app.config["MFA_REQUIRED_ROLES"]
    return staff.totp_secret is not None or factor.needs_factor(staff, required_roles=required)


@bp.route("/sign-in/code", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"], error_message=TOO_MANY)
def code():
    """Ask for the authenticator's code (or a recovery code) after the password."""
    staff = _pending()
    if staff is None:
        return _start_again()
    if staff.totp_secret is None:
        return redirect(url_for("factor.enrol"))
    if request.method == "GET":
        return render_template("people/sign_in_code.html", refused=None)
    try:
        factor.verify(
            db.session, staff=staff, code=request.form.get("code", ""), now=timesource.now()
        )
    except factor.CodeRefused as exc:
        return render_template("people/sign_in_code.html", refused=exc.message), 401
    return redirect(_complete(staff))


@bp.route("/account/second-factor", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"], error_message=TOO_MANY)
def enrol():
    """Set up an authenticator app: QR code, a confirming code, then recovery codes."""
    staff, pending = _enrolling()
    if staff is None:
        return _start_again()
    if staff.totp_secret is not None:
        if pending:
            return redirect(url_for("factor.code"))
        return render_template("people/second_factor.html", staff=staff, enrolled=True)
    secret = session.get("enrol_secret") or factor.new_secret()
    session["enrol_secret"] = secret
    if request.method == "POST":
        try:
            codes = factor.confirm_enrolment(
                db.session,
                staff=staff,
                secret=secret,
                code="".join(request.form.get("code", "").split()),
                now=timesource.now(),
            )
        except factor.CodeRefused as exc:
            return _enrol_page(staff, secret, exc.message, 422)
        session.pop("enrol_secret", None)
        if pending:
            service.finish_sign_in(db.session, staff, now=timesource.now())
        target = _complete(staff) if pending else url_for("dashboard.index")
        context = {"codes": codes, "target": target}
        return render_template("people/recovery_codes.html", **context), 201
    return _enrol_page(staff, secret, None, 200)


@bp.post("/staff/<int:staff_id>/second-factor/reset")
@role_required("admin")
def reset(staff_id: int):
    """Remove a member's second factor: they set up a new one at their next sign-in."""
    if request.form.get("confirm") != "yes":
        flash("Tick 'Yes, remove it' to reset a second factor.", "error")
        return redirect(url_for("people.staff"))
    try:
        member = factor.reset(db.session, staff_id=staff_id, by=current_user, now=timesource.now())
    except LookupError:
        flash("No such staff member.", "error")
        return redirect(url_for("people.staff"))
    log.warning("second factor of %s reset by %s", member.email, current_user.email)
    flash(f"The second factor of {member.name} is reset.", "success")
    return redirect(url_for("people.staff"))


def _enrol_page(staff: Staff, secret: str, refused: str | None, status: int):
    uri = factor.provisioning_uri(secret, email=staff.email, issuer=ISSUER)
    context = {
        "staff": staff,
        "enrolled": False,
        "secret": secret,
        "qr": factor.qr_svg(uri),
        "refused": refused,
    }
    return render_template("people/second_factor.html", **context), status


def _enrolling() -> tuple[Staff | None, bool]:
    if current_user.is_authenticated:
        if session.get("signed_in_with") == "oidc" or not current_user.password_hash:
            return None, False
        return current_user, False
    staff = _pending()
    return staff, staff is not None


def _pending() -> Staff | None:
    staff_id = session.get("factor_pending")
    since = session.get("factor_since", 0)
    if staff_id is None or timesource.now().timestamp() - since > PENDING_FOR:
        return None
    return service.active_staff(db.session, staff_id=staff_id)


def _complete(staff: Staff) -> str:
    """Sign the person in with a fresh session; return where they were going."""
    target = session.get("factor_next") or url_for("dashboard.index")
    session.clear()
    login_user(staff)
    sessions.begin()
    return target


def _start_again():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    session.clear()
    flash("Please sign in to see that page.", "info")
    return redirect(url_for("people.sign_in"))

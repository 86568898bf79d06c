"""Public pages: the complaint/request form, its confirmation, and the case status page."""

from __future__ import annotations

from email.utils import parseaddr
from urllib.parse import urlencode

from flask import (
    Blueprint,
    abort,
    current_app,
    has_request_context,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import refresh
from flask_wtf.csrf import CSRFError
from markupsafe import Markup, escape
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from casetracker import security
from casetracker.cases import service as case_service
from casetracker.cases.errors import CaseNotFound
from casetracker.extensions import db, limiter
from casetracker.intake import identity, languages, service
from casetracker.intake.forms import PLATFORM_NOTE, RIGHT_LABELS, ConfirmForm, IntakeForm

bp = Blueprint(
    "intake",
    __name__,
    url_prefix="/complaints",
    static_folder="static",
    static_url_path="/static",
)
SUBMITTED = "intake_submitted"
CONFIRMED = "intake_identity_confirmed"


def _rate_limit() -> str:
    return current_app.config["INTAKE_RATE_LIMIT"]


@bp.before_request
def _language():
    # The test client and a long-lived app context share one `g`: forget the last locale.
    refresh()
    chosen = request.args.get("lang")
    if chosen in languages.LANGUAGES:
        session[languages.SESSION_KEY] = chosen
        refresh()


def limit_body():
    """Refuse large bodies on the public pages before anything reads the form."""
    if request.blueprint == bp.name:
        request.max_content_length = current_app.config["INTAKE_MAX_BODY"]


@bp.app_context_processor
def _page_globals():
    if not has_request_context() or request.blueprint not in languages.INTAKE_BLUEPRINTS:
        return {}
    return {
        "current_language": languages.current(),
        "languages": languages.LANGUAGES,
        "language_url": _language_url,
        "policy_link": _policy_link(),
    }


def _policy_link() -> dict:
    """Where a text names the privacy policy: a link to it, or plain words without its address."""
    url = current_app.config["PRIVACY_POLICY_URL"]
    if not url:
        return {"link": "", "end_link": ""}
    return {
        "link": Markup('<a href="{}" target="_blank" rel="noopener">').format(url),
        "end_link": Markup("</a>"),
    }


def _platform_note() -> Markup:
    return escape(str(PLATFORM_NOTE)) % _policy_link()


def _language_url(code: str) -> str:
    if request.endpoint == "intake.verify":
        # The address holds the link's secret: switch language without repeating it, so that
        # the page for a link that does not work is the same whatever its address.
        return "?" + urlencode({"lang": code})
    endpoint = request.endpoint or "intake.new"
    return url_for(endpoint, **{**(request.view_args or {}), "lang": code})


bp.after_request(security.private_page)


@bp.route("/new", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def new():
    """Show the form; on a valid submission open the case and show the confirmation."""
    form = IntakeForm(language=languages.current())
    if not form.validate_on_submit():
        if form.is_submitted():
            # Name every problem at once, the email's format included, not one round at a time.
            form.add_schema_errors(service.problems(form.answers()))
        return _form_page(form)
    if form.website.data:
        form.form_errors.append(_("We could not accept this submission. Please try again."))
        return _form_page(form)
    try:
        case, token = service.submit(
            db.session, answers=form.answers(), language=languages.current()
        )
    except ValidationError as exc:
        form.add_schema_errors(exc.messages)
        return _form_page(form)
    session[SUBMITTED] = {"reference": case.reference, "token": token}
    return redirect(url_for(".submitted"), code=303)


@bp.get("/submitted")
def submitted():
    """Confirm a submission: the reference, what happens next, and by when."""
    done = session.get(SUBMITTED)
    if not done:
        return redirect(url_for(".new"))
    try:
        case = case_service.get_case(db.session, reference=done["reference"])
    except CaseNotFound:
        abort(404)
    dues = {clock.name: clock.due_at for clock in case.running_clocks}
    status_url = url_for(".status", token=done["token"], _external=False)
    return render_template("intake/submitted.html", case=case, dues=dues, status_url=status_url)


@bp.get("/status/<token>")
def status(token: str):
    """Show a case's stage and next deadline to whoever holds its status link."""
    found = service.find_status(db.session, token=token)
    if found is None:
        abort(404)
    return render_template("intake/status.html", status=found)


@bp.route("/verify/<token>", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def verify(token: str):
    """Ask the individual to confirm it is them; only pressing the button (a POST) does."""
    if request.method == "GET":
        found = identity.find_live(db.session, token=token)
        return _confirm_page(found[1]) if found else _link_unusable()
    done = identity.confirm(db.session, token=token)
    if done is None:
        return _link_unusable()
    session[CONFIRMED] = {"reference": done.reference, "missing": done.missing}
    return redirect(url_for(".verified"), code=303)


@bp.get("/verified")
def verified():
    """Thank the individual, and say what else is needed when their confirmation is not all."""
    done = session.get(CONFIRMED)
    if not done:
        return redirect(url_for(".new"))
    return render_template("intake/verified.html", done=done, mail_from=_mail_from())


def _confirm_page(case, *, expired_session: bool = False):
    facts = identity.describe(case)
    facts["right"] = RIGHT_LABELS.get(facts["right"])
    return render_template(
        "intake/verify.html",
        form=ConfirmForm(),
        expired_session=expired_session,
        mail_from=_mail_from(),
        **facts,
    ), (400 if expired_session else 200)


def _link_unusable():
    """The one page for every link that does not work: unknown, altered, used or expired."""
    return render_template("intake/verify_unusable.html", mail_from=_mail_from()), 404


def _mail_from() -> str:
    return parseaddr(current_app.config["MAIL_FROM"])[1]


def _form_page(form: IntakeForm):
    if form.csrf_token.errors if hasattr(form, "csrf_token") else False:
        form.form_errors.append(
            _("Your session expired. Please check your answers and send again.")
        )
    code = 400 if request.method == "POST" else 200
    return render_template("intake/form.html", form=form, platform_note=_platform_note()), code


@bp.errorhandler(CSRFError)
def _csrf_error(error):
    if request.endpoint == "intake.verify":
        found = identity.find_live(db.session, token=request.view_args.get("token"))
        return _confirm_page(found[1], expired_session=True) if found else _link_unusable()
    form = IntakeForm(language=languages.current())
    form.validate()
    form.form_errors.append(_("Your session expired. Please check your answers and send again."))
    return render_template("intake/form.html", form=form, platform_note=_platform_note()), 400


def _error_page(error: HTTPException):
    messages = {
        404: _("We could not find this page. Please check the link in your email."),
        413: _(
            "What you sent is too large. Please keep your description under 5000 characters "
            "and try again."
        ),
        429: _(
            "You have sent this form several times in a short time. Please wait an hour and "
            "try again. Messages you sent before have reached us: we confirm each by email."
        ),
    }
    message = messages.get(error.code, _("Something went wrong. Please try again later."))
    headers = {"Retry-After": "3600"} if error.code == 429 else {}
    return (
        render_template("intake/error.html", code=error.code, message=message),
        error.code,
        headers,
    )


# By code, not by class: the dashboard's app-wide handlers for these codes would win otherwise.
for _code in (400, 404, 405, 413, 429, 500):
    bp.register_error_handler(_code, _error_page)

"""The queues and the All cases list, as pages and as CSV."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError

from casetracker import timesource
from casetracker.cases import listing, task_queries
from casetracker.cases.tasks import STATUS_WORDS
from casetracker.dashboard import exports, queries
from casetracker.dashboard.schemas import CaseFilterSchema, present
from casetracker.extensions import db
from casetracker.policy import JURISDICTIONS, KINDS, STAGES

bp = Blueprint("dashboard", __name__)
MY_TASKS_SHOWN = 200
STATUSES = ("open", "on_hold", "closed")
FAVICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
    '<rect width="32" height="32" rx="6" fill="#0b4f8a"/>'
    '<path d="M9 17l5 5 9-11" stroke="#fff" stroke-width="3.5" fill="none"'
    ' stroke-linecap="round" stroke-linejoin="round"/></svg>'
)


@bp.get("/")
def index():
    """Send the DPO to the escalations, staff to their cases, others to sign in."""
    if not current_user.is_authenticated:
        # A first visit is not a refused page: sign in, with no "please sign in" warning.
        return redirect(url_for("people.sign_in", next=url_for("dashboard.index")))
    if current_user.role != "dpo":
        return redirect(url_for("dashboard.mine"))
    return redirect(url_for("dashboard.escalations"))


@bp.get("/favicon.ico")
def favicon():
    """Serve the tab icon."""
    return Response(FAVICON, mimetype="image/svg+xml", headers={"Cache-Control": "max-age=86400"})


@bp.get("/escalations")
@login_required
def escalations():
    """Show complaints at an outside body and those waiting for a DPO decision."""
    return _queue("escalations")


@bp.get("/overdue")
@login_required
def overdue():
    """Show cases past a running deadline."""
    return _queue("overdue")


@bp.get("/due-this-week")
@login_required
def due_this_week():
    """Show cases due in the next seven days."""
    return _queue("due_this_week")


@bp.get("/my-cases")
@login_required
def mine():
    """Show the signed-in person's cases."""
    return _queue("mine")


@bp.get("/my-tasks")
@login_required
def my_tasks():
    """Show the signed-in person's open and blocked tasks across cases, soonest due first."""
    tasks = task_queries.unfinished_for(db.session, owner_id=current_user.id, limit=MY_TASKS_SHOWN)
    return render_template(
        "dashboard/my_tasks.html", tasks=tasks, shown=MY_TASKS_SHOWN, task_words=STATUS_WORDS
    )


@bp.get("/queues/<name>.csv")
@login_required
def queue_csv(name: str):
    """Export a whole queue as CSV."""
    if name not in queries.QUEUES:
        return render_template("errors/error.html", error=None), 404
    now = timesource.now()
    condition = queries.queue_condition(name, now=now, staff=current_user)
    order = queries.QUEUES[name].order
    return exports.case_list_csv(
        f"{name}.csv", viewer=current_user, now=now, where=condition, order=order
    )


@bp.get("/cases")
@login_required
def all_cases():
    """List every case with filters, a reference search and keyset pagination."""
    filters, errors = _filters()
    page = listing.Page(items=[], next_cursor=None)
    if not errors:
        try:
            args = _list_args(filters)
            page = listing.list_cases(db.session, now=timesource.now(), with_details=False, **args)
        except ValidationError as exc:
            errors = exc.normalized_messages()
    context = {
        "page": page,
        "filters": filters,
        "errors": errors,
        "choices": _choices(),
        "csv_url": url_for("dashboard.all_cases_csv", **_without_cursor(filters)),
    }
    if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted"):
        return render_template("dashboard/_case_results.html", **context)
    return render_template("dashboard/cases.html", **context), 422 if errors else 200


@bp.get("/cases.csv")
@login_required
def all_cases_csv():
    """Export the filtered list of all cases as CSV."""
    filters, errors = _filters()
    if errors:
        return redirect(url_for("dashboard.all_cases", **filters))
    args = _list_args(_without_cursor(filters))
    args.pop("limit", None)
    return exports.case_list_csv("cases.csv", viewer=current_user, now=timesource.now(), **args)


def _queue(name: str):
    now = timesource.now()
    cursor = request.args.get("cursor") or None
    try:
        page = queries.queue_page(db.session, name=name, now=now, staff=current_user, cursor=cursor)
    except ValidationError:
        return redirect(request.path)
    return render_template(
        "dashboard/queue.html",
        queue=queries.QUEUES[name],
        page=page,
        csv_url=url_for("dashboard.queue_csv", name=name),
    )


def _filters() -> tuple[dict, dict]:
    raw = present(request.args)
    try:
        CaseFilterSchema().load(raw)
    except ValidationError as exc:
        return raw, exc.normalized_messages()
    return raw, {}


def _list_args(filters: dict) -> dict:
    args = CaseFilterSchema().load(filters)
    args["reference"] = args.pop("q", None)
    return args


def _without_cursor(filters: dict) -> dict:
    return {key: value for key, value in filters.items() if key != "cursor"}


def _choices() -> dict:
    return {
        "stage": STAGES,
        "status": STATUSES,
        "jurisdiction": JURISDICTIONS,
        "kind": KINDS,
        "owner": [(s.email, s.name) for s in queries.active_staff(db.session)],
    }

"""The web dashboard: sign-in, queues, case pages, metrics, exports and admin pages."""

from __future__ import annotations

from flask import Flask
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from casetracker.accesslog import queries as access_log
from casetracker.cases import api as cases_api
from casetracker.cases import task_api, task_queries
from casetracker.dashboard import case_pages, case_responses, errors, filters, reports, views
from casetracker.extensions import csrf, db
from casetracker.jobs import views as jobs_views
from casetracker.mail import api as mail_api
from casetracker.mail.models import MailMessage
from casetracker.outbox import views as outbox_views
from casetracker.people import confirm_views, factor_views, roles
from casetracker.people import views as people_views

NAVIGATION = (
    ("dashboard.escalations", "Escalations"),
    ("dashboard.overdue", "Overdue"),
    ("dashboard.due_this_week", "Due this week"),
    ("dashboard.mine", "My cases"),
    ("dashboard.my_tasks", "My tasks"),
    ("dashboard.all_cases", "All cases"),
    ("inbox.index", "Inbox"),
    ("reports.metrics_page", "Metrics"),
    ("outbox.messages", "Outbox"),
    ("scheduled.jobs", "Jobs"),
    ("systems.page", "Systems"),
)
ADMIN_NAVIGATION = (("people.staff", "Staff"), ("people.tokens", "API tokens"))


def init_app(app: Flask) -> None:
    """Register the dashboard's pages."""
    # Token-authenticated JSON: no cookies, so no cross-site request to forge.
    csrf.exempt(cases_api.bp)
    csrf.exempt(task_api.bp)
    csrf.exempt(mail_api.bp)
    blueprints = (
        views.bp,
        reports.bp,
        outbox_views.bp,
        jobs_views.bp,
        case_pages.bp,
        case_responses.bp,
        people_views.bp,
        factor_views.bp,
        confirm_views.bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    filters.init_app(app)
    errors.init_app(app)
    app.context_processor(_navigation)


def _navigation() -> dict:
    return {
        "navigation": NAVIGATION,
        "admin_navigation": ADMIN_NAVIGATION,
        "manages_accounts": roles.manages_accounts,
        "reads_access_log": access_log.may_read,
        "late_jobs": jobs_views.late_jobs,
        "inbox_waiting": _inbox_waiting,
        "tasks_waiting": _tasks_waiting,
    }


def _inbox_waiting() -> int:
    """Count the emails waiting in the inbox, for the navigation."""
    new = select(func.count()).select_from(MailMessage).where(MailMessage.status == "new")
    return _count(lambda: db.session.scalar(new))


def _tasks_waiting() -> int:
    """Count the signed-in person's open and blocked tasks, for the navigation."""
    if not current_user.is_authenticated:
        return 0
    return _count(lambda: task_queries.count_unfinished_for(db.session, owner_id=current_user.id))


def _count(query) -> int:
    try:
        return query()
    except SQLAlchemyError:
        # The error pages show the navigation too, also when the database is what failed.
        db.session.rollback()
        return 0

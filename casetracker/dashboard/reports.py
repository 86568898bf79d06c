"""The metrics page, its CSV, and the annual CCPA request metrics."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, render_template, request
from flask_login import login_required
from marshmallow import ValidationError

from casetracker import timesource
from casetracker.cases.models import Case
from casetracker.dashboard import metrics, task_metrics
from casetracker.dashboard.exports import csv_line, defused
from casetracker.dashboard.filters import label, percent
from casetracker.dashboard.schemas import DateRangeSchema, YearSchema, present
from casetracker.extensions import db

bp = Blueprint("reports", __name__)
DEFAULT_SPAN = timedelta(days=365)


@bp.before_request
@login_required
def _signed_in():
    """Reports are for signed-in staff."""


@bp.get("/metrics")
def metrics_page():
    """Show the period's figures as charts, each with a table alongside."""
    values, errors, period = _period()
    year, year_errors = _year()
    figures = _figures(period) if period else None
    ccpa = None if year_errors else _ccpa(year)
    status = 422 if errors or year_errors else 200
    return render_template(
        "dashboard/metrics.html",
        values=values,
        errors={**errors, **year_errors},
        figures=figures,
        charts=_charts(figures) if figures else None,
        year=request.args.get("year", year),
        ccpa=ccpa,
    ), status


@bp.get("/metrics.csv")
def metrics_csv():
    """Return the period's figures as CSV: section, label, value."""
    _, errors, period = _period()
    if errors:
        return metrics_page()
    lines = [csv_line(("section", "label", "value"))]
    lines += [csv_line(row) for row in _rows(_figures(period))]
    name = f"metrics-{period.first}-{period.last}.csv"
    return Response(
        "".join(lines),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _period() -> tuple[dict, dict, metrics.Period | None]:
    tz = timesource.team_tz()
    today = timesource.now().astimezone(tz).date()
    values = {"from": str(today - DEFAULT_SPAN), "to": str(today)}
    values.update(present({k: request.args.get(k, "") for k in ("from", "to")}))
    try:
        loaded = DateRangeSchema().load(values)
    except ValidationError as exc:
        return values, exc.normalized_messages(), None
    return values, {}, metrics.Period(loaded["start"], loaded["end"], tz)


def _year() -> tuple[int, dict]:
    default = timesource.now().astimezone(timesource.team_tz()).year - 1
    raw = request.args.get("year", "").strip() or str(default)
    try:
        return YearSchema().load({"year": raw})["year"], {}
    except ValidationError as exc:
        return default, exc.normalized_messages()


def _ccpa(year: int) -> dict:
    """The year's rows by right, and the years that have Californian requests at all."""
    tz = timesource.team_tz()
    years = metrics.ccpa_request_years(db.session, tz=tz)
    rows = metrics.ccpa_request_metrics(db.session, year=year, tz=tz) if year in years else []
    return {"year": year, "rows": rows, "years": years}


def _figures(period: metrics.Period) -> dict:
    session, now = db.session, timesource.now()
    return {
        "period": period,
        "on_time": metrics.on_time_rates(session, period=period, now=now),
        "ack_days": metrics.median_days_to_acknowledge(session, period=period),
        "resolve_days": metrics.median_days_to_resolve(session, period=period),
        "by_stage": metrics.open_cases_by(session, Case.stage),
        "by_jurisdiction": metrics.open_cases_by(session, Case.jurisdiction),
        "escalations": metrics.escalations_per_month(session, period=period),
        "outcomes": metrics.outcomes(session, period=period),
        "tasks": task_metrics.per_system(session, period=period, now=now),
        "delayed": task_metrics.delayed_requests(session, period=period),
    }


def _charts(figures: dict) -> dict:
    """Rows of (label, figure as shown, value charted) for each chart and its table."""
    on_time = [
        (label(row.clock), f"{percent(row.rate)} ({row.on_time}/{row.decided})", _ratio(row.rate))
        for row in figures["on_time"]
    ]
    return {
        "on_time": on_time,
        "escalations": [(month, n, n) for month, n in figures["escalations"]],
        "by_stage": [(label(stage), n, n) for stage, n in figures["by_stage"]],
        "by_jurisdiction": [(label(j), n, n) for j, n in figures["by_jurisdiction"]],
        "outcomes": [
            (f"{kind}: {label(outcome)}", n, n) for kind, outcome, n in figures["outcomes"]
        ],
    }


def _ratio(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def _rows(figures: dict):
    period = figures["period"]
    yield ("period", "from", period.first.isoformat())
    yield ("period", "to", period.last.isoformat())
    for row in figures["on_time"]:
        rate = "" if row.rate is None else f"{row.rate:.4f}"
        yield ("on_time_rate", row.clock, rate)
        yield ("on_time_count", row.clock, f"{row.on_time}/{row.decided}")
    yield ("median_days", "acknowledge", _number(figures["ack_days"]))
    yield ("median_days", "resolve", _number(figures["resolve_days"]))
    yield from (("open_by_stage", stage, count) for stage, count in figures["by_stage"])
    yield from (("open_by_jurisdiction", j, count) for j, count in figures["by_jurisdiction"])
    yield from (("escalations_per_month", month, n) for month, n in figures["escalations"])
    for kind, outcome, count in figures["outcomes"]:
        yield ("outcomes", f"{kind}:{outcome}", count)
    yield from _task_rows(figures["tasks"], figures["delayed"])


def _task_rows(systems: list[task_metrics.SystemTasks], delayed: task_metrics.Delayed):
    for row in systems:
        name = defused(row.system)
        yield ("tasks_finished", name, row.finished)
        yield ("tasks_no_data_found", name, row.no_data)
        yield ("task_median_days", name, _number(row.median_days))
        yield ("task_p90_days", name, _number(row.p90_days))
        yield ("tasks_finished_late", name, row.finished_late)
        yield ("tasks_late_now", name, row.late_now)
    yield ("requests_closed", "all", delayed.closed)
    yield ("requests_closed", "with_tasks", delayed.with_tasks)
    yield ("requests_closed", "delayed_by_a_task", delayed.delayed)
    rate = "" if delayed.rate is None else f"{delayed.rate:.4f}"
    yield ("requests_closed", "share_delayed_by_a_task", rate)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"

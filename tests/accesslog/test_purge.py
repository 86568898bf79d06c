"""The retention purge keeps the log's counts, and the log never names the individual."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from casetracker.accesslog.models import AccessEntry
from casetracker.cases import purge
from casetracker.extensions import db
from tests.accesslog.conftest import INDIVIDUAL


def test_after_the_purge_the_count_stays_and_nothing_names_the_individual(
    owner_api, dpo_api, web, dana, priya, clock
):
    clock.set(datetime(2024, 9, 1, 9, 0, tzinfo=UTC))
    case = owner_api.create(owner=priya.email)
    reference = case["reference"]
    owner_api.get(f"/api/v1/cases/{reference}")
    owner_api.get(f"/api/v1/cases/{reference}/messages")
    closed = owner_api.act(case, "resolve", outcome="resolved")
    web.sign_in(dana.email)
    web.get(f"/cases/{reference}")
    web.get("/cases.csv")
    log_path = f"/api/v1/cases/{reference}/access-log"
    before = dpo_api.get(log_path).json
    assert before["total"] == 4
    assert closed.json["subject"]["name"] == "Erika Mustermann"

    clock.set(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    assert purge.purge(db.session, now=clock.at).erased == 1

    after = dpo_api.get(log_path).json
    assert after["total"] == before["total"]
    assert after["items"] == before["items"]
    rows = db.session.execute(select(AccessEntry.__table__)).all()
    written = " ".join(str(value) for row in rows for value in row)
    for identifier in INDIVIDUAL:
        assert identifier not in written

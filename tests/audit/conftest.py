"""Audit fixtures: a way to change the events table past the ORM and the triggers."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from casetracker.extensions import db


def tamper(sql: str, **params) -> None:
    """Change the events table directly, as someone with access to the database could."""
    db.session.rollback()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL session_replication_role = replica"))
    else:
        db.session.execute(text("DROP TRIGGER IF EXISTS events_no_update"))
        db.session.execute(text("DROP TRIGGER IF EXISTS events_no_delete"))
    db.session.execute(text(sql), params)
    db.session.commit()


@pytest.fixture(name="tamper")
def tamper_fixture(app):
    return tamper

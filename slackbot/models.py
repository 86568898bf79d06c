"""What the bot remembers itself: Slack deliveries it has already handled."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from casetracker.db_types import UTCDateTime
from casetracker.extensions import db


class SlackEvent(db.Model):
    """An Events API ``event_id`` (or a modal submission key) that was handled once."""

    __tablename__ = "slack_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(100), unique=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)

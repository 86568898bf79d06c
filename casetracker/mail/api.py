"""REST endpoints for the inbox, a case's messages and its files."""

from __future__ import annotations

from flask_smorest import Blueprint

bp = Blueprint("mail", __name__, url_prefix="/api/v1", description="Inbox, messages and files")

"""Dashboard pages of the mailbox: the inbox, a case's conversation and files."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("inbox", __name__)

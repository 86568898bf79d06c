"""Why an action on a case was refused; each maps to one HTTP status."""

from __future__ import annotations


class CaseError(Exception):
    """Base of refusals; ``message`` is written for the person who acted."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class CaseNotFound(CaseError):
    status = 404


class PermissionDenied(CaseError):
    status = 403


class ActionNotAllowed(CaseError):
    """The action does not fit the case's stage, status or history."""

    status = 409

    def __init__(self, message: str, allowed_actions: list[str] | None = None):
        super().__init__(message)
        self.allowed_actions = allowed_actions or []


class StaleVersion(ActionNotAllowed):
    """Someone changed the case since the caller read it."""

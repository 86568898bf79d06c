"""The operator's policy: routes, clocks, bodies, reminders and retention, loaded from TOML."""

from collections.abc import Collection

from flask import Flask, current_app

from casetracker.policy.loader import load_policy
from casetracker.policy.model import (
    DATA_CONTEXTS,
    HR_CONTEXTS,
    JURISDICTIONS,
    KINDS,
    RIGHTS,
    STAGES,
    ClockSpec,
    IdentityCheck,
    Policy,
    PolicyError,
    Reminders,
    Retention,
    Route,
    Step,
    TaskTargets,
)

__all__ = [
    "DATA_CONTEXTS",
    "HR_CONTEXTS",
    "JURISDICTIONS",
    "KINDS",
    "RIGHTS",
    "STAGES",
    "ClockSpec",
    "IdentityCheck",
    "Policy",
    "PolicyError",
    "Reminders",
    "Retention",
    "Route",
    "Step",
    "TaskTargets",
    "current",
    "init_app",
    "load_policy",
]

EXTENSION_KEY = "casetracker.policy"


def init_app(app: Flask, *, actions: Collection[str]) -> None:
    """Load and validate the policy named by CASETRACKER_POLICY (default: the packaged one)."""
    path = app.config.get("CASETRACKER_POLICY")
    app.extensions[EXTENSION_KEY] = load_policy(path, actions=actions)


def current() -> Policy:
    """Return the policy of the current app."""
    return current_app.extensions[EXTENSION_KEY]

"""Helpers the policy validation tests share: the default policy text, the errors' wording."""

from importlib import resources

from casetracker.policy import (
    STAGES,
)

DEFAULT_TEXT = (resources.files("casetracker.policy") / "default.toml").read_text(encoding="utf-8")


HINT = "(use 'N days', 'N business days' or 'N months')"


ROUTE_STAGES = tuple(stage for stage in STAGES if stage != "closed")


def known(choices):
    """The list an "unknown ..." error gives of the values it accepts."""
    return f"(known: {', '.join(choices)})"

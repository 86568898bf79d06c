"""Typed reads from a TOML table that report errors by key path."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from casetracker.deadlines import Duration, validate_calendar
from casetracker.policy.model import PolicyError

_TYPE_NAMES = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}


def describe(value: Any) -> str:
    """Name a TOML value's type, with the value itself when it is short."""
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return f"{_TYPE_NAMES.get(type(value), 'a date/time')} {value!r}"


def check_choice(value: str, choices: Collection[str], what: str, path: str) -> str:
    """Return value if it is one of choices, else raise naming the known ones."""
    if value not in choices:
        known = ", ".join(choices)
        raise PolicyError(f"{path}: unknown {what} {value!r} (known: {known})")
    return value


def parse_duration(value: Any, path: str) -> Duration:
    """Return value as a positive Duration."""
    hint = "(use 'N days', 'N business days' or 'N months')"
    if not isinstance(value, str):
        raise PolicyError(f"{path}: expected a duration string {hint}, got {describe(value)}")
    try:
        duration = Duration.parse(value)
    except ValueError:
        raise PolicyError(f"{path}: {value!r} is not a duration {hint}") from None
    if duration.amount <= 0:
        raise PolicyError(f"{path}: {value!r} must be longer than zero")
    return duration


class Table:
    """A TOML table being read: knows its key path and refuses keys it does not expect."""

    def __init__(self, data: Any, path: str, allowed: Collection[str] | None = None) -> None:
        if not isinstance(data, dict):
            raise PolicyError(f"{path}: expected a table, got {describe(data)}")
        self.data: dict[str, Any] = data
        self.path = path
        for key in data:
            if allowed is not None and key not in allowed:
                raise PolicyError(f"{self.at(key)}: unknown key")

    def at(self, key: str) -> str:
        """Return the key path of key inside this table."""
        return f"{self.path}.{key}" if self.path else key

    def value(self, key: str, *, required: bool = True) -> Any:
        """Return the raw value of key, or None when it is absent and optional."""
        if key not in self.data:
            if required:
                raise PolicyError(f"{self.at(key)}: required")
            return None
        return self.data[key]

    def text(self, key: str, *, required: bool = True) -> str | None:
        """Return a non-empty string."""
        value = self.value(key, required=required)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise PolicyError(f"{self.at(key)}: expected a non-empty string, got {describe(value)}")
        return value

    def source(self) -> str:
        """Return the citation every rule with a number must carry."""
        if "source" not in self.data:
            raise PolicyError(f"{self.at('source')}: required (cite the rule)")
        return self.text("source")

    def flag(self, key: str, default: bool | None = None) -> bool:
        """Return a boolean; without a default the key is required."""
        value = self.value(key, required=default is None)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise PolicyError(f"{self.at(key)}: expected true or false, got {describe(value)}")
        return value

    def choice(
        self, key: str, choices: Collection[str], what: str, *, required: bool = True
    ) -> str | None:
        """Return a string that must be one of choices."""
        value = self.text(key, required=required)
        return None if value is None else check_choice(value, choices, what, self.at(key))

    def items(self, key: str, *, required: bool = True) -> list[Any] | None:
        """Return a non-empty array."""
        value = self.value(key, required=required)
        if value is not None and (not isinstance(value, list) or not value):
            raise PolicyError(f"{self.at(key)}: expected a non-empty array, got {describe(value)}")
        return value

    def choices(
        self, key: str, choices: Collection[str], what: str, *, required: bool = False
    ) -> tuple[str, ...] | None:
        """Return a non-empty array of distinct strings, each one of choices."""
        values = self.items(key, required=required)
        if values is None:
            return None
        for index, value in enumerate(values):
            path = f"{self.at(key)}[{index}]"
            if not isinstance(value, str):
                raise PolicyError(f"{path}: expected a string, got {describe(value)}")
            check_choice(value, choices, what, path)
            if value in values[:index]:
                raise PolicyError(f"{path}: {value!r} is listed twice")
        return tuple(values)

    def duration(self, key: str, *, required: bool = True) -> Duration | None:
        """Return a positive Duration."""
        value = self.value(key, required=required)
        return None if value is None else parse_duration(value, self.at(key))

    def calendar(self, key: str) -> str | None:
        """Return an optional holiday calendar name the clock module knows."""
        name = self.text(key, required=False)
        try:
            validate_calendar(name)
        except ValueError as exc:
            raise PolicyError(f"{self.at(key)}: {exc}") from None
        return name

    def table(self, key: str, allowed: Collection[str] | None = None) -> Table:
        """Return the required sub-table key."""
        return Table(self.value(key), self.at(key), allowed)

    def tables(self, key: str, allowed: Collection[str]) -> list[Table]:
        """Return the required, non-empty array of tables key."""
        return [
            Table(item, f"{self.at(key)}[{index}]", allowed)
            for index, item in enumerate(self.items(key))
        ]

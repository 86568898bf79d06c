"""What every command says when its options are refused: one line per field, then exit 2."""

from __future__ import annotations

import sys
from typing import NoReturn

import click
from marshmallow import ValidationError


def refuse(exc: ValidationError) -> NoReturn:
    """Print ``error: --field: message`` for each problem (list items included) and exit 2."""
    for field, messages in exc.normalized_messages().items():
        if isinstance(messages, dict):  # the items of a list option
            messages = [m for inner in messages.values() for m in inner]
        for message in messages if isinstance(messages, list) else [messages]:
            click.echo(f"error: --{field.replace('_', '-')}: {message}", err=True)
    sys.exit(2)

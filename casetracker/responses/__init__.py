"""Response packages: the result of an access or portability request, downloaded by the
individual from a private link that expires and runs out, never sent as an attachment."""

from __future__ import annotations

from flask import Flask

from casetracker.responses import public


def init_app(app: Flask) -> None:
    """Register the individual's download page (the release form is on the case page)."""
    app.register_blueprint(public.bp)
    app.add_template_global(public.released_response)

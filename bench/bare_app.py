"""A bare Flask app with one JSON endpoint: the ceiling the case API is compared with."""

from flask import Flask

BODY = {"status": "ok", "service": "bare", "items": [1, 2, 3]}


def create_app() -> Flask:
    """Build the app; gunicorn serves it as ``bench.bare_app:create_app()``."""
    app = Flask(__name__)

    @app.get("/")
    def index():
        return BODY

    return app

"""Serve Swagger UI's files from the installed package, so the docs work offline."""

from pathlib import Path

import flask_swagger_ui
from flask import Blueprint

bp = Blueprint(
    "swagger_ui",
    __name__,
    static_folder=str(Path(flask_swagger_ui.__file__).parent / "dist"),
    static_url_path="/api/v1/swagger-ui",
)

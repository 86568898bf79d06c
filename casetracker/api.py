"""The REST API extension: OpenAPI document, Swagger UI, and the error contract."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from http import HTTPStatus

from apispec import BasePlugin
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_cls
from flask import jsonify, request
from flask_smorest import Api
from marshmallow import Schema, fields, validate
from werkzeug.exceptions import HTTPException

API_PREFIX = "/api/"
LOCATIONS = ("json", "query", "form", "view_args")
ERROR_COMPONENT = "Error"
# What each refusal means here; every one answers in the shape of ErrorSchema.
ERRORS = {
    400: "the body is not JSON, or not a JSON object",
    401: "no API token, or one that is unknown or revoked",
    403: "the token lacks the scope or the role this needs",
    404: "nothing with this reference or id",
    409: "not allowed in the current state, or a stale version; see allowed_actions",
    413: "the body is larger than the server accepts",
    422: "fields are missing or invalid: errors names each",
    503: "the database is not reachable; try again shortly",
}
DEFAULT_ERROR = "any other error (405, 500), in the same shape"


class ErrorSchema(Schema):
    """What the API answers for every refusal and failure."""

    error = fields.String(
        required=True, metadata={"description": "what went wrong, written for a person"}
    )
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(),
        metadata={
            "description": "per field, its messages (a list), or an object of the same shape "
            "for a nested field"
        },
    )
    allowed_actions = fields.List(
        fields.String(), metadata={"description": "on a case: the actions it allows now"}
    )


class ErrorResponses(BasePlugin):
    """Document on each API operation the errors it can answer, all as ErrorSchema."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for operation in (operations or {}).values():
            responses = operation.setdefault("responses", {})
            if not path.startswith(API_PREFIX):
                # Outside the API, errors are Flask's own pages (or the view's body).
                responses.pop("default", None)
                continue
            for status in _statuses(path, operation):
                if status not in responses and str(status) not in responses:
                    responses[status] = HTTPStatus(status).name
            for status, response in responses.items():
                if str(status).startswith(("4", "5")) and isinstance(response, dict):
                    response.setdefault("content", _error_content())


class OneOfVariants(BasePlugin):
    """Document a schema declaring ``OPENAPI_ONE_OF = (field, {value: schema})`` as its own
    fields and exactly one of those schemas, told apart by the value of ``field``."""

    def init_spec(self, spec):
        self.spec = spec

    def schema_helper(self, name, definition, **kwargs):
        schema = kwargs.get("schema")
        # Its own declaration only: the variants are often its subclasses.
        declared = schema and vars(resolve_schema_cls(schema)).get("OPENAPI_ONE_OF")
        if not declared:
            return None
        told_by, variants = declared
        marshmallow = next(p for p in self.spec.plugins if isinstance(p, MarshmallowPlugin))
        refs = {value: marshmallow.resolver.resolve_schema_dict(v) for value, v in variants.items()}
        mapping = {value: ref["$ref"] for value, ref in refs.items()}
        return {
            "oneOf": list(refs.values()),
            "discriminator": {"propertyName": told_by, "mapping": mapping},
        }


def variants(
    base: type[Schema], field: str, values, *, requires: Mapping[str, Mapping[str, fields.Field]]
) -> type[Schema]:
    """Document ``base`` as one body per value of ``field``, each with the fields that value
    requires (a denial needs its reason): ``base`` still reads the body."""
    stem = base.__name__.removesuffix("Schema")
    shapes = {
        value: type(
            f"{stem}{''.join(word.title() for word in value.split('_'))}Schema",
            (base,),
            {
                field: fields.String(required=True, validate=validate.OneOf((value,))),
                **requires.get(value, {}),
            },
        )
        for value in values
    }
    return type(f"{stem}VariantsSchema", (base,), {"OPENAPI_ONE_OF": (field, shapes)})


def _error_content() -> dict:
    return {"application/json": {"schema": ERROR_COMPONENT}}


def _statuses(path: str, operation: dict) -> list[int]:
    statuses = [401, 403, 503]
    if "{" in path:
        statuses.append(404)
    if any(parameter.get("in") == "query" for parameter in operation.get("parameters", ())):
        statuses.append(422)
    if "requestBody" in operation:
        statuses.extend((400, 413, 422))
    return sorted(set(statuses))


class CasetrackerApi(Api):
    """flask-smorest's Api, answering errors as ``{"error": ..., "errors": {field: [...]}}``.

    The OpenAPI document is built when first read (``/api/v1/openapi.json``, Swagger UI,
    ``flask openapi``), not with the app: it is the same for every app, and building it was
    half of the time ``create_app`` took.
    """

    ERROR_SCHEMA = ErrorSchema

    def __init__(self, *args, **kwargs):
        self._document = None
        self._unbuilt = None  # (the spec's settings, the blueprints to document)
        self._building = threading.RLock()
        self._in_build = False
        super().__init__(*args, **kwargs)

    @property
    def spec(self):
        """Return the OpenAPI document, built on first use."""
        if self._unbuilt is not None:
            # Readers wait for the whole document; the build itself reads it as it grows.
            with self._building:
                if self._unbuilt is not None and not self._in_build:
                    self._build_document()
        return self._document

    @spec.setter
    def spec(self, document):
        self._document = document

    def _init_spec(self, *, extra_plugins=None, **kwargs):
        plugins = (*(extra_plugins or ()), OneOfVariants(), ErrorResponses())
        self._document = None
        self._unbuilt = ({**kwargs, "extra_plugins": plugins}, [])

    def register_blueprint(self, blp, *, parameters=None, **options):
        """Register ``blp`` with the app now; document it when the document is built."""
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self._unbuilt[1].append((blp, name, parameters))

    def _build_document(self) -> None:
        settings, blueprints = self._unbuilt
        self._in_build = True
        try:
            super()._init_spec(**settings)
            for blp, name, parameters in blueprints:
                blp.register_views_in_doc(
                    self, self._app, self._document, name=name, parameters=parameters
                )
                self._document.tag({"name": name, "description": blp.description})
            self._unbuilt = None
        finally:
            self._in_build = False

    def _register_responses(self):
        super()._register_responses()
        for status, description in ERRORS.items():
            response = {"description": description, "content": _error_content()}
            self.spec.components.response(HTTPStatus(status).name, response, lazy=True)
        self.spec.components.response(
            self.DEFAULT_ERROR_RESPONSE_NAME,
            {"description": DEFAULT_ERROR, "content": _error_content()},
            lazy=True,
        )

    def handle_http_exception(self, error: HTTPException):
        if not request.path.startswith(API_PREFIX):
            return error
        data = dict(getattr(error, "data", None) or {})
        headers = data.pop("headers", None) or {}
        errors = data.pop("errors", None) or data.pop("messages", None)
        message = data.pop("message", None)
        if errors:
            message = message or "some fields are missing or invalid; see errors"
        body = {"error": message or error.description or error.name}
        if errors:
            body["errors"] = _flatten_locations(errors)
        if "allowed_actions" in data:
            body["allowed_actions"] = data["allowed_actions"]
        response = jsonify(body)
        response.status_code = error.code or 500
        # Keep what the exception says beside its page: Allow on a 405.
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        if response.status_code == 401:
            response.headers.setdefault("WWW-Authenticate", 'Bearer realm="casetracker"')
        response.headers.update(headers)
        return response


def _flatten_locations(errors: dict) -> dict:
    """Drop webargs' location level ("json", "query") so fields are named directly."""
    flat = {}
    for key, value in errors.items():
        if key in LOCATIONS and isinstance(value, dict):
            flat.update(value)
        else:
            flat[key] = value
    return flat

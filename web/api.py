"""What every area's JSON API under /api/v1 shares: the error format, pagination, PDF answers,
the request parser, and the one smorest Api the areas register their resources on.

Each area keeps its resources in its own `api.py` (one smorest Blueprint each).
"""
import marshmallow as ma
from flask_smorest import Api
from flask import jsonify, request
from werkzeug.exceptions import HTTPException
from web.inputs import content_disposition

STATUS_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
    422: "validation_error", 429: "too_many_requests", 500: "internal_error",
}


class ErrorBodySchema(ma.Schema):
    """The body of every API error."""

    code = ma.fields.String(required=True)
    message = ma.fields.String(required=True)
    fields = ma.fields.Dict(load_default=dict)


class ErrorSchema(ma.Schema):
    """`{"error": {"code", "message", "fields"}}`"""

    error = ma.fields.Nested(ErrorBodySchema, required=True)


class PageArgsSchema(ma.Schema):
    """?page=1&per_page=50"""

    class Meta:
        unknown = ma.EXCLUDE

    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=1_000_000))
    per_page = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1, max=500))


def page_schema(item_schema, name):
    """A response schema `{"items": [...], "page", "per_page", "total"}` for `item_schema`."""
    return type(name, (ma.Schema,), {
        "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
        "page": ma.fields.Integer(required=True),
        "per_page": ma.fields.Integer(required=True),
        "total": ma.fields.Integer(required=True),
        "__doc__": f"A page of {name}.",
    })


def paginate(query, args, session):
    """Run `query` (a select) for one page; returns the envelope dict."""
    from sqlalchemy import func, select

    total = session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar()
    page, per_page = args["page"], args["per_page"]
    items = session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    return {"items": items, "page": page, "per_page": per_page, "total": total}


def error_response(status, message, code=None, fields=None, headers=None):
    """A JSON error answer in the one format clients rely on."""
    body = {"error": {"code": code or STATUS_CODES.get(status, "error"),
                      "message": message, "fields": fields or {}}}
    response = jsonify(body)
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _webargs_fields(exc):
    """Flatten webargs' {"json": {...}, "query": {...}} into one dict of field messages."""
    messages = (getattr(exc, "data", None) or {}).get("messages") or {}
    fields = {}
    for location_messages in messages.values():
        if isinstance(location_messages, dict):
            fields.update(location_messages)
        else:
            fields["_schema"] = location_messages
    return fields


def http_error_json(exc: HTTPException):
    """HTTP errors on API paths, in the error format, keeping headers such as Allow."""
    headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
    fields = _webargs_fields(exc) if exc.code in (400, 415, 422) else {}
    message = exc.description or exc.name
    if exc.code == 422 and fields:
        message = "Invalid input"
    if exc.code in (400, 415, 422) and list(fields) == ["_schema"] and fields["_schema"]:
        message = str(fields["_schema"][0])  # one message about the whole body says it best
    data = getattr(exc, "data", None) or {}
    if isinstance(data.get("message"), str):
        message = data["message"]
    return error_response(exc.code or 500, message, data.get("code"), fields, headers)


# The OpenAPI description of a PDF answer, for `@blp.doc(responses=PDF_RESPONSE)`.
PDF_RESPONSE = {"200": {"description": "A PDF document",
                        "content": {"application/pdf": {"schema": {"type": "string",
                                                                   "format": "binary"}}}}}


def pdf_response(data, filename, download=False):
    """A PDF answer, shown in the browser unless `download`."""
    from flask import Response

    disposition = "attachment" if download else "inline"
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": content_disposition(disposition, filename)})


def wants_json():
    """API paths answer errors in JSON."""
    return request.path.startswith("/api/")


def _install_parser():
    """Every smorest Blueprint parses with TadamonParser (missing bodies, NUL characters).

    Set on the mixin's class attribute, the customisation point smorest documents, before any
    area module decorates its views (this package is imported by extensions.py, first)."""
    from flask_smorest.arguments import ArgumentsMixin

    from web.parser import TadamonParser

    ArgumentsMixin.ARGUMENTS_PARSER = TadamonParser()


def _utc_timestamps():
    """API timestamps in RFC 3339 with their offset ("...T10:15:00+00:00"), as OpenAPI's
    date-time requires: the database keeps naive UTC (models.cooperatives.utcnow), so a naive
    datetime is UTC. Set on marshmallow's DateTime, which every area's schemas use."""
    from datetime import timezone

    def iso_utc(value):
        """ISO 8601 with the UTC offset when the value carries none."""
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.isoformat()

    ma.fields.DateTime.SERIALIZATION_FUNCS = {**ma.fields.DateTime.SERIALIZATION_FUNCS,
                                              "iso": iso_utc, "iso8601": iso_utc}


_install_parser()
_utc_timestamps()


class TadamonApi(Api):
    """flask-smorest's Api documenting our error format. One per app (`init_api` makes it)."""

    ERROR_SCHEMA = ErrorSchema


def schema_name(schema):
    """OpenAPI component names: ProductSchema → Product, its partial variant → ProductPatch."""
    from apispec.ext.marshmallow.common import resolve_schema_cls

    name = resolve_schema_cls(schema).__name__.removesuffix("Schema")
    if getattr(schema, "partial", False):
        name += "Patch"
    return name


def init_api(app):
    """The app's one Api (kept in app.extensions["tadamon_api"]), its spec and security schemes."""
    from apispec.ext.marshmallow import MarshmallowPlugin

    from web.fields import decimal_string_openapi

    api = app.extensions["tadamon_api"] = TadamonApi()
    api.init_app(app, spec_kwargs={"marshmallow_plugin": MarshmallowPlugin(
        schema_name_resolver=schema_name), "info": {"description": "Tadamon: inventory, consignment "
                                            "and point of sale for the Oriental region's "
                                            "cooperatives."}})
    api.ma_plugin.converter.add_attribute_function(decimal_string_openapi)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.components.security_scheme("basicAuth", {"type": "http", "scheme": "basic"})
    api.spec.options["security"] = [{"bearerAuth": []}]
    return api

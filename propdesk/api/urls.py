"""One ninja API assembled from each app's router, with its OpenAPI document at /api/docs.

Every error leaves as `{"code", "message", "field"}` (422 adds the list of `errors`), whether a
service raised it, the edge refused the input, authentication failed or the body was unreadable.
"""

import json
import logging

from django.core.exceptions import SuspiciousOperation
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from propdesk.api.auth import api_auth
from propdesk.api.docs_access import api_docs_access
from propdesk.api.rendering import RENDERER
from propdesk.core.errors import AppError, ValidationFailed
from propdesk.core.unavailable import RETRY_AFTER_SECONDS, unavailable_body

logger = logging.getLogger("propdesk.unavailable")


def _nul_path(value, path: str = "") -> str | None:
    """Where in a parsed JSON body a NUL character sits (PostgreSQL refuses it in text)."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = ((str(i), v) for i, v in enumerate(value))
    else:
        return None
    for key, item in items:
        name = f"{path}.{key}" if path else str(key)
        if "\x00" in str(key):
            return name.replace("\x00", "")
        found = _nul_path(item, name)
        if found is not None:
            return found
    return None


class ObjectBodyParser(Parser):
    """JSON bodies must be objects: `[]`, `5` or `null` are refused, not read as "no fields".
    A NUL character in any value is refused with 400 naming the field."""

    def parse_body(self, request):
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        field = _nul_path(data)
        if field is not None:
            raise ValidationFailed(
                _("This field holds characters that are not allowed."),
                code="bad_characters",
                field=field,
            )
        return data


api = NinjaAPI(
    title="propdesk API",
    version="1",
    description=(
        "物业客服中心系统 — registry and service API.\n\n"
        "Authenticate with an API token (`Authorization: Bearer pdk_…`, created by an "
        "administrator) or the console's session (unsafe methods then need the `X-CSRFToken` "
        "header). Errors are `{code, message, field}`. Mobile numbers, ID numbers and plates are "
        "always masked; `POST /api/reveal` shows one value and writes the access log."
    ),
    auth=api_auth,
    urls_namespace="api",
    parser=ObjectBodyParser(),
    renderer=RENDERER,
    docs_decorator=api_docs_access,
)

# Where a parameter lives, and the names endpoints give their schema parameters: neither is part
# of the field name a client sees ("body.payload.name" is reported as "name").
_LOCATIONS = {"body", "query", "path", "form", "file", "header", "cookie"}
_SCHEMA_PARAMS = {"payload", "filters"}


def _field_name(loc) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in _LOCATIONS:
        parts = parts[1:]
    if parts and parts[0] in _SCHEMA_PARAMS:
        parts = parts[1:]
    return ".".join(parts)


def _message(error: dict) -> str:
    """A translated message for the common pydantic error types; pydantic's own otherwise."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "string_too_long":
        return _("At most %(n)s characters.") % {"n": ctx.get("max_length")}
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return _("This field is required.")
        return _("At least %(n)s characters.") % {"n": ctx.get("min_length")}
    if kind == "string_pattern_mismatch":
        return _("This value has characters that are not allowed here.")
    if kind in {"string_type"}:
        return _("Enter text.")
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("Enter a whole number.")
    if kind in {"decimal_parsing", "decimal_type", "float_parsing", "finite_number"}:
        return _("Enter a number.")
    if kind in {"decimal_max_places"}:
        return _("At most %(n)s decimal places.") % {"n": ctx.get("decimal_places")}
    if kind in {"decimal_max_digits", "decimal_whole_digits"}:
        return _("The number is too large.")
    if kind in {"greater_than", "greater_than_equal"}:
        bound = ctx.get("gt", ctx.get("ge"))
        word = _("more than") if kind == "greater_than" else _("at least")
        return _("Must be %(word)s %(bound)s.") % {"word": word, "bound": bound}
    if kind in {"less_than", "less_than_equal"}:
        bound = ctx.get("lt", ctx.get("le"))
        word = _("less than") if kind == "less_than" else _("at most")
        return _("Must be %(word)s %(bound)s.") % {"word": word, "bound": bound}
    if kind in {
        "date_parsing",
        "date_type",
        "date_from_datetime_parsing",
        "date_from_datetime_inexact",
    }:
        return _("Enter a date as YYYY-MM-DD.")
    if kind == "literal_error":
        return _("Choose one of: %(values)s.") % {"values": ctx.get("expected", "")}
    if kind in {"bool_parsing", "bool_type"}:
        return _("Enter true or false.")
    if kind in {"list_type"}:
        return _("Send a list.")
    if kind == "too_short":
        return _("Name at least %(n)s.") % {"n": ctx.get("min_length")}
    if kind == "too_long":
        return _("Name at most %(n)s.") % {"n": ctx.get("max_length")}
    if kind in {"model_attributes_type", "dict_type", "model_type"}:
        return _("Send a JSON object.")
    if kind == "value_error":
        return str(ctx.get("error", error.get("msg", "")))
    return str(error.get("msg", _("The request is not valid.")))


def _error(request, status: int, code: str, message: str, field: str | None = None, **extra):
    return api.create_response(
        request, {"code": code, "message": str(message), "field": field, **extra}, status=status
    )


@api.exception_handler(AppError)
def app_error(request, exc: AppError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    errors = [{"field": _field_name(e.get("loc", [])), "message": _message(e)} for e in exc.errors]
    first = errors[0] if errors else {"field": "", "message": _("The request is not valid.")}
    return _error(request, 422, "invalid", first["message"], first["field"] or None, errors=errors)


@api.exception_handler(AuthenticationError)
def auth_error(request, exc):
    return _error(request, 401, "unauthenticated", _("Log in or send a valid API token."))


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    if exc.status_code == 403:  # ninja's CSRF refusal of a session request
        return _error(
            request,
            403,
            "csrf_failed",
            _("Send the CSRF token (X-CSRFToken header) with this session request."),
        )
    if isinstance(exc.__cause__, AppError):  # the body parser's refusal, which names the field
        return app_error(request, exc.__cause__)
    if exc.status_code == 400:  # an unreadable body
        return _error(request, 400, "bad_body", _("Send the request body as a JSON object."))
    return _error(request, exc.status_code, "http_error", str(exc))


@api.exception_handler(MultiPartParserError)
@api.exception_handler(SuspiciousOperation)
def suspicious(request, exc):
    """Oversized bodies, too many fields and the like: refused, never a 500."""
    return _error(request, 400, "bad_request", _("The request is too large or malformed."))


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def database_unavailable(request, exc):
    """The database does not answer: 503 with Retry-After; the next request tries again."""
    logger.error("database unavailable: %s %s", request.method, request.path, exc_info=True)
    response = api.create_response(request, unavailable_body(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@api.exception_handler(Http404)
def not_found(request, exc):
    return _error(request, 404, "not_found", _("Not found."))


# The telephone system's events first: the busiest path, resolved before the others' patterns.
from propdesk.quality.webhook import router as calls_router  # noqa: E402

api.add_router("/calls/", calls_router)

from propdesk.accounts.api import router as tokens_router  # noqa: E402
from propdesk.estates.api import router as estates_router  # noqa: E402

api.add_router("/", estates_router)
api.add_router("/tokens", tokens_router)

from propdesk.tickets.api import router as tickets_router  # noqa: E402

api.add_router("/requests/", tickets_router)

from propdesk.billing.api import router as billing_router  # noqa: E402

api.add_router("/billing/", billing_router)

from propdesk.frontdesk.api import router as frontdesk_router  # noqa: E402

api.add_router("/frontdesk/", frontdesk_router)

from propdesk.custody.api import router as custody_router  # noqa: E402

api.add_router("/custody/", custody_router)

from propdesk.notices.api import router as notices_router  # noqa: E402

api.add_router("/notices/", notices_router)

from propdesk.portal.api import router as portal_router  # noqa: E402

api.add_router("/portal/", portal_router)

from propdesk.core.api import router as exports_router  # noqa: E402

api.add_router("/exports/", exports_router)

from propdesk.quality.api import router as quality_router  # noqa: E402

api.add_router("/quality/", quality_router)

from propdesk.assistant.api import router as assistant_router  # noqa: E402

api.add_router("/assistant/", assistant_router)

from propdesk.community.api import router as community_router  # noqa: E402

api.add_router("/community/", community_router)

from propdesk.operations.api import router as operations_router  # noqa: E402

api.add_router("/operations/", operations_router)

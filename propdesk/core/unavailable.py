"""While the database does not answer: 503, never a 500 page, and back by itself.

A lost or refused database connection raises OperationalError or InterfaceError wherever the
database is first touched: in a view, in the API's authentication, in the session middleware.
The API answers `503 {"code": "unavailable", ...}` (its exception handler, propdesk.api.urls),
views and middleware a plain 503 page (the middleware below and `server_error`, the site's
handler500). Nothing here touches the database. Django closes a broken connection at the end of
the request (and `CONN_HEALTH_CHECKS` checks a kept one before reuse), so the first request after
the database is back is served normally.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger("propdesk.unavailable")

DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def is_database_down(exc) -> bool:
    return isinstance(exc, DATABASE_DOWN)


def unavailable_body() -> dict:
    return {
        "code": "unavailable",
        "message": _("The service is unavailable for a moment. Try again shortly."),
        "field": None,
    }


def unavailable_response(request) -> HttpResponse:
    if request.path.startswith("/api/"):
        response = JsonResponse(unavailable_body(), status=503)
    else:
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """A view that found the database down answers 503 (in development too)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_down(exception):
            return None
        logger.error("database unavailable: %s %s", request.method, request.path, exc_info=True)
        return unavailable_response(request)


def server_error(request, template_name="500.html"):
    """handler500: the database being down (raised outside a view) is a 503, not a 500."""
    if is_database_down(sys.exc_info()[1]):
        return unavailable_response(request)
    return defaults.server_error(request, template_name=template_name)

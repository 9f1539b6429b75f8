"""One ninja API assembled from each app's router, with its OpenAPI document at /api/docs."""

from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from propdesk.api.auth import api_auth
from propdesk.core.errors import AppError

api = NinjaAPI(
    title="propdesk API",
    version="1",
    description="物业客服中心系统 — registry and service API",
    auth=api_auth,
    urls_namespace="api",
)


@api.exception_handler(AppError)
def app_error(request, exc: AppError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    first = exc.errors[0] if exc.errors else {}
    location = [
        str(p) for p in first.get("loc", []) if p not in ("body", "query", "path", "payload")
    ]
    return api.create_response(
        request,
        {
            "code": "invalid",
            "message": first.get("msg", _("The request is not valid.")),
            "field": ".".join(location) or None,
            "errors": [
                {"field": ".".join(str(p) for p in e.get("loc", [])), "message": e.get("msg")}
                for e in exc.errors
            ],
        },
        status=422,
    )


@api.exception_handler(AuthenticationError)
def auth_error(request, exc):
    return api.create_response(
        request,
        {
            "code": "unauthenticated",
            "message": _("Log in or send a valid API token."),
            "field": None,
        },
        status=401,
    )


from propdesk.estates.api import router as estates_router  # noqa: E402

api.add_router("/", estates_router)

"""Domain errors: services raise them, the API and pages turn them into a 4xx with a message."""

from django.utils.translation import gettext_lazy as _

from propdesk.core import error_codes


class AppError(Exception):
    """A broken business rule. `code` is stable for clients; `field` names the input at fault."""

    status = 400
    default_code = "invalid"
    default_message = _("The request is not valid.")

    def __init__(self, message=None, *, code: str | None = None, field: str | None = None):
        self.message = message if message is not None else self.default_message
        self.code = code or self.default_code
        self.field = field
        super().__init__(str(self.message))

    def as_dict(self) -> dict:
        return {"code": self.code, "message": str(self.message), "field": self.field}


class ValidationFailed(AppError):
    status = 400
    default_code = "invalid"


class PermissionDenied(AppError):
    status = 403
    default_code = "forbidden"
    default_message = _("You do not have permission to do this.")


class NotFound(AppError):
    status = 404
    default_code = "not_found"
    default_message = _("Not found.")


class Conflict(AppError):
    status = 409
    default_code = "conflict"
    default_message = _("This conflicts with the current state of the record.")


def fetch_named(fetch, *args, field: str, **kwargs):
    """Fetch a record an API request names by id: `fetch(*args, **kwargs)`, and a refusal
    (NotFound, whatever the reason) names the input `field` that held the id."""
    try:
        return fetch(*args, **kwargs)
    except NotFound as exc:
        raise NotFound(
            _("No such record in your communities."), code=error_codes.NOT_FOUND, field=field
        ) from exc


def fetch_named_optional(fetch, user, pk, field: str, **kwargs):
    """As `fetch_named` for an optional id: None when the request sent none."""
    if pk is None:
        return None
    return fetch_named(fetch, user, pk, field=field, **kwargs)

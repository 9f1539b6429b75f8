"""Domain errors: services raise them, the API and pages turn them into a 4xx with a message."""

from django.utils.translation import gettext_lazy as _


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

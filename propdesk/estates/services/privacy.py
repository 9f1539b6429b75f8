"""Revealing masked personal data: allowed by role, and always written to the access log."""

from django.db import models, transaction
from django.utils.translation import gettext as _

from propdesk.core import audit
from propdesk.core.cleaning import clean_text
from propdesk.core.errors import PermissionDenied, ValidationFailed
from propdesk.core.permissions import REVEAL_PERMS, require
from propdesk.estates import error_codes

REVEALABLE = {
    "owner": {"mobile", "id_number"},
    "resident": {"mobile", "id_number"},
    "entrustedagent": {"mobile", "id_number"},
    "vehicle": {"plate"},
}


@transaction.atomic
def personal_data_reveal(*, actor, subject: models.Model, field: str, reason: str = "") -> str:
    """Return the unmasked value of `field` and record who saw it (003 ch.8 §3, ch.9 §6)."""
    allowed = REVEALABLE.get(subject._meta.model_name, set())
    if field not in allowed:
        raise ValidationFailed(
            _("This field cannot be revealed."), code=error_codes.BAD_FIELD, field="field"
        )
    perm = REVEAL_PERMS[field]
    try:
        require(actor, perm, subject.community_id)
    except PermissionDenied as exc:
        raise PermissionDenied(
            _("Your role may not see this personal data."), code=error_codes.REVEAL_FORBIDDEN
        ) from exc
    reason = clean_text("reason", reason, max_length=200)
    audit.record_access(actor=actor, subject=subject, field=field, reason=reason)
    return getattr(subject, field)

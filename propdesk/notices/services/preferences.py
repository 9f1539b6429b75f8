"""A person's own contact preferences: channels and quiet hours (DOMAIN.md §6, §9).

Only the person changes them (the portal profile page and `/api/notices/my/preferences`); the
outbox applies them through `notices.delivery_policy`.
"""

import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.core import audit
from propdesk.core.errors import PermissionDenied, ValidationFailed
from propdesk.core.permissions import is_owner_account
from propdesk.notices.models import ContactPreference
from propdesk.notices.services._common import clean_bool, clean_line, clean_time


@transaction.atomic
def contact_preference_save(
    *,
    actor,
    sms_enabled: bool,
    email_enabled: bool,
    wechat_enabled: bool | None = None,
    email: str,
    quiet_hours_enabled: bool,
    quiet_start: datetime.time | str,
    quiet_end: datetime.time | str,
) -> ContactPreference:
    """Save the actor's own preferences. Email on needs an address; a window needs two times.
    `wechat_enabled` None keeps the saved WeChat switch (a client that does not know it yet)."""
    if not is_owner_account(actor):
        raise PermissionDenied(_("Only owners set contact preferences here."))
    values = {
        "sms_enabled": clean_bool("sms_enabled", sms_enabled),
        **(
            {}
            if wechat_enabled is None
            else {"wechat_enabled": clean_bool("wechat_enabled", wechat_enabled)}
        ),
        "email_enabled": clean_bool("email_enabled", email_enabled),
        "email": clean_line("email", email, max_length=200),
        "quiet_hours_enabled": clean_bool("quiet_hours_enabled", quiet_hours_enabled),
        "quiet_start": clean_time("quiet_start", quiet_start),
        "quiet_end": clean_time("quiet_end", quiet_end),
    }
    if values["email"]:
        try:
            validate_email(values["email"])
        except DjangoValidationError as exc:
            raise ValidationFailed(_("Enter a valid email address."), field="email") from exc
    if values["email_enabled"] and not values["email"]:
        raise ValidationFailed(_("Enter the address to send email to."), field="email")
    if values["quiet_hours_enabled"] and values["quiet_start"] == values["quiet_end"]:
        raise ValidationFailed(
            _("Quiet hours must start and end at different times."), field="quiet_end"
        )
    pref = ContactPreference.objects.select_for_update().filter(user=actor).first()
    if pref is None:
        values.setdefault("wechat_enabled", values["sms_enabled"])  # as before its own switch
        pref = ContactPreference.objects.create(user=actor, **values)
        audit.record_change(actor=actor, instance=pref, action="create", object_repr=str(actor))
        return pref
    changes = audit.apply_changes(pref, values)
    if changes:
        pref.updated_at = timezone.now()
        pref.save(update_fields=[*changes, "updated_at"])
        audit.record_change(
            actor=actor, instance=pref, action="update", changes=changes, object_repr=str(actor)
        )
    return pref

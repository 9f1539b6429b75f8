"""Per-community rules of keys and passes (configuration over constants, DESIGN.md).

Defaults: a pass needs no fee check, a key is overdue after 24 hours, a pass is valid for 24
hours from the start of its release date. Supervisors change them (Perm.FRONTDESK_CONFIGURE).
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from propdesk.core import audit
from propdesk.core.errors import ValidationFailed
from propdesk.core.permissions import Perm, community_ids, has_perm, require
from propdesk.custody import error_codes
from propdesk.custody.models import CustodySettings
from propdesk.custody.services._common import now as clock_now
from propdesk.estates.models import Community

MAX_HOURS = 24 * 30


def custody_settings_for(community_id: int) -> CustodySettings:
    """The community's rules, creating the default row the first time."""
    found = (
        CustodySettings.objects.select_related("repair_lead")
        .filter(community_id=community_id)
        .first()
    )
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return CustodySettings.objects.create(community_id=community_id)
    except IntegrityError:  # created by someone else meanwhile
        return CustodySettings.objects.get(community_id=community_id)


def _hours(field: str, value) -> int:
    if isinstance(value, bool):
        raise ValidationFailed(_("Enter a whole number."), field=field)
    try:
        hours = int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(_("Enter a whole number."), field=field) from exc
    if not 1 <= hours <= MAX_HOURS:
        raise ValidationFailed(
            _("Between %(low)d and %(high)d hours.") % {"low": 1, "high": MAX_HOURS},
            code=error_codes.OUT_OF_RANGE,
            field=field,
        )
    return hours


@transaction.atomic
def custody_settings_update(*, actor, community: Community, **values) -> CustodySettings:
    """Change some of the rules; only the fields given change, and the change is in the history."""
    require(actor, Perm.FRONTDESK_CONFIGURE, community.id)
    config = custody_settings_for(community.id)
    config = CustodySettings.objects.select_for_update().get(pk=config.pk)
    clean = {}
    if "release_needs_fees_paid" in values:
        flag = values["release_needs_fees_paid"]
        if not isinstance(flag, bool):
            raise ValidationFailed(_("Enter true or false."), field="release_needs_fees_paid")
        clean["release_needs_fees_paid"] = flag
    for field in ("key_overdue_hours", "pass_validity_hours"):
        if field in values:
            clean[field] = _hours(field, values[field])
    if "repair_lead" in values:
        lead = values["repair_lead"]
        if lead is not None and not (
            has_perm(lead, Perm.FRONTDESK_VIEW) and community.id in community_ids(lead)
        ):
            raise ValidationFailed(
                _("Choose a staff member who works in this community."), field="repair_lead"
            )
        clean["repair_lead"] = lead
    changes = audit.apply_changes(config, clean)
    if changes:
        config.updated_at = clock_now()
        config.save(update_fields=[*changes, "updated_at"])
        audit.record_change(
            actor=actor,
            instance=config,
            action="update",
            changes=changes,
            object_repr=community.name,
        )
    return config

"""Changing the configuration of service requests: standard phrases and SLA policies.

Supervisors and administrators (`requests.configure`) change them for the communities they work
in; company-wide rows (community empty) only administrators change. Every change is written to
the change history (core.audit).
"""

from django.db import transaction
from django.utils.translation import gettext as _

from propdesk.core import audit
from propdesk.core.errors import PermissionDenied, ValidationFailed
from propdesk.core.permissions import Perm, is_company_wide, require
from propdesk.tickets import error_codes
from propdesk.tickets.models import SlaPolicy, StandardPhrase, TimeUnit
from propdesk.tickets.services._common import clean_note


def require_configure(actor, community_id: int | None) -> None:
    """Supervisors and administrators change their communities' configuration; the company-wide
    rows (community empty) only administrators."""
    require(actor, Perm.REQUEST_CONFIGURE, community_id)
    if community_id is None and not is_company_wide(actor):
        raise PermissionDenied(
            _("Only administrators change the company-wide defaults."),
            code=error_codes.COMPANY_WIDE_ONLY,
        )


def _clean_purpose(value: str) -> str:
    if value not in StandardPhrase.Purpose.values:
        raise ValidationFailed(_("Choose one of the listed purposes."), field="purpose")
    return value


@transaction.atomic
def phrase_create(
    *, actor, community=None, purpose: str, title: str, text: str, sort_order: int = 0
) -> StandardPhrase:
    community_id = community.pk if community is not None else None
    require_configure(actor, community_id)
    phrase = StandardPhrase.objects.create(
        community=community,
        purpose=_clean_purpose(purpose),
        title=clean_note("title", title, max_length=60, required=True),
        text=clean_note("text", text, max_length=500, required=True),
        sort_order=max(0, min(int(sort_order or 0), 999)),
    )
    audit.record_change(actor=actor, instance=phrase, action="create", note=phrase.title)
    return phrase


@transaction.atomic
def phrase_update(*, actor, phrase: StandardPhrase, **values) -> StandardPhrase:
    require_configure(actor, phrase.community_id)
    cleaners = {
        "purpose": _clean_purpose,
        "title": lambda v: clean_note("title", v, max_length=60, required=True),
        "text": lambda v: clean_note("text", v, max_length=500, required=True),
        "is_active": bool,
        "sort_order": lambda v: max(0, min(int(v or 0), 999)),
    }
    cleaned = {name: cleaners[name](value) for name, value in values.items() if name in cleaners}
    changes = audit.apply_changes(phrase, cleaned)
    if changes:
        phrase.save(update_fields=list(changes))
        audit.record_change(actor=actor, instance=phrase, action="update", changes=changes)
    return phrase


def _clean_target(name: str, amount, unit: str) -> tuple[int | None, str]:
    if unit not in TimeUnit.values:
        raise ValidationFailed(_("Choose one of the listed units."), field=f"{name}_unit")
    if amount is None:
        return None, unit
    if not isinstance(amount, int) or isinstance(amount, bool) or not 1 <= amount <= 10_000:
        raise ValidationFailed(_("Enter a whole number from 1 to 10000."), field=f"{name}_amount")
    return amount, unit


@transaction.atomic
def policy_update(*, actor, policy: SlaPolicy, **values) -> SlaPolicy:
    """Change a policy's targets, thresholds or due-soon share."""
    require_configure(actor, policy.community_id)
    cleaned = {}
    for name in ("first_response", "on_site", "resolution"):
        if f"{name}_amount" in values or f"{name}_unit" in values:
            amount, unit = _clean_target(
                name,
                values.get(f"{name}_amount", getattr(policy, f"{name}_amount")),
                values.get(f"{name}_unit", getattr(policy, f"{name}_unit")),
            )
            cleaned[f"{name}_amount"], cleaned[f"{name}_unit"] = amount, unit
    if "escalation_percents" in values:
        percents = values["escalation_percents"]
        if not isinstance(percents, list) or not all(
            isinstance(p, int) and not isinstance(p, bool) and 1 <= p <= 500 for p in percents
        ):
            raise ValidationFailed(
                _("Give whole percentages from 1 to 500, e.g. [80, 100]."),
                field="escalation_percents",
            )
        cleaned["escalation_percents"] = sorted(set(percents))
    if "due_soon_percent_left" in values:
        share = values["due_soon_percent_left"]
        if not isinstance(share, int) or isinstance(share, bool) or not 0 <= share <= 100:
            raise ValidationFailed(
                _("Enter a percentage from 0 to 100."), field="due_soon_percent_left"
            )
        cleaned["due_soon_percent_left"] = share
    changes = audit.apply_changes(policy, cleaned)
    if changes:
        policy.save(update_fields=list(changes))
        audit.record_change(actor=actor, instance=policy, action="update", changes=changes)
    return policy

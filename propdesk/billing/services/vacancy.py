"""The vacancy discount (空置优惠): an owner applies, a supervisor approves (DOMAIN.md §3).

An application belongs to one vacancy — the one going on when it is made (`vacant_since`, from
the house's status history). Approval sets the first discounted month to the month after the
approval; the billing rule does the rest (rules.vacancy_percent and the run's SQL).
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.billing import error_codes
from propdesk.billing.models import VacancyApplication
from propdesk.billing.rules import add_months, month_start, vacancy_start
from propdesk.core import audit
from propdesk.core.cleaning import clean_text
from propdesk.core.errors import Conflict, PermissionDenied
from propdesk.core.permissions import Perm, require
from propdesk.estates import owner_access
from propdesk.estates.models import House, Owner, Ownership

Status = VacancyApplication.Status


@transaction.atomic
def vacancy_apply(*, actor, house: House, note: str = "") -> VacancyApplication:
    """Record an owner's application (made by the owner, or at the desk on their behalf)."""
    owner = None
    if owner_access.is_owner_account(actor):
        # Owners and co-owners apply for a house they hold now.
        if house.id not in owner_access.owned_house_ids(actor):
            raise PermissionDenied(
                _("You can apply only for your own house."), code=error_codes.NOT_OWNER
            )
        owner = Owner.objects.filter(user=actor, community_id=house.community_id).first()
    else:
        require(actor, Perm.BILLING_VIEW, house.community_id)
        ownership = (
            Ownership.objects.filter(house=house, end_on__isnull=True)
            .order_by("-is_primary", "id")
            .first()
        )
        owner = ownership.owner if ownership else None
    note = clean_text("note", note, max_length=300)
    # Two applications for one house at once: the second waits here, then sees the first.
    House.objects.select_for_update().filter(pk=house.pk).first()
    today = timezone.localdate()
    changes = house.status_changes.values_list("effective_on", "id", "to_status")
    since = vacancy_start(changes, today)
    if since is None:
        raise Conflict(
            _("The house is not vacant in its status history."),
            code=error_codes.NOT_VACANT,
            field="house",
        )
    if VacancyApplication.objects.filter(
        house=house, vacant_since=since, status__in=[Status.PENDING, Status.APPROVED]
    ).exists():
        raise Conflict(
            _("This vacancy already has an application."),
            code=error_codes.PENDING_EXISTS,
            field="house",
        )
    application = VacancyApplication.objects.create(
        community_id=house.community_id,
        house=house,
        owner=owner,
        vacant_since=since,
        note=note,
        applied_by=actor,
    )
    audit.record_change(
        actor=actor,
        instance=application,
        action="vacancy_applied",
        house_id=house.id,
        changes={"vacant_since": [None, since]},
        object_repr=house.code,
    )
    return application


def _decide(actor, application: VacancyApplication, status: str, note: str):
    require(actor, Perm.VACANCY_APPROVE, application.community_id)
    note = clean_text("note", note, max_length=300)
    now = timezone.now()
    values = {"status": status, "decided_by": actor, "decided_at": now, "decision_note": note}
    if status == Status.APPROVED:
        values["discount_from"] = add_months(month_start(timezone.localdate()), 1)
    claimed = VacancyApplication.objects.filter(pk=application.pk, status=Status.PENDING).update(
        **values
    )
    if not claimed:
        raise Conflict(
            _("This application has already been decided."),
            code=error_codes.NOT_PENDING,
            field="status",
        )
    application.refresh_from_db()
    audit.record_change(
        actor=actor,
        instance=application,
        action=f"vacancy_{status}",
        house_id=application.house_id,
        changes={"status": [Status.PENDING, status]},
        note=note,
        object_repr=application.house.code,
    )
    return application


@transaction.atomic
def vacancy_approve(*, actor, application: VacancyApplication, note: str = ""):
    """Approve: the discount applies from the month after approval, never before."""
    return _decide(actor, application, Status.APPROVED, note)


@transaction.atomic
def vacancy_reject(*, actor, application: VacancyApplication, note: str = ""):
    return _decide(actor, application, Status.REJECTED, note)

"""The one permission policy: what each role may do, and in which communities.

Every service, page and API endpoint asks this module; no role names are compared elsewhere.
Staff see only the communities they are scoped to; administrators see every community.
Owners hold no staff permission: their portal starts from their own houses.
"""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from propdesk.accounts.models import Role
from propdesk.core.errors import NotFound, PermissionDenied


class Perm(StrEnum):
    REGISTRY_VIEW = "registry.view"
    REGISTRY_EDIT = "registry.edit"
    OWNERSHIP_TRANSFER = "registry.transfer"
    REGISTRY_IMPORT = "registry.import"
    REGISTRY_EXPORT = "registry.export"
    ARCHIVE_UPLOAD = "archive.upload"
    ARCHIVE_VIEW = "archive.view"
    REVEAL_MOBILE = "pii.reveal_mobile"
    REVEAL_ID_NUMBER = "pii.reveal_id_number"
    REVEAL_PLATE = "pii.reveal_plate"
    ACCESS_LOG_VIEW = "audit.access_log"
    API_TOKENS = "admin.api_tokens"
    STAFF_MANAGE = "admin.staff"
    # service requests (工单), DOMAIN.md §2
    REQUEST_VIEW = "requests.view"
    REQUEST_CREATE = "requests.create"
    REQUEST_DISPATCH = "requests.dispatch"
    REQUEST_WORK = "requests.work"
    REQUEST_FOLLOW_UP = "requests.follow_up"
    REQUEST_CANCEL = "requests.cancel"
    REQUEST_CONFIGURE = "requests.configure"
    REQUEST_REPORTS = "requests.reports"
    # fees and collection (收费), DOMAIN.md §3
    BILLING_VIEW = "billing.view"
    PAYMENT_TAKE = "billing.take_payment"
    BILLING_RUN = "billing.run"
    BILLING_CONFIGURE = "billing.configure"
    LEDGER_ADJUST_REQUEST = "billing.adjust_request"
    LEDGER_ADJUST_APPROVE = "billing.adjust_approve"
    VACANCY_APPROVE = "billing.vacancy_approve"
    BILLING_REPORTS = "billing.reports"
    # front-desk procedures (前台业务), DOMAIN.md §4
    FRONTDESK_VIEW = "frontdesk.view"
    MOVE_IN = "frontdesk.move_in"
    INSPECTION_RECORD = "frontdesk.inspect"
    DECORATION_MANAGE = "frontdesk.decoration"
    DECORATION_APPROVE = "frontdesk.decoration_approve"
    DECORATION_PATROL = "frontdesk.decoration_patrol"
    KEYS_MANAGE = "frontdesk.keys"
    RELEASE_ISSUE = "frontdesk.release_issue"
    RELEASE_CHECK = "frontdesk.release_check"
    DOCUMENTS_REGISTER = "frontdesk.documents"
    FRONTDESK_CONFIGURE = "frontdesk.configure"
    # owner portal and notifications (业主端, 通知), DOMAIN.md §2, §6, §9
    PORTAL_LINK_VERIFY = "portal.verify_link"
    ANNOUNCEMENT_WRITE = "notices.write"
    ANNOUNCEMENT_PUBLISH = "notices.publish"
    NOTICE_TEMPLATES = "notices.templates"


_FRONT_DESK = {
    Perm.REGISTRY_VIEW,
    Perm.REGISTRY_EDIT,
    Perm.OWNERSHIP_TRANSFER,
    Perm.REGISTRY_EXPORT,
    Perm.ARCHIVE_UPLOAD,
    Perm.ARCHIVE_VIEW,
    Perm.REVEAL_MOBILE,
    Perm.REVEAL_ID_NUMBER,
    Perm.REVEAL_PLATE,
}

# Every staff member records what they see (patrol findings, walk-ins) and follows its progress.
_REQUEST_REPORTER = {Perm.REQUEST_VIEW, Perm.REQUEST_CREATE}
# The front desk dispatches, answers what it can, calls owners back and cancels with a reason.
_REQUEST_DESK = _REQUEST_REPORTER | {
    Perm.REQUEST_DISPATCH,
    Perm.REQUEST_WORK,
    Perm.REQUEST_FOLLOW_UP,
    Perm.REQUEST_CANCEL,
    Perm.BILLING_VIEW,
}
# The front desk runs the procedures; a supervisor approves decoration plans.
_FRONTDESK_DESK = {
    Perm.FRONTDESK_VIEW,
    Perm.MOVE_IN,
    Perm.INSPECTION_RECORD,
    Perm.DECORATION_MANAGE,
    Perm.DECORATION_PATROL,
    Perm.KEYS_MANAGE,
    Perm.RELEASE_ISSUE,
    Perm.RELEASE_CHECK,
    Perm.DOCUMENTS_REGISTER,
    Perm.PORTAL_LINK_VERIFY,
    Perm.ANNOUNCEMENT_WRITE,
}
_SUPERVISION = {
    Perm.REGISTRY_IMPORT,
    Perm.ACCESS_LOG_VIEW,
    Perm.REQUEST_CONFIGURE,
    Perm.REQUEST_REPORTS,
    Perm.PAYMENT_TAKE,
    Perm.BILLING_RUN,
    Perm.BILLING_CONFIGURE,
    Perm.LEDGER_ADJUST_REQUEST,
    Perm.LEDGER_ADJUST_APPROVE,
    Perm.VACANCY_APPROVE,
    Perm.BILLING_REPORTS,
    Perm.DECORATION_APPROVE,
    Perm.FRONTDESK_CONFIGURE,
    Perm.ANNOUNCEMENT_PUBLISH,
}

ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.AGENT: frozenset(_FRONT_DESK | _REQUEST_DESK | _FRONTDESK_DESK),
    Role.SUPERVISOR: frozenset(_FRONT_DESK | _REQUEST_DESK | _FRONTDESK_DESK | _SUPERVISION),
    # Technicians and guards find houses and people, and call owners about the job at hand.
    # Technicians inspect houses and decoration works; guards check release passes at the gate
    # and patrol decoration works.
    Role.TECHNICIAN: frozenset(
        {
            Perm.REGISTRY_VIEW,
            Perm.REVEAL_MOBILE,
            Perm.REQUEST_WORK,
            Perm.FRONTDESK_VIEW,
            Perm.INSPECTION_RECORD,
            Perm.DECORATION_PATROL,
        }
        | _REQUEST_REPORTER
    ),
    Role.GUARD: frozenset(
        {
            Perm.REGISTRY_VIEW,
            Perm.REVEAL_PLATE,
            Perm.FRONTDESK_VIEW,
            Perm.DECORATION_PATROL,
            Perm.RELEASE_CHECK,
        }
        | _REQUEST_REPORTER
    ),
    # Cashiers take payments and ask for corrections; a supervisor approves them.
    Role.CASHIER: frozenset(
        {
            Perm.REGISTRY_VIEW,
            Perm.REGISTRY_EXPORT,
            Perm.REVEAL_MOBILE,
            Perm.BILLING_VIEW,
            Perm.PAYMENT_TAKE,
            Perm.LEDGER_ADJUST_REQUEST,
            Perm.BILLING_REPORTS,
        }
        | _REQUEST_REPORTER
    ),
    Role.ADMIN: frozenset(Perm),
    Role.OWNER: frozenset(),
}

REVEAL_PERMS = {
    "mobile": Perm.REVEAL_MOBILE,
    "id_number": Perm.REVEAL_ID_NUMBER,
    "plate": Perm.REVEAL_PLATE,
}


def is_staff_member(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role != Role.OWNER)


def is_company_wide(user) -> bool:
    return bool(user.is_superuser or user.role == Role.ADMIN)


def has_perm(user, perm: Perm) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    return perm in ROLE_PERMISSIONS.get(user.role, frozenset())


def community_ids(user) -> list[int]:
    """The ids of the communities `user` may work in (cached on the user object per request)."""
    from propdesk.estates.models import Community

    cached = getattr(user, "_propdesk_community_ids", None)
    if cached is not None:
        return cached
    if not is_staff_member(user):
        ids: list[int] = []
    elif is_company_wide(user):
        ids = list(Community.objects.order_by("id").values_list("id", flat=True))
    else:
        ids = list(user.communities.order_by("id").values_list("id", flat=True))
    user._propdesk_community_ids = ids
    return ids


def require(user, perm: Perm, community_id: int | None = None) -> None:
    """Raise PermissionDenied unless `user` holds `perm` (in `community_id`, when given)."""
    if not has_perm(user, perm):
        raise PermissionDenied(_("Your role does not allow this."), code="role_forbidden")
    if community_id is not None and community_id not in community_ids(user):
        raise PermissionDenied(_("You do not work in this community."), code="community_forbidden")


def scope(queryset, user, perm: Perm = Perm.REGISTRY_VIEW, field: str = "community_id"):
    """Filter a queryset of community rows to what `user` may see; empty without `perm`."""
    if not has_perm(user, perm):
        return queryset.none()
    return queryset.filter(**{f"{field}__in": community_ids(user)})


def get_scoped(queryset, user, pk, perm: Perm = Perm.REGISTRY_VIEW, field: str = "community_id"):
    """Fetch one row the user may see, or raise NotFound (never reveal that it exists)."""
    require(user, perm)
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise NotFound() from exc
    obj = scope(queryset, user, perm, field).filter(pk=pk).first()
    if obj is None:
        raise NotFound()
    return obj


def can_reveal(user, field: str) -> bool:
    perm = REVEAL_PERMS.get(field)
    return perm is not None and has_perm(user, perm)

"""The one permission policy: what each role may do, and in which communities.

Every service, page and API endpoint asks this module; no role names are compared elsewhere.
Staff see only the communities they are scoped to; administrators see every community.
Owners hold no staff permission: their portal starts from their own houses.
"""

from enum import StrEnum

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from propdesk.core import error_codes
from propdesk.core.errors import NotFound, PermissionDenied
from propdesk.core.roles import Role


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
    # online payment providers (WeChat Pay, Alipay), issue 21: the credentials are an
    # administrator's (company-wide); finance reconciles the statements and sends refunds
    PAYMENT_PROVIDERS = "payments.providers"
    PAYMENT_RECONCILE = "payments.reconcile"
    PAYMENT_REFUND = "payments.refund"
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
    MESSAGE_PROVIDERS = "notices.providers"  # SMS gateways and the WeChat account: credentials
    # service quality (服务质量), DOMAIN.md §7–8, issue 16
    CALL_VIEW = "quality.calls_view"
    CALL_TAKE = "quality.calls_take"
    CALL_MANAGE = "quality.calls_manage"
    CALL_IMPORT = "quality.calls_import"
    QUALITY_FIGURES = "quality.figures"
    SURVEY_VIEW = "quality.surveys_view"
    SURVEY_ENTER = "quality.surveys_enter"
    SURVEY_MANAGE = "quality.surveys_manage"
    REVIEW_VIEW = "quality.reviews_view"
    REVIEW_WRITE = "quality.reviews_write"
    EXAM_TAKE = "quality.exams_take"
    EXAM_MANAGE = "quality.exams_manage"
    ASSESSMENT_VIEW = "quality.assessment_view"
    ASSESSMENT_MANAGE = "quality.assessment_manage"
    # operations (运维): equipment, device readings and their alerts, seed 002 §1.2, §5.3
    OPERATIONS_VIEW = "operations.view"
    EQUIPMENT_MANAGE = "operations.equipment"
    OPERATIONS_CONFIGURE = "operations.configure"
    # patrol inspections (巡检), seed 002 §1.2, §3.3
    PATROL_VIEW = "operations.patrol_view"
    PATROL_CHECK = "operations.patrol_check"
    PATROL_MANAGE = "operations.patrol_manage"
    # temporary parking (临时停车), seed 001: guards at the gate and cashiers at the desk charge it
    PARKING_CHARGE = "operations.parking_charge"
    # fee transparency (收支公示), seed 003 ch.6 §9: one supervisor prepares, another reviews
    PUBLICATION_PREPARE = "operations.publication_prepare"
    PUBLICATION_REVIEW = "operations.publication_review"
    # emergencies and community (应急与社区), DOMAIN.md §5–6: see COMMUNITY_GRANTS below
    INCIDENT_VIEW = "community.incident_view"
    INCIDENT_OPEN = "community.incident_open"
    INCIDENT_WORK = "community.incident_work"
    INCIDENT_BROADCAST = "community.incident_broadcast"
    INCIDENT_CLOSE = "community.incident_close"
    INCIDENT_PLANS = "community.incident_plans"
    VISIT_LOG = "community.visit_log"
    CARE_VIEW = "community.care_view"
    CARE_MANAGE = "community.care_manage"
    REVEAL_HEALTH = "pii.reveal_health"
    ACTIVITY_VIEW = "community.activity_view"
    ACTIVITY_MANAGE = "community.activity_manage"
    GREETING_OPT_OUT = "community.greeting_opt_out"
    GREETING_CONFIGURE = "community.greeting_configure"
    WEATHER_WARNING = "community.weather_warning"
    MAINTENANCE_OUTREACH = "assistant.maintenance_outreach"


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
    Perm.PAYMENT_RECONCILE,
    Perm.PAYMENT_REFUND,
    Perm.DECORATION_APPROVE,
    Perm.FRONTDESK_CONFIGURE,
    Perm.ANNOUNCEMENT_PUBLISH,
}

# Service quality: agents log calls, call back and enter survey answers taken by phone or on a
# visit; supervisors read the figures, import the telephone system's records, correct any
# agent's call, open survey rounds and decide what a low answer gets, and review agents' work
# (an agent sees only the reviews of their own work).
_QUALITY_DESK = {
    Perm.CALL_VIEW,
    Perm.CALL_TAKE,
    Perm.SURVEY_VIEW,
    Perm.SURVEY_ENTER,
    Perm.REVIEW_VIEW,
}
_QUALITY_SUPERVISION = {
    Perm.CALL_MANAGE,
    Perm.CALL_IMPORT,
    Perm.QUALITY_FIGURES,
    Perm.SURVEY_MANAGE,
    Perm.REVIEW_WRITE,
}
_FRONTDESK_DESK |= _QUALITY_DESK
_SUPERVISION |= _QUALITY_SUPERVISION

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
            Perm.PAYMENT_RECONCILE,
        }
        | _REQUEST_REPORTER
    ),
    Role.ADMIN: frozenset(Perm),
    Role.OWNER: frozenset(),
}

# Operations: every staff role sees the equipment and its alerts (a guard on patrol, an agent
# taking a call about the lift); engineers and supervisors keep the register; supervisors set the
# alert thresholds.
# Patrols: guards and engineers walk the rounds and record the checks; the desk sees them;
# supervisors set the points, routes and plans.
_OPERATIONS = {
    Role.AGENT: {Perm.OPERATIONS_VIEW, Perm.PATROL_VIEW},
    Role.GUARD: {Perm.OPERATIONS_VIEW, Perm.PATROL_VIEW, Perm.PATROL_CHECK, Perm.PARKING_CHARGE},
    Role.CASHIER: {Perm.PARKING_CHARGE},
    Role.TECHNICIAN: {
        Perm.OPERATIONS_VIEW,
        Perm.EQUIPMENT_MANAGE,
        Perm.PATROL_VIEW,
        Perm.PATROL_CHECK,
    },
    Role.SUPERVISOR: {
        Perm.OPERATIONS_VIEW,
        Perm.EQUIPMENT_MANAGE,
        Perm.OPERATIONS_CONFIGURE,
        Perm.PATROL_VIEW,
        Perm.PATROL_CHECK,
        Perm.PATROL_MANAGE,
        Perm.PARKING_CHARGE,
        Perm.PUBLICATION_PREPARE,
        Perm.PUBLICATION_REVIEW,
    },
}
for _role, _perms in _OPERATIONS.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | _perms

# Emergencies and community (应急与社区): every staff member sees incidents and ticks the steps
# they do; the desk opens, broadcasts, links calls and keeps the visit log, care visits and
# activities, and records who does not want birthday greetings; supervisors close incidents, edit
# plans, reveal health details, turn a community's birthday greetings on or off and schedule
# severe-weather warnings (to whole communities, up to a week ahead).
_COMMUNITY_STAFF = {Perm.INCIDENT_VIEW, Perm.INCIDENT_WORK, Perm.ACTIVITY_VIEW}
_COMMUNITY_DESK = _COMMUNITY_STAFF | {
    Perm.INCIDENT_OPEN,
    Perm.INCIDENT_BROADCAST,
    Perm.VISIT_LOG,
    Perm.CARE_VIEW,
    Perm.CARE_MANAGE,
    Perm.ACTIVITY_MANAGE,
    Perm.GREETING_OPT_OUT,
}
COMMUNITY_GRANTS: dict[str, set[Perm]] = {
    Role.AGENT: _COMMUNITY_DESK,
    Role.SUPERVISOR: _COMMUNITY_DESK
    | {
        Perm.INCIDENT_CLOSE,
        Perm.INCIDENT_PLANS,
        Perm.REVEAL_HEALTH,
        Perm.GREETING_CONFIGURE,
        Perm.WEATHER_WARNING,
    },
    Role.TECHNICIAN: _COMMUNITY_STAFF,
    Role.GUARD: _COMMUNITY_STAFF | {Perm.INCIDENT_OPEN, Perm.VISIT_LOG},
}
ROLE_PERMISSIONS = {
    role: perms | COMMUNITY_GRANTS.get(role, set()) for role, perms in ROLE_PERMISSIONS.items()
}

# Training and exams (培训考试): every staff member takes exams and attends training; supervisors
# keep the question bank, set exams, record training sessions and read everyone's results.
_EXAM_GRANTS: dict[str, set[Perm]] = {
    Role.AGENT: {Perm.EXAM_TAKE},
    Role.SUPERVISOR: {Perm.EXAM_TAKE, Perm.EXAM_MANAGE},
    Role.TECHNICIAN: {Perm.EXAM_TAKE},
    Role.CASHIER: {Perm.EXAM_TAKE},
    Role.GUARD: {Perm.EXAM_TAKE},
}
for _role, _perms in _EXAM_GRANTS.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | _perms

# The six-dimension assessment (绩效考核): an agent sees their own scorecards; supervisors compute
# the month, adjust a score with a reason, record data-entry checks and close the month.
ROLE_PERMISSIONS[Role.AGENT] = ROLE_PERMISSIONS[Role.AGENT] | {Perm.ASSESSMENT_VIEW}
ROLE_PERMISSIONS[Role.SUPERVISOR] = ROLE_PERMISSIONS[Role.SUPERVISOR] | {
    Perm.ASSESSMENT_VIEW,
    Perm.ASSESSMENT_MANAGE,
}

# Maintenance outreach (the assistant's prediction list): the desk calls owners before the fault
# comes back and books the visit.
for _role in (Role.AGENT, Role.SUPERVISOR):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {Perm.MAINTENANCE_OUTREACH}

REVEAL_PERMS = {
    "mobile": Perm.REVEAL_MOBILE,
    "id_number": Perm.REVEAL_ID_NUMBER,
    "plate": Perm.REVEAL_PLATE,
}


def roles_with(perm: Perm) -> list[str]:
    """The roles that hold `perm`: for queries of who may do something (never a list of names
    written by hand elsewhere)."""
    return [role for role, perms in ROLE_PERMISSIONS.items() if perm in perms]


def holders_q(perm: Perm) -> Q:
    """A filter on users for the active accounts that hold `perm` (superusers hold all)."""
    return Q(is_active=True) & (Q(role__in=roles_with(perm)) | Q(is_superuser=True))


def staff_q() -> Q:
    """A filter on users for the active staff accounts (every role but the owner's)."""
    return Q(is_active=True) & ~Q(role=Role.OWNER)


def company_wide_q() -> Q:
    """A filter on users for those who see every community (see `is_company_wide`)."""
    return Q(is_superuser=True) | Q(role=Role.ADMIN)


def is_owner_account(user) -> bool:
    """An active owner-role account: no staff permission; what it sees is estates.owner_access."""
    return bool(user and user.is_authenticated and user.is_active and user.role == Role.OWNER)


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
    Community = _community_model()  # noqa: N806

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


def community_ids_known(user, ids: list[int]) -> None:
    """Hand `user` the ids of its communities when they are already known (an API token's
    cache, `accounts.token_cache`), so that `community_ids` reads nothing."""
    user._propdesk_community_ids = ids


def _community_model():
    # The kernel names no domain app: the community model is the one users are scoped to.
    from django.contrib.auth import get_user_model

    return get_user_model()._meta.get_field("communities").related_model


def communities_for(user, perm: Perm | None = None):
    """The communities `user` may use (holding `perm`, when given), by code: every community
    picker and every list's scope starts here."""
    model = _community_model()
    if perm is not None and not has_perm(user, perm):
        return model.objects.none()
    return model.objects.filter(id__in=community_ids(user)).order_by("code")


def chosen_community_ids(user, community_id: int | None) -> list[int]:
    """The communities to read: the one chosen if `user` may use it (none otherwise), or all of
    theirs. Company-wide users get the explicit list too: list indexes start with the community,
    and `community IN (…)` reads one index range per community on both databases."""
    ids = community_ids(user)
    if community_id is not None:
        return [community_id] if community_id in ids else []
    return ids


def require(user, perm: Perm, community_id: int | None = None) -> None:
    """Raise PermissionDenied unless `user` holds `perm` (in `community_id`, when given)."""
    if not has_perm(user, perm):
        raise PermissionDenied(_("Your role does not allow this."), code=error_codes.ROLE_FORBIDDEN)
    if community_id is not None and community_id not in community_ids(user):
        raise PermissionDenied(
            _("You do not work in this community."), code=error_codes.COMMUNITY_FORBIDDEN
        )


def scope(queryset, user, perm: Perm = Perm.REGISTRY_VIEW, field: str = "community_id"):
    """Filter a queryset of community rows to what `user` may see; empty without `perm`."""
    if not has_perm(user, perm):
        return queryset.none()
    return queryset.filter(**{f"{field}__in": community_ids(user)})


def in_scope(user, perm: Perm, community_id: int) -> bool:
    """Whether a row of `community_id` is among those `scope(…, user, perm)` lets through (for a
    row read without a queryset)."""
    return has_perm(user, perm) and community_id in community_ids(user)


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

"""Who may do what: staff roles, community scopes, departments, the superuser flag and whether an
account may sign in are changed here only, each change in the history (who, whom, before → after).

Administrators use the console's staff page (`/accounts/staff/`); the Django admin shows these
fields read-only. Owner accounts are made by the portal's sign-in and are not staff: they are not
listed and cannot be given a staff role here. Only a superuser grants or removes the superuser
flag, and nobody takes away their own right to manage staff or signs themselves out for good.
"""

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from propdesk.accounts import error_codes
from propdesk.accounts.models import Department, Role, User
from propdesk.core import audit
from propdesk.core.cleaning import clean_choice, clean_text
from propdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from propdesk.core.permissions import ROLE_PERMISSIONS, Perm, communities_for, require

STAFF_ROLES = [role for role in Role.values if ROLE_PERMISSIONS.get(role)]


def staff_list(*, actor, q: str = "") -> QuerySet[User]:
    """Staff accounts (not owners), searched by username, name or mobile."""
    require(actor, Perm.STAFF_MANAGE)
    users = User.objects.filter(role__in=STAFF_ROLES).select_related("department")
    q = clean_text("q", q, max_length=60)
    if q:
        users = users.filter(
            Q(username__icontains=q)
            | Q(last_name__startswith=q)
            | Q(first_name__startswith=q)
            | Q(mobile__endswith=q)
        )
    return users.prefetch_related("communities").order_by("username")


def staff_get(*, actor, user_id) -> User:
    require(actor, Perm.STAFF_MANAGE)
    try:
        user_id = int(user_id)
    except (TypeError, ValueError) as exc:
        raise NotFound() from exc
    user = User.objects.filter(pk=user_id, role__in=STAFF_ROLES).first()
    if user is None:
        raise NotFound()
    return user


def _access_of(user: User) -> dict:
    return {
        "role": user.role,
        "department": user.department.code if user.department_id else None,
        "communities": sorted(user.communities.values_list("code", flat=True)),
        "is_superuser": user.is_superuser,
        "is_active": user.is_active,
    }


def staff_access_preview(*, actor, user: User, **values) -> dict[str, list]:
    """The changes `staff_access_change` would make, before → after (for the confirmation)."""
    user, after = _checked(actor, user, **values)
    before = _access_of(user)
    shown = {
        **after,
        "department": after["department"].code if after["department"] else None,
        "communities": sorted(c.code for c in after["communities"]),
    }
    return {name: [before[name], shown[name]] for name in before if before[name] != shown[name]}


def _checked(actor, user: User, *, role, department, community_ids, is_superuser, is_active):
    require(actor, Perm.STAFF_MANAGE)
    if user.role not in STAFF_ROLES:
        raise NotFound()
    role = clean_choice("role", role, Role)
    if role not in STAFF_ROLES:
        raise ValidationFailed(
            _("Owner accounts are made by the owner portal's sign-in, not here."),
            code=error_codes.NOT_A_STAFF_ROLE,
            field="role",
        )
    if department in (None, ""):
        department = None
    elif not isinstance(department, Department):
        department = Department.objects.filter(pk=department).first()
        if department is None:
            raise ValidationFailed(_("Choose a department from the list."), field="department")
    try:
        wanted = {int(pk) for pk in community_ids or []}
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(_("Choose communities from the list."), field="communities") from exc
    communities = list(communities_for(actor).filter(pk__in=wanted))
    if len(communities) != len(wanted):
        raise ValidationFailed(_("Choose communities from the list."), field="communities")
    is_superuser, is_active = bool(is_superuser), bool(is_active)
    if is_superuser != user.is_superuser and not actor.is_superuser:
        raise PermissionDenied(
            _("Only a superuser grants or removes the superuser flag."),
            code=error_codes.SUPERUSER_ONLY,
            field="is_superuser",
        )
    if user.pk == actor.pk:
        keeps = is_superuser or Perm.STAFF_MANAGE in ROLE_PERMISSIONS.get(role, ())
        if not (keeps and is_active):
            raise ValidationFailed(
                _("You cannot take away your own right to manage staff."),
                code=error_codes.OWN_ACCESS,
                field="role",
            )
    return user, {
        "role": role,
        "department": department,
        "communities": communities,
        "is_superuser": is_superuser,
        "is_active": is_active,
    }


@transaction.atomic
def staff_access_change(*, actor, user: User, **values) -> User:
    """Set a staff account's role, department, communities, superuser flag and sign-in; one
    history row names every field that changed (before → after)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    user, after = _checked(actor, user, **values)
    before = _access_of(user)
    user.role = after["role"]
    user.department = after["department"]
    user.is_superuser = after["is_superuser"]
    user.is_active = after["is_active"]
    user.save(update_fields=["role", "department", "is_superuser", "is_active"])
    user.communities.set(after["communities"])
    now = _access_of(user)
    changes = {name: [before[name], now[name]] for name in before if before[name] != now[name]}
    if changes:
        audit.record_change(
            actor=actor, instance=user, action="staff_access_changed", changes=changes
        )
    for name in ("_propdesk_community_ids",):
        if hasattr(user, name):
            delattr(user, name)
    return user


def staff_history(*, actor, user: User):
    """The access changes of one account, newest first."""
    from propdesk.core.models import AuditEvent

    require(actor, Perm.STAFF_MANAGE)
    return (
        AuditEvent.objects.filter(
            object_type="user", object_id=user.pk, action="staff_access_changed"
        )
        .select_related("actor")
        .order_by("-at", "-id")[:50]
    )

"""Who gets the work: the department from the routing rules, a person by the dispatcher's choice
or round-robin within the department (DOMAIN.md §2: a lead department, no buck-passing)."""

from django.utils.translation import gettext as _

from propdesk.accounts.models import Department, User
from propdesk.core.errors import ValidationFailed
from propdesk.core.permissions import Perm, community_ids, has_perm, holders_q
from propdesk.tickets import error_codes
from propdesk.tickets.models import AssignmentCursor


def workers_of(*, community_id: int, department: Department) -> list[User]:
    """Active staff of `department` in the community who may work on requests, by id."""
    people = User.objects.filter(
        holders_q(Perm.REQUEST_WORK), department=department, communities__id=community_id
    )
    return list(people.order_by("id"))


def assignee_check(*, assignee: User, community_id: int, department: Department | None) -> None:
    """Refuse an assignee who cannot take the work (naming the field `assignee`)."""
    if not (assignee.is_active and has_perm(assignee, Perm.REQUEST_WORK)):
        raise ValidationFailed(
            _("This person cannot work on requests."),
            code=error_codes.BAD_ASSIGNEE,
            field="assignee",
        )
    if community_id not in community_ids(assignee):
        raise ValidationFailed(
            _("This person does not work in the request's community."),
            code=error_codes.ASSIGNEE_OTHER_COMMUNITY,
            field="assignee",
        )
    if (
        department is not None
        and assignee.department_id is not None
        and assignee.department_id != department.pk
    ):
        raise ValidationFailed(
            _("This person belongs to another department."),
            code=error_codes.ASSIGNEE_OTHER_DEPARTMENT,
            field="assignee",
        )


def assignee_next(*, community_id: int, department: Department) -> User | None:
    """The next person of the department in turn (round-robin), or None when nobody can."""
    candidates = workers_of(community_id=community_id, department=department)
    if not candidates:
        return None
    AssignmentCursor.objects.get_or_create(community_id=community_id, department=department)
    cursor = AssignmentCursor.objects.select_for_update().get(
        community_id=community_id, department=department
    )
    later = [person for person in candidates if person.pk > (cursor.last_user_id or 0)]
    chosen = later[0] if later else candidates[0]
    cursor.last_user = chosen
    cursor.save(update_fields=["last_user"])
    return chosen

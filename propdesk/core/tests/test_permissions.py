"""The permission policy (core.permissions): what each role may do, and in which communities.

The table below is the policy written out by hand. Changing ROLE_PERMISSIONS without changing
this table fails the suite, so every change to who may do what is a visible, reviewed change.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import translation

from propdesk.accounts.models import Role, User
from propdesk.core.errors import NotFound, PermissionDenied
from propdesk.core.permissions import (
    ROLE_PERMISSIONS,
    Perm,
    can_reveal,
    community_ids,
    get_scoped,
    has_perm,
    is_company_wide,
    is_staff_member,
    require,
    scope,
)
from propdesk.estates.models import Community, House

# x = allowed, . = refused
POLICY_TABLE = """
permission              agent  supervisor  technician  cashier  guard  admin  owner
registry.view             x        x           x          x       x      x      .
registry.edit             x        x           .          .       .      x      .
registry.transfer         x        x           .          .       .      x      .
registry.import           .        x           .          .       .      x      .
registry.export           x        x           .          x       .      x      .
archive.upload            x        x           .          .       .      x      .
archive.view              x        x           .          .       .      x      .
pii.reveal_mobile         x        x           x          x       .      x      .
pii.reveal_id_number      x        x           .          .       .      x      .
pii.reveal_plate          x        x           .          .       x      x      .
audit.access_log          .        x           .          .       .      x      .
admin.api_tokens          .        .           .          .       .      x      .
admin.staff               .        .           .          .       .      x      .
requests.view             x        x           x          x       x      x      .
requests.create           x        x           x          x       x      x      .
requests.dispatch         x        x           .          .       .      x      .
requests.work             x        x           x          .       .      x      .
requests.follow_up        x        x           .          .       .      x      .
requests.cancel           x        x           .          .       .      x      .
requests.configure        .        x           .          .       .      x      .
requests.reports          .        x           .          .       .      x      .
billing.view              x        x           .          x       .      x      .
billing.take_payment      .        x           .          x       .      x      .
billing.run               .        x           .          .       .      x      .
billing.configure         .        x           .          .       .      x      .
billing.adjust_request    .        x           .          x       .      x      .
billing.adjust_approve    .        x           .          .       .      x      .
billing.vacancy_approve   .        x           .          .       .      x      .
billing.reports           .        x           .          x       .      x      .
payments.providers        .        .           .          .       .      x      .
payments.reconcile        .        x           .          x       .      x      .
payments.refund           .        x           .          .       .      x      .
frontdesk.view            x        x           x          .       x      x      .
frontdesk.move_in         x        x           .          .       .      x      .
frontdesk.inspect         x        x           x          .       .      x      .
frontdesk.decoration      x        x           .          .       .      x      .
frontdesk.decoration_approve .     x           .          .       .      x      .
frontdesk.decoration_patrol x      x           x          .       x      x      .
frontdesk.keys            x        x           .          .       .      x      .
frontdesk.release_issue   x        x           .          .       .      x      .
frontdesk.release_check   x        x           .          .       x      x      .
frontdesk.documents       x        x           .          .       .      x      .
frontdesk.configure       .        x           .          .       .      x      .
portal.verify_link        x        x           .          .       .      x      .
notices.write             x        x           .          .       .      x      .
notices.publish           .        x           .          .       .      x      .
notices.templates         .        .           .          .       .      x      .
notices.providers         .        .           .          .       .      x      .
quality.calls_view        x        x           .          .       .      x      .
quality.calls_take        x        x           .          .       .      x      .
quality.calls_manage      .        x           .          .       .      x      .
quality.calls_import      .        x           .          .       .      x      .
quality.figures           .        x           .          .       .      x      .
quality.surveys_view      x        x           .          .       .      x      .
quality.surveys_enter     x        x           .          .       .      x      .
quality.surveys_manage    .        x           .          .       .      x      .
quality.reviews_view      x        x           .          .       .      x      .
quality.reviews_write     .        x           .          .       .      x      .
quality.exams_take        x        x           x          x       x      x      .
quality.exams_manage      .        x           .          .       .      x      .
quality.assessment_view   x        x           .          .       .      x      .
quality.assessment_manage .        x           .          .       .      x      .
operations.view           x        x           x          .       x      x      .
operations.equipment      .        x           x          .       .      x      .
operations.configure      .        x           .          .       .      x      .
operations.patrol_view    x        x           x          .       x      x      .
operations.patrol_check   .        x           x          .       x      x      .
operations.patrol_manage  .        x           .          .       .      x      .
operations.parking_charge .        x           .          x       x      x      .
operations.publication_prepare .   x           .          .       .      x      .
operations.publication_review .    x           .          .       .      x      .
community.incident_view   x        x           x          .       x      x      .
community.incident_open   x        x           .          .       x      x      .
community.incident_work   x        x           x          .       x      x      .
community.incident_broadcast x     x           .          .       .      x      .
community.incident_close  .        x           .          .       .      x      .
community.incident_plans  .        x           .          .       .      x      .
community.visit_log       x        x           .          .       x      x      .
community.care_view       x        x           .          .       .      x      .
community.care_manage     x        x           .          .       .      x      .
pii.reveal_health         .        x           .          .       .      x      .
community.activity_view   x        x           x          .       x      x      .
community.activity_manage x        x           .          .       .      x      .
community.greeting_opt_out x       x           .          .       .      x      .
community.greeting_configure .      x           .          .       .      x      .
community.weather_warning .        x           .          .       .      x      .
assistant.maintenance_outreach x   x           .          .       .      x      .
"""


def _parse_policy(table: str) -> dict[tuple[str, str], bool]:
    header, *rows = [line.split() for line in table.strip().splitlines()]
    roles = header[1:]
    expected = {}
    for perm, *marks in rows:
        assert len(marks) == len(roles), perm
        for role, mark in zip(roles, marks, strict=True):
            expected[(role, perm)] = mark == "x"
    return expected


EXPECTED = _parse_policy(POLICY_TABLE)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_the_table_covers_every_role_and_every_permission():
    assert {role for role, _perm in EXPECTED} == set(Role.values)
    assert {perm for _role, perm in EXPECTED} == {p.value for p in Perm}
    assert set(ROLE_PERMISSIONS) == set(Role.values)


@pytest.mark.parametrize(("role", "perm"), sorted(EXPECTED))
def test_the_role_holds_exactly_the_permissions_of_the_table(role, perm):
    assert (Perm(perm) in ROLE_PERMISSIONS[role]) is EXPECTED[(role, perm)]


@pytest.mark.parametrize(("role", "perm"), sorted(EXPECTED))
def test_has_perm_follows_the_table_for_a_user_of_the_role(db, role, perm):
    user = User.objects.create_user("u", password="pw", role=role)
    assert has_perm(user, Perm(perm)) is EXPECTED[(role, perm)]


def test_a_superuser_holds_every_permission_whatever_the_role(db):
    root = User.objects.create_superuser("root", password="pw", role=Role.GUARD)
    assert [p for p in Perm if not has_perm(root, p)] == []


def test_anonymous_and_inactive_users_hold_no_permission(db):
    inactive_admin = User.objects.create_user(
        "gone", password="pw", role=Role.ADMIN, is_active=False
    )
    assert [p for p in Perm if has_perm(AnonymousUser(), p)] == []
    assert [p for p in Perm if has_perm(inactive_admin, p)] == []
    assert [p for p in Perm if has_perm(None, p)] == []


# Community scoping


def test_scoped_staff_work_only_in_their_communities(personas, community_a, community_b):
    for name in ("agent", "supervisor", "technician", "cashier", "guard"):
        assert community_ids(personas[name]) == [community_a.id], name
    assert community_ids(personas["other_agent"]) == [community_b.id]


def test_staff_of_several_communities_work_in_each(personas, community_a, community_b):
    both = User.objects.create_user("both", password="pw", role=Role.AGENT)
    both.communities.set([community_b, community_a])
    assert community_ids(both) == sorted([community_a.id, community_b.id])


def test_staff_without_communities_work_nowhere(db):
    loner = User.objects.create_user("loner", password="pw", role=Role.AGENT)
    assert community_ids(loner) == []


def test_an_admin_sees_every_community_without_being_assigned(personas, company):
    community_c = Community.objects.create(company=company, code="C", name="丙", archive_prefix="C")
    assert list(personas["admin"].communities.all()) == []
    assert community_ids(personas["admin"]) == sorted(
        Community.objects.values_list("id", flat=True)
    )
    assert community_c.id in community_ids(personas["admin"])


def test_a_superuser_is_company_wide(personas, community_a, community_b):
    root = User.objects.create_superuser("root", password="pw", role=Role.AGENT)
    assert is_company_wide(root) is True
    assert community_ids(root) == [community_a.id, community_b.id]


def test_owner_accounts_and_inactive_staff_see_no_community(personas, community_a):
    assert community_ids(personas["owner"]) == []
    inactive = User.objects.create_user("left", password="pw", role=Role.AGENT, is_active=False)
    inactive.communities.set([community_a])
    assert community_ids(inactive) == []
    assert community_ids(AnonymousUser()) == []


def test_staff_membership_excludes_owners_inactive_and_anonymous_users(personas):
    staff = ["agent", "supervisor", "technician", "cashier", "guard", "admin", "other_agent"]
    assert [name for name in staff if not is_staff_member(personas[name])] == []
    assert is_staff_member(personas["owner"]) is False
    assert is_staff_member(AnonymousUser()) is False
    personas["agent"].is_active = False
    assert is_staff_member(personas["agent"]) is False


def test_community_ids_are_remembered_on_the_user_object(personas, community_b):
    agent = personas["agent"]
    before = community_ids(agent)
    agent.communities.add(community_b)
    assert community_ids(agent) == before  # one request sees one answer
    assert community_ids(User.objects.get(pk=agent.pk)) == sorted([before[0], community_b.id])


# require()


def test_require_passes_with_the_permission_in_the_community(personas, community_a):
    assert require(personas["agent"], Perm.REGISTRY_EDIT, community_a.id) is None
    assert require(personas["agent"], Perm.REGISTRY_EDIT) is None
    assert require(personas["admin"], Perm.STAFF_MANAGE, community_a.id) is None


def test_require_refuses_a_role_without_the_permission(personas, community_a):
    with pytest.raises(PermissionDenied) as refused:
        require(personas["technician"], Perm.REGISTRY_EDIT, community_a.id)
    assert refused.value.code == "role_forbidden"
    assert refused.value.status == 403
    assert str(refused.value.message) == "Your role does not allow this."


def test_require_refuses_another_community(personas, community_b):
    with pytest.raises(PermissionDenied) as refused:
        require(personas["agent"], Perm.REGISTRY_VIEW, community_b.id)
    assert refused.value.code == "community_forbidden"
    assert str(refused.value.message) == "You do not work in this community."


def test_require_refuses_owner_accounts_everywhere(personas, community_a):
    with pytest.raises(PermissionDenied) as refused:
        require(personas["owner"], Perm.REGISTRY_VIEW, community_a.id)
    assert refused.value.code == "role_forbidden"


def test_require_lets_an_admin_into_any_community(personas, community_a, community_b):
    for community in (community_a, community_b):
        require(personas["admin"], Perm.REGISTRY_EDIT, community.id)


# scope() and get_scoped()


def test_scope_keeps_only_the_users_communities(personas, house_a, house_b):
    houses = House.objects.order_by("id")
    assert list(scope(houses, personas["agent"])) == [house_a]
    assert list(scope(houses, personas["other_agent"])) == [house_b]
    assert list(scope(houses, personas["admin"])) == [house_a, house_b]


def test_scope_is_empty_without_the_permission(personas, house_a, house_b):
    houses = House.objects.all()
    assert list(scope(houses, personas["owner"])) == []
    assert list(scope(houses, personas["technician"], Perm.ARCHIVE_VIEW)) == []
    assert list(scope(houses, personas["technician"], Perm.REGISTRY_VIEW)) == [house_a]


def test_scope_filters_on_the_named_field(personas, community_a, community_b):
    communities = Community.objects.order_by("id")
    assert list(scope(communities, personas["agent"], field="id")) == [community_a]
    assert list(scope(communities, personas["admin"], field="id")) == [community_a, community_b]


def test_get_scoped_returns_a_row_of_the_users_community(personas, house_a):
    assert get_scoped(House.objects.all(), personas["agent"], house_a.id) == house_a
    assert get_scoped(House.objects.all(), personas["agent"], str(house_a.id)) == house_a


def test_get_scoped_hides_another_communitys_row_as_not_found(personas, house_b):
    with pytest.raises(NotFound) as missing:
        get_scoped(House.objects.all(), personas["agent"], house_b.id)
    assert missing.value.status == 404
    assert missing.value.code == "not_found"


@pytest.mark.parametrize("pk", [None, "", "abc", "1; drop table", "1.5x", [1]])
def test_get_scoped_treats_malformed_ids_as_not_found(personas, house_a, pk):
    with pytest.raises(NotFound):
        get_scoped(House.objects.all(), personas["agent"], pk)


def test_get_scoped_reports_a_missing_row_as_not_found(personas, house_a):
    with pytest.raises(NotFound):
        get_scoped(House.objects.all(), personas["agent"], house_a.id + 1000)


def test_get_scoped_refuses_a_role_without_the_permission(personas, house_a):
    with pytest.raises(PermissionDenied) as refused:
        get_scoped(House.objects.all(), personas["guard"], house_a.id, Perm.ARCHIVE_VIEW)
    assert refused.value.code == "role_forbidden"
    with pytest.raises(PermissionDenied):
        get_scoped(House.objects.all(), personas["owner"], house_a.id)


# can_reveal()

REVEAL_TABLE = {
    # field: roles that may reveal it
    "mobile": {"agent", "supervisor", "technician", "cashier", "admin"},
    "id_number": {"agent", "supervisor", "admin"},
    "plate": {"agent", "supervisor", "guard", "admin"},
}


@pytest.mark.parametrize("field", sorted(REVEAL_TABLE))
@pytest.mark.parametrize("role", sorted(Role.values))
def test_can_reveal_follows_the_policy(db, role, field):
    user = User.objects.create_user("u", password="pw", role=role)
    assert can_reveal(user, field) is (role in REVEAL_TABLE[field])


@pytest.mark.parametrize("field", ["name", "note", "", "password", "mobile_tail"])
def test_no_role_can_reveal_a_field_outside_the_list(personas, field):
    assert can_reveal(personas["admin"], field) is False

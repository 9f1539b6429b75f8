"""Staff access changes: the audited service (who, whom, before → after) and its console pages."""

import pytest
from django.test import Client

from propdesk.accounts import staff_access
from propdesk.accounts.models import Department, User
from propdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from propdesk.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def values(**changes):
    return {
        "role": "agent",
        "department": None,
        "community_ids": [],
        "is_superuser": False,
        "is_active": True,
        **changes,
    }


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root", "root@example.com", "pw-root", role="admin")


def test_it_changes_role_and_communities_and_writes_before_and_after(
    personas, community_a, community_b
):
    admin, agent = personas["admin"], personas["agent"]
    department = Department.objects.create(code="engineering", name="工程部")
    staff_access.staff_access_change(
        actor=admin,
        user=agent,
        **values(
            role="supervisor",
            department=department.pk,
            community_ids=[community_a.pk, community_b.pk],
        ),
    )
    agent.refresh_from_db()
    assert agent.role == "supervisor" and agent.department == department
    assert sorted(agent.communities.values_list("code", flat=True)) == ["A", "B"]
    event = AuditEvent.objects.get(action="staff_access_changed")
    assert (event.actor, event.object_type, event.object_id) == (admin, "user", agent.pk)
    assert event.changes == {
        "role": ["agent", "supervisor"],
        "department": [None, "engineering"],
        "communities": [["A"], ["A", "B"]],
    }


def test_nothing_changed_writes_no_history(personas, community_a):
    staff_access.staff_access_change(
        actor=personas["admin"], user=personas["agent"], **values(community_ids=[community_a.pk])
    )
    assert not AuditEvent.objects.filter(action="staff_access_changed").exists()


@pytest.mark.parametrize("role", ["agent", "supervisor", "technician", "cashier", "guard"])
def test_only_administrators_change_access(personas, community_b, role):
    target = personas["other_agent"]
    with pytest.raises(PermissionDenied):
        staff_access.staff_access_change(
            actor=personas[role], user=target, **values(community_ids=[community_b.pk])
        )
    assert not AuditEvent.objects.filter(action="staff_access_changed").exists()


def test_only_a_superuser_grants_the_superuser_flag(personas, root, community_a):
    agent = personas["agent"]
    with pytest.raises(PermissionDenied) as refused:
        staff_access.staff_access_change(
            actor=personas["admin"],
            user=agent,
            **values(community_ids=[community_a.pk], is_superuser=True),
        )
    assert refused.value.field == "is_superuser"
    agent.refresh_from_db()
    assert not agent.is_superuser
    staff_access.staff_access_change(
        actor=root, user=agent, **values(community_ids=[community_a.pk], is_superuser=True)
    )
    agent.refresh_from_db()
    assert agent.is_superuser
    assert AuditEvent.objects.get(action="staff_access_changed").changes == {
        "is_superuser": [False, True]
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"role": "owner"}, "role"),
        ({"role": "boss"}, "role"),
        ({"department": 999999}, "department"),
        ({"community_ids": [999999]}, "communities"),
        ({"community_ids": ["x"]}, "communities"),
    ],
)
def test_it_refuses_bad_values_naming_the_field(personas, changes, field):
    agent = personas["agent"]
    with pytest.raises(ValidationFailed) as refused:
        staff_access.staff_access_change(actor=personas["admin"], user=agent, **values(**changes))
    assert refused.value.field == field
    agent.refresh_from_db()
    assert agent.role == "agent"


def test_an_administrator_cannot_lock_themselves_out(personas):
    admin = personas["admin"]
    for changes in ({"role": "agent"}, {"role": "admin", "is_active": False}):
        with pytest.raises(ValidationFailed) as refused:
            staff_access.staff_access_change(actor=admin, user=admin, **values(**changes))
        assert refused.value.code == "own_access"
    admin.refresh_from_db()
    assert (admin.role, admin.is_active) == ("admin", True)


def test_owner_accounts_are_not_staff(personas):
    with pytest.raises(NotFound):
        staff_access.staff_access_change(
            actor=personas["admin"], user=personas["owner"], **values()
        )
    assert personas["owner"] not in staff_access.staff_list(actor=personas["admin"])


def test_the_list_searches_and_leaves_owners_out(personas):
    admin = personas["admin"]
    usernames = [u.username for u in staff_access.staff_list(actor=admin)]
    assert "owner" not in usernames and "agent" in usernames
    assert [u.username for u in staff_access.staff_list(actor=admin, q="techn")] == ["technician"]


# --- pages ------------------------------------------------------------------------------------


def test_the_pages_list_review_confirm_and_record(personas, community_a, community_b):
    client = client_for(personas["admin"])
    agent = personas["agent"]
    listing = client.get("/accounts/staff/?q=agent")
    assert listing.status_code == 200
    assert f'data-user="{agent.pk}"' in listing.content.decode()
    form = {
        "role": "supervisor",
        "communities": [community_a.pk, community_b.pk],
        "is_active": "on",
    }
    review = client.post(f"/accounts/staff/{agent.pk}/", form)
    assert review.status_code == 200 and 'data-testid="staff-changes"' in review.content.decode()
    agent.refresh_from_db()
    assert agent.role == "agent"  # nothing changes before the confirmation
    done = client.post(f"/accounts/staff/{agent.pk}/", {**form, "confirm": "1"})
    assert done.status_code == 302
    agent.refresh_from_db()
    assert agent.role == "supervisor" and agent.communities.count() == 2
    page = client.get(f"/accounts/staff/{agent.pk}/")
    assert 'data-testid="staff-history"' in page.content.decode()
    assert len(page.context["history"]) == 1


def test_a_bad_value_re_renders_the_form_naming_the_field(personas):
    client = client_for(personas["admin"])
    agent = personas["agent"]
    response = client.post(f"/accounts/staff/{agent.pk}/", {"role": "owner", "confirm": "1"})
    assert response.status_code == 400
    assert 'data-field-error="role"' in response.content.decode()
    agent.refresh_from_db()
    assert agent.role == "agent"


@pytest.mark.parametrize("role", ["agent", "supervisor", "technician", "cashier", "guard", "owner"])
def test_the_pages_refuse_everyone_but_administrators(personas, role):
    client = client_for(personas[role])
    target = personas["other_agent"]
    assert client.get("/accounts/staff/").status_code == 403
    response = client.post(f"/accounts/staff/{target.pk}/", {"role": "admin", "confirm": "1"})
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.role == "agent"

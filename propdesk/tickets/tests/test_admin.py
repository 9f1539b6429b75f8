"""The back office: configuration pages open, requests are read-only."""

import pytest
from django.test import Client
from django.urls import reverse


@pytest.fixture
def superuser(db):
    from propdesk.accounts.models import User

    return User.objects.create_superuser("root", password="pw-root", role="admin")


@pytest.mark.parametrize(
    "model",
    [
        "requestkind",
        "category",
        "urgency",
        "routingrule",
        "slapolicy",
        "requestsettings",
        "standardphrase",
        "servicerequest",
    ],
)
def test_the_configuration_pages_open(superuser, model):
    client = Client()
    client.force_login(superuser)
    assert client.get(reverse(f"admin:tickets_{model}_changelist")).status_code == 200


def test_calendar_rows_are_shown_in_the_admin_but_changed_by_the_audited_service(superuser):
    client = Client()
    client.force_login(superuser)
    assert client.get(reverse("admin:core_calendaroverride_changelist")).status_code == 200
    assert client.get(reverse("admin:core_workinghours_add")).status_code == 403
    assert client.get(reverse("admin:core_calendaroverride_add")).status_code == 403


@pytest.mark.parametrize("model", ["requestkind", "category", "urgency", "routingrule"])
def test_the_taxonomy_and_routing_are_read_only_in_the_admin(superuser, model):
    client = Client()
    client.force_login(superuser)
    assert client.get(reverse(f"admin:tickets_{model}_add")).status_code == 403


def test_requests_cannot_be_added_in_the_admin(superuser):
    client = Client()
    client.force_login(superuser)
    assert client.get(reverse("admin:tickets_servicerequest_add")).status_code == 403

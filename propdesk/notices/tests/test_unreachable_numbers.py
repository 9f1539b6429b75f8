"""A number a provider called invalid is shown on the owner's registry page; staff who may edit
the registry clear the mark, and sending resumes."""

import pytest

from propdesk.core import outbox
from propdesk.core.models import AuditEvent, OutboxMessage, UnreachableAddress
from propdesk.core.unreachable import address_mark_unreachable

pytestmark = pytest.mark.django_db


@pytest.fixture
def marked(zhang_san):
    return address_mark_unreachable(
        channel="sms", address=zhang_san.mobile, reason="Aliyun SMS isv.MOBILE_NUMBER_ILLEGAL"
    )


def page(client, owner):
    return client.get(f"/owners/{owner.id}/")


def test_staff_see_the_mark_and_an_editor_clears_it(client, personas, zhang_san, marked):
    client.force_login(personas["agent"])
    response = page(client, zhang_san)
    assert response.status_code == 200
    assert 'data-testid="mobile-unreachable"' in response.content.decode()
    assert "服务商称该号码不存在" in response.content.decode()
    cleared = client.post(f"/owners/{zhang_san.id}/mobile-mark/clear/")
    assert cleared.status_code == 302
    assert not UnreachableAddress.objects.exists()
    assert AuditEvent.objects.filter(object_type="unreachableaddress", action="delete").exists()
    assert 'data-testid="mobile-unreachable"' not in page(client, zhang_san).content.decode()


def test_a_role_without_registry_edit_sees_but_cannot_clear(client, personas, zhang_san, marked):
    client.force_login(personas["technician"])
    assert 'data-testid="mobile-unreachable"' in page(client, zhang_san).content.decode()
    assert client.post(f"/owners/{zhang_san.id}/mobile-mark/clear/").status_code == 403
    assert UnreachableAddress.objects.count() == 1


def test_another_communitys_staff_and_owners_are_refused(client, personas, zhang_san, marked):
    client.force_login(personas["other_agent"])
    assert client.post(f"/owners/{zhang_san.id}/mobile-mark/clear/").status_code == 404
    client.force_login(personas["owner"])
    assert client.post(f"/owners/{zhang_san.id}/mobile-mark/clear/").status_code == 403
    client.logout()
    assert client.post(f"/owners/{zhang_san.id}/mobile-mark/clear/").status_code == 302
    assert client.get("/owners/999999/mobile-mark/clear/").status_code in (302, 405)
    assert UnreachableAddress.objects.count() == 1


def test_no_message_goes_to_a_marked_number(zhang_san, marked, settings):
    settings.OUTBOX_TRANSPORTS = {"sms": "propdesk.core.tests.outbox_transports.RecordingTransport"}
    from propdesk.core.tests.outbox_transports import RecordingTransport

    RecordingTransport.sent = []
    message = outbox.message_enqueue(
        channel="sms", recipient=zhang_san.mobile, event="t", body="x", dedupe_key="m", wake=False
    )
    assert outbox.message_deliver(message.id) == OutboxMessage.Status.DEAD
    assert RecordingTransport.sent == []

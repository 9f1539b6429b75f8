"""An owner changes their quiet hours through the API: the times are written to the history.

Found by fuzzing: a `time` value made writing the history fail, so owners could not change them.
"""

import json

from propdesk.core.models import AuditEvent


def _put(client, user, body):
    client.force_login(user)
    return client.put(
        "/api/notices/my/preferences", json.dumps(body), content_type="application/json"
    )


BODY = {
    "sms_enabled": True,
    "email_enabled": False,
    "email": "",
    "quiet_hours_enabled": True,
    "quiet_start": "22:00",
    "quiet_end": "07:30",
}


def test_an_owner_changes_their_quiet_hours_twice_and_the_history_has_the_times(
    client, owner_a, clock
):
    response = _put(client, owner_a, BODY)
    assert response.status_code == 200, response.content
    assert response.json()["quiet_start"] == "22:00"
    response = _put(client, owner_a, {**BODY, "quiet_start": "23:15", "quiet_end": "06:45"})
    assert response.status_code == 200, response.content
    assert response.json() | {"quiet_start": "23:15", "quiet_end": "06:45"} == response.json()
    event = AuditEvent.objects.filter(action="update", actor=owner_a).latest("id")
    assert event.changes["quiet_start"] == ["22:00", "23:15"]
    assert event.changes["quiet_end"] == ["07:30", "06:45"]


def test_a_nul_in_the_email_is_refused_naming_the_field(client, owner_a, clock):
    before = AuditEvent.objects.count()
    response = _put(client, owner_a, {**BODY, "email": "a\x00@example.com"})
    assert response.status_code == 400
    assert response.json()["field"] == "email"
    assert AuditEvent.objects.count() == before

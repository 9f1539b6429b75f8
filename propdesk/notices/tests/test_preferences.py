"""An owner sets their own channels and quiet hours; bad input names the field."""

import datetime

import pytest

from propdesk.core.errors import PermissionDenied, ValidationFailed
from propdesk.notices.models import ContactPreference
from propdesk.notices.services.preferences import contact_preference_save

GOOD = {
    "sms_enabled": False,
    "email_enabled": True,
    "email": "zhang@example.com",
    "quiet_hours_enabled": True,
    "quiet_start": "21:30",
    "quiet_end": "07:00",
}


def test_an_owner_saves_and_changes_their_preferences(owner_a):
    pref = contact_preference_save(actor=owner_a, **GOOD)
    assert (pref.sms_enabled, pref.email, pref.quiet_start, pref.quiet_end) == (
        False,
        "zhang@example.com",
        datetime.time(21, 30),
        datetime.time(7, 0),
    )
    contact_preference_save(actor=owner_a, **{**GOOD, "sms_enabled": True})
    assert ContactPreference.objects.get(user=owner_a).sms_enabled is True
    assert ContactPreference.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"email": ""}, "email"),
        ({"email": "<script>@x.com"}, "email"),
        ({"email": "a@b.c" + "x" * 300}, "email"),
        ({"quiet_start": "25:00"}, "quiet_start"),
        ({"quiet_end": "'; DROP TABLE"}, "quiet_end"),
        ({"quiet_end": "21:30"}, "quiet_end"),
        ({"sms_enabled": "yes"}, "sms_enabled"),
    ],
)
def test_bad_input_is_refused_naming_the_field(owner_a, change, field):
    with pytest.raises(ValidationFailed) as exc:
        contact_preference_save(actor=owner_a, **{**GOOD, **change})
    assert exc.value.field == field
    assert not ContactPreference.objects.exists()


@pytest.mark.parametrize("role", ["agent", "admin"])
def test_staff_have_no_owner_preferences(personas, role):
    with pytest.raises(PermissionDenied):
        contact_preference_save(actor=personas[role], **GOOD)
    assert not ContactPreference.objects.exists()

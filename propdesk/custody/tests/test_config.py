"""Per-community rules: defaults, changes by supervisors only, bad values refused."""

import pytest

from propdesk.core.errors import PermissionDenied, ValidationFailed
from propdesk.core.models import AuditEvent
from propdesk.custody.services.config import custody_settings_for, custody_settings_update


def test_defaults(community_a):
    config = custody_settings_for(community_a.id)
    assert (
        config.release_needs_fees_paid,
        config.key_overdue_hours,
        config.pass_validity_hours,
        config.repair_lead,
    ) == (False, 24, 24, None)


def test_a_supervisor_changes_the_rules(supervisor, community_a, personas):
    config = custody_settings_update(
        actor=supervisor,
        community=community_a,
        release_needs_fees_paid=True,
        key_overdue_hours=48,
        repair_lead=personas["technician"],
    )
    assert (config.release_needs_fees_paid, config.key_overdue_hours) == (True, 48)
    event = AuditEvent.objects.get(object_type="custodysettings")
    assert event.changes["key_overdue_hours"] == [24, 48]


@pytest.mark.parametrize(
    "values, field",
    [
        ({"key_overdue_hours": 0}, "key_overdue_hours"),
        ({"key_overdue_hours": "abc"}, "key_overdue_hours"),
        ({"pass_validity_hours": 100_000}, "pass_validity_hours"),
        ({"pass_validity_hours": True}, "pass_validity_hours"),
        ({"release_needs_fees_paid": "yes"}, "release_needs_fees_paid"),
    ],
)
def test_bad_values_are_refused(supervisor, community_a, values, field):
    with pytest.raises(ValidationFailed) as exc:
        custody_settings_update(actor=supervisor, community=community_a, **values)
    assert exc.value.field == field
    assert custody_settings_for(community_a.id).key_overdue_hours == 24


def test_the_repair_lead_works_in_the_community(supervisor, community_a, personas):
    with pytest.raises(ValidationFailed) as exc:
        custody_settings_update(
            actor=supervisor, community=community_a, repair_lead=personas["other_agent"]
        )
    assert exc.value.field == "repair_lead"


@pytest.mark.parametrize(
    "role", ["agent", "technician", "guard", "cashier", "owner", "other_agent"]
)
def test_only_supervisors_change_the_rules(personas, role, community_a):
    with pytest.raises(PermissionDenied):
        custody_settings_update(actor=personas[role], community=community_a, key_overdue_hours=2)

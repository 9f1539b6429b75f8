"""Per-community configuration: the seeded defaults, a community's own copy on first change,
and who may change it."""

import datetime

import pytest

from propdesk.core.errors import PermissionDenied, ValidationFailed
from propdesk.frontdesk.models import DecorationRules, InspectionItem
from propdesk.frontdesk.selectors import decoration_rules_for, inspection_items_for
from propdesk.frontdesk.services.configure import (
    decoration_rules_update,
    inspection_item_add,
    inspection_item_update,
)

pytestmark = pytest.mark.django_db


def test_the_defaults_come_from_domain(community_a):
    names = [item.name for item in inspection_items_for(community_a.id)]
    assert names == [
        "地面、墙面、天花",
        "门、窗、栏杆",
        "给水、排水",
        "开关、插座、弱电线路",
        "烟道、排气管道、燃气管道",
        "入户门",
        "配电箱",
    ]
    rules = decoration_rules_for(community_a.id)
    assert rules.community_id is None
    assert (rules.work_start, rules.work_end) == (datetime.time(8), datetime.time(18))
    assert not rules.deposit_required and "承重墙" in rules.prohibitions


def test_changing_the_rules_makes_the_communitys_own_row(supervisor, community_a, community_b):
    rules = decoration_rules_update(
        actor=supervisor, community=community_a, work_end="17:30", deposit_required=True
    )
    assert rules.community_id == community_a.id
    assert rules.work_end == datetime.time(17, 30) and rules.deposit_fen == 200000
    assert "承重墙" in rules.prohibitions  # copied from the default
    assert decoration_rules_for(community_b.id).community_id is None
    assert DecorationRules.objects.count() == 2


def test_retiring_a_default_item_copies_the_checklist(supervisor, community_a, community_b):
    default = InspectionItem.objects.get(community__isnull=True, name="配电箱")
    item = inspection_item_update(
        actor=supervisor, community=community_a, item=default, active=False
    )
    assert item.community_id == community_a.id and not item.active
    assert len(inspection_items_for(community_a.id)) == 6
    assert len(inspection_items_for(community_b.id)) == 7
    default.refresh_from_db()
    assert default.active


@pytest.mark.parametrize(
    "role", ["agent", "technician", "cashier", "guard", "owner", "other_agent"]
)
def test_only_supervisors_configure(personas, role, community_a):
    with pytest.raises(PermissionDenied):
        inspection_item_add(actor=personas[role], community=community_a, name="阳台")
    with pytest.raises(PermissionDenied):
        decoration_rules_update(actor=personas[role], community=community_a, work_end="17:00")
    assert not InspectionItem.objects.filter(community=community_a).exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"work_start": "nine"}, "work_start"),
        ({"break_start": "07:00"}, "work_end"),
        ({"deposit": "abc"}, "deposit"),
        ({"deposit": "-1"}, "deposit"),
        ({"max_days": 0}, "max_days"),
        ({"max_days": True}, "max_days"),
    ],
)
def test_bad_rules_are_refused(supervisor, community_a, values, field):
    with pytest.raises(ValidationFailed) as refused:
        decoration_rules_update(actor=supervisor, community=community_a, **values)
    assert refused.value.field == field
    assert not DecorationRules.objects.filter(community=community_a).exists()


def test_an_item_needs_a_name_and_a_known_category(supervisor, community_a):
    with pytest.raises(ValidationFailed) as no_name:
        inspection_item_add(actor=supervisor, community=community_a, name="  ")
    assert no_name.value.field == "name"
    with pytest.raises(ValidationFailed) as bad:
        inspection_item_add(
            actor=supervisor, community=community_a, name="阳台", category_code="<script>"
        )
    assert bad.value.field == "category_code"
    with pytest.raises(ValidationFailed):
        inspection_item_add(actor=supervisor, community=community_a, name="入户门")

"""The register's refusals carry the stable codes of operations.error_codes, naming the field."""

import pytest

from propdesk.core.errors import AppError
from propdesk.operations import error_codes, services
from propdesk.operations.models import Equipment

pytestmark = pytest.mark.django_db


def refusal(call) -> AppError:
    with pytest.raises(AppError) as caught:
        call()
    return caught.value


def test_a_taken_code_and_a_bad_code_are_named(personas, plant, building_a, community_a):
    admin = personas["admin"]
    taken = refusal(
        lambda: services.equipment_register(
            actor=admin,
            community=community_a,
            building=building_a,
            code="pump-1",
            name="X",
            kind="pump",
        )
    )
    assert (taken.code, taken.field) == (error_codes.CODE_TAKEN, "code")
    bad = refusal(
        lambda: services.equipment_register(
            actor=admin,
            community=community_a,
            building=building_a,
            code="泵 1",
            name="X",
            kind="pump",
        )
    )
    assert (bad.code, bad.field) == (error_codes.BAD_CODE, "code")
    assert Equipment.objects.count() == 3


def test_rule_bounds_are_refused_with_their_codes(personas, plant, community_a):
    def rule(**values):
        return services.rule_set(
            actor=personas["supervisor"],
            community=community_a,
            kind="pump",
            metric="pressure",
            emergency=False,
            category=values.pop("category", "repair_water"),
            **values,
        )

    assert refusal(lambda: rule(low=None, high=None)).code == error_codes.NO_BOUNDS
    assert refusal(lambda: rule(low=2, high=1)).code == error_codes.BAD_BOUNDS
    assert refusal(lambda: rule(low="x", high=None)).code == error_codes.BAD_NUMBER
    assert refusal(lambda: rule(low=1, high=None, category="nope")).code == (
        error_codes.UNKNOWN_CATEGORY
    )


def test_a_retired_equipment_keeps_its_status(personas, plant):
    services.status_record(actor=personas["admin"], equipment=plant.pump, status="retired")
    assert (
        refusal(
            lambda: services.status_record(
                actor=personas["admin"], equipment=plant.pump, status="in_service"
            )
        ).code
        == error_codes.RETIRED
    )

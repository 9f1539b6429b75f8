"""Request kinds, categories, routing rules and the working calendar change through audited
services (who, what, before → after) and their console pages, for supervisors and
administrators only."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from propdesk.core.calendar_models import CalendarOverride, WorkingHours
from propdesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from propdesk.core.models import AuditEvent
from propdesk.tickets import selectors
from propdesk.tickets.models import Category, RequestKind, RoutingRule
from propdesk.tickets.services import taxonomy

pytestmark = pytest.mark.django_db
HOSTILE = ["<script>alert(1)</script>", "'; DROP TABLE tickets_category; --"]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def engineering(departments):
    return departments["engineering"]


# --- services ---------------------------------------------------------------------------------


def test_an_administrator_adds_and_changes_a_kind_with_history(personas):
    admin = personas["admin"]
    kind = taxonomy.taxonomy_create(
        actor=admin, kind="kind", code="visit", name="回访", name_en="Visit", sort_order=7
    )
    taxonomy.taxonomy_update(actor=admin, row=kind, name="上门回访", sort_order=8)
    events = list(
        AuditEvent.objects.filter(object_type="requestkind", object_id=kind.pk).order_by("id")
    )
    assert [e.action for e in events] == ["create", "update"]
    assert events[0].actor == admin and events[0].changes["code"] == [None, "visit"]
    assert events[1].changes == {"name": ["回访", "上门回访"], "sort_order": [7, 8]}


def test_deactivating_keeps_the_row_and_the_last_active_stays(personas):
    admin = personas["admin"]
    kinds = list(RequestKind.objects.filter(is_active=True))
    for kind in kinds[:-1]:
        taxonomy.taxonomy_update(actor=admin, row=kind, is_active=False)
    with pytest.raises(Conflict) as refused:
        taxonomy.taxonomy_update(actor=admin, row=kinds[-1], is_active=False)
    assert refused.value.field == "is_active"
    assert RequestKind.objects.filter(is_active=True).count() == 1
    assert AuditEvent.objects.filter(action="deactivate").count() == len(kinds) - 1


@pytest.mark.parametrize("role", ["supervisor", "agent", "technician", "cashier", "guard", "owner"])
def test_only_administrators_change_the_taxonomy(personas, role):
    category = Category.objects.first()
    with pytest.raises(PermissionDenied):
        taxonomy.taxonomy_update(actor=personas[role], row=category, name="x")
    with pytest.raises(PermissionDenied):
        taxonomy.taxonomy_create(actor=personas[role], kind="category", code="abc", name="x")
    assert not AuditEvent.objects.filter(object_type="category").exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"code": "Bad Code"}, "code"),
        ({"code": "x" * 41}, "code"),
        ({"code": "ok_code", "name": ""}, "name"),
        ({"code": "ok_code", "name": "a\x00b"}, "name"),
        ({"code": "ok_code", "name": "x" * 61}, "name"),
        ({"code": "ok_code", "name": "x", "sort_order": "-1"}, "sort_order"),
        ({"code": "ok_code", "name": "x", "department_code": "nowhere"}, "department_code"),
        ({"code": "ok_code", "name": "x", "refers_outside": "maybe"}, "refers_outside"),
    ],
)
def test_bad_taxonomy_values_are_refused_naming_the_field(personas, departments, values, field):
    count = Category.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        taxonomy.taxonomy_create(actor=personas["admin"], kind="category", **values)
    assert refused.value.field == field
    assert Category.objects.count() == count


def test_a_taken_code_is_refused(personas):
    code = Category.objects.first().code
    with pytest.raises(Conflict) as refused:
        taxonomy.taxonomy_create(actor=personas["admin"], kind="category", code=code, name="x")
    assert refused.value.field == "code"


def test_a_supervisor_routes_in_their_community_not_the_company_or_another(
    personas, community_a, community_b, engineering
):
    supervisor = personas["supervisor"]
    category = Category.objects.first()
    rule = taxonomy.routing_rule_create(
        actor=supervisor, community=community_a, category=category, department=engineering
    )
    event = AuditEvent.objects.get(object_type="routingrule", object_id=rule.pk)
    assert event.community_id == community_a.pk
    assert event.changes["department"] == [None, "engineering"]
    for community in (None, community_b):
        with pytest.raises(PermissionDenied):
            taxonomy.routing_rule_create(
                actor=supervisor, community=community, category=category, department=engineering
            )
    with pytest.raises(Conflict) as refused:
        taxonomy.routing_rule_create(
            actor=supervisor, community=community_a, category=category, department=engineering
        )
    assert refused.value.field == "department"


def test_removing_a_rule_leaves_its_history(personas, community_a, engineering, departments):
    supervisor = personas["supervisor"]
    rule = taxonomy.routing_rule_create(
        actor=supervisor,
        community=community_a,
        category=Category.objects.first(),
        department=engineering,
    )
    taxonomy.routing_rule_update(
        actor=supervisor, rule=rule, department=departments["security"], is_lead=False
    )
    rule_id = rule.pk
    taxonomy.routing_rule_delete(actor=supervisor, rule=rule)
    assert not RoutingRule.objects.filter(pk=rule_id).exists()
    actions = list(
        AuditEvent.objects.filter(object_type="routingrule", object_id=rule_id)
        .order_by("id")
        .values_list("action", "changes")
    )
    assert [a for a, _c in actions] == ["create", "update", "delete"]
    assert actions[1][1] == {
        "department": ["engineering", "security"],
        "is_lead": [True, False],
    }


def test_another_communitys_rule_is_not_found(personas, community_b, engineering):
    rule = taxonomy.routing_rule_create(
        actor=personas["admin"],
        community=community_b,
        category=Category.objects.first(),
        department=engineering,
    )
    with pytest.raises(NotFound):
        selectors.routing_rule_for(personas["supervisor"], rule.pk)


def test_working_hours_and_exceptions_with_history(personas, community_a):
    supervisor = personas["supervisor"]
    hours = taxonomy.working_hours_set(
        actor=supervisor, community=community_a, opens_at="08:00", closes_at="18:00"
    )
    taxonomy.working_hours_set(
        actor=supervisor, community=community_a, opens_at="09:00", closes_at="18:00"
    )
    assert WorkingHours.objects.get(community_id=community_a.pk).opens_at == datetime.time(9)
    update = (
        AuditEvent.objects.filter(object_type="workinghours", object_id=hours.pk)
        .order_by("id")
        .last()
    )
    assert update.changes == {"opens_at": ["08:00", "09:00"]}
    day = taxonomy.calendar_override_create(
        actor=supervisor, community=community_a, date="2027-02-01", is_working=False, note="停电"
    )
    with pytest.raises(Conflict):
        taxonomy.calendar_override_create(
            actor=supervisor, community=community_a, date="2027-02-01", is_working=True
        )
    taxonomy.calendar_override_delete(actor=supervisor, override=day)
    assert not CalendarOverride.objects.exists()
    actions = AuditEvent.objects.filter(object_type="calendaroverride").values_list(
        "action", flat=True
    )
    assert sorted(actions) == ["create", "delete"]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"opens_at": "18:00", "closes_at": "08:00"}, "closes_at"),
        ({"opens_at": "25:00", "closes_at": "08:00"}, "opens_at"),
        ({"opens_at": "", "closes_at": "08:00"}, "opens_at"),
        ({"opens_at": "08:00\x00", "closes_at": "18:00"}, "opens_at"),
        ({"opens_at": "x" * 500, "closes_at": "18:00"}, "opens_at"),
    ],
)
def test_bad_hours_are_refused_naming_the_field(personas, values, field):
    with pytest.raises(ValidationFailed) as refused:
        taxonomy.working_hours_set(actor=personas["admin"], **values)
    assert refused.value.field == field
    assert not WorkingHours.objects.filter(community_id=None, opens_at=datetime.time(18)).exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"date": "0000-01-01", "is_working": False}, "date"),
        ({"date": "", "is_working": False}, "date"),
        (
            {"date": "2027-01-01", "is_working": False, "opens_at": "09:00", "closes_at": "12:00"},
            "opens_at",
        ),
        ({"date": "2027-01-01", "is_working": True, "opens_at": "09:00"}, "closes_at"),
        ({"date": "2027-01-01", "is_working": False, "note": "x" * 101}, "note"),
    ],
)
def test_bad_exceptions_are_refused_naming_the_field(personas, values, field):
    with pytest.raises(ValidationFailed) as refused:
        taxonomy.calendar_override_create(actor=personas["admin"], **values)
    assert refused.value.field == field
    assert not CalendarOverride.objects.exists()


@pytest.mark.parametrize("role", ["agent", "technician", "cashier", "guard", "owner"])
def test_roles_without_the_right_change_no_calendar(personas, community_a, role):
    with pytest.raises(PermissionDenied):
        taxonomy.working_hours_set(
            actor=personas[role], community=community_a, opens_at="08:00", closes_at="17:00"
        )
    assert not AuditEvent.objects.filter(object_type="workinghours").exists()


# --- pages ------------------------------------------------------------------------------------


PAGES = [
    ("request_config", []),
    ("request_config_taxonomy", ["kind"]),
    ("request_config_taxonomy", ["category"]),
    ("request_config_taxonomy", ["urgency"]),
    ("request_config_routing", []),
    ("request_config_routing_new", []),
    ("request_config_calendar", []),
    ("request_config_override_new", []),
]


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_every_configuration_page_renders_for_supervisors_and_administrators(
    personas, departments, name, args
):
    for role in ("supervisor", "admin"):
        response = client_for(personas[role]).get(reverse(name, args=args))
        assert response.status_code == 200, (role, name)
        assert b"Traceback" not in response.content


@pytest.mark.parametrize("role", ["agent", "technician", "cashier", "guard"])
def test_other_staff_are_refused(personas, role):
    client = client_for(personas[role])
    for name, args in PAGES:
        assert client.get(reverse(name, args=args)).status_code == 403, (role, name)


def test_an_owner_is_kept_off_the_pages(personas):
    response = client_for(personas["owner"]).get(reverse("request_config"))
    assert response.status_code in (302, 403)


def test_a_supervisor_reads_the_taxonomy_but_cannot_add_to_it(personas):
    client = client_for(personas["supervisor"])
    page = client.get(reverse("request_config_taxonomy", args=["category"]))
    assert reverse("request_config_taxonomy_new", args=["category"]).encode() not in page.content
    assert client.get(reverse("request_config_taxonomy_new", args=["category"])).status_code == 403
    category = Category.objects.first()
    toggle = reverse("request_config_taxonomy_toggle", args=["category", category.pk])
    assert client.post(toggle).status_code == 403
    category.refresh_from_db()
    assert category.is_active


def test_the_category_list_searches(personas):
    category = Category.objects.order_by("id").first()
    other = Category.objects.exclude(name__contains=category.name).order_by("id").first()
    page = client_for(personas["admin"]).get(
        reverse("request_config_taxonomy", args=["category"]), {"q": category.name}
    )
    assert category.name in page.content.decode()
    assert f'data-row="{other.pk}"' not in page.content.decode()


def test_an_administrator_adds_a_category_edits_it_and_stops_offering_it(personas, departments):
    client = client_for(personas["admin"])
    response = client.post(
        reverse("request_config_taxonomy_new", args=["category"]),
        {
            "code": "pest_control",
            "name": "虫害",
            "name_en": "Pests",
            "sort_order": "5",
            "department_code": "cleaning",
            "description": "",
        },
    )
    assert response.status_code == 302
    category = Category.objects.get(code="pest_control")
    edit = reverse("request_config_taxonomy_edit", args=["category", category.pk])
    response = client.post(
        edit, {"name": "虫害防治", "sort_order": "5", "department_code": "cleaning"}
    )
    assert response.status_code == 302
    page = client.get(edit).content.decode()
    assert "虫害 → 虫害防治" in page
    client.post(reverse("request_config_taxonomy_toggle", args=["category", category.pk]))
    category.refresh_from_db()
    assert category.name == "虫害防治" and not category.is_active


@pytest.mark.parametrize("name", HOSTILE + ["", "x" * 61])
def test_a_bad_name_on_the_page_is_a_400_naming_the_field(personas, name):
    response = client_for(personas["admin"]).post(
        reverse("request_config_taxonomy_new", args=["kind"]),
        {"code": "new_kind", "name": name, "sort_order": "1"},
    )
    if name in HOSTILE:  # plain text is allowed; it is shown escaped
        assert response.status_code == 302
        page = client_for(personas["admin"]).get(reverse("request_config_taxonomy", args=["kind"]))
        assert "<script>alert" not in page.content.decode()
        RequestKind.objects.filter(code="new_kind").delete()
    else:
        assert response.status_code == 400
        assert 'data-field-error="name"' in response.content.decode()
        assert not RequestKind.objects.filter(code="new_kind").exists()


def test_a_supervisor_routes_on_the_page_and_removes_with_a_post(
    personas, community_a, community_b, engineering
):
    client = client_for(personas["supervisor"])
    category = Category.objects.first()
    response = client.post(
        reverse("request_config_routing_new"),
        {
            "community": community_a.pk,
            "category": category.pk,
            "department": engineering.pk,
            "is_lead": "on",
        },
    )
    assert response.status_code == 302
    rule = RoutingRule.objects.get(community=community_a, category=category)
    # Another community's id in the form is refused as a choice.
    response = client.post(
        reverse("request_config_routing_new"),
        {"community": community_b.pk, "category": category.pk, "department": engineering.pk},
    )
    assert response.status_code == 400
    assert not RoutingRule.objects.filter(community=community_b).exists()
    assert client.get(reverse("request_config_routing_delete", args=[rule.pk])).status_code == 405
    assert client.post(reverse("request_config_routing_delete", args=[rule.pk])).status_code == 302
    assert not RoutingRule.objects.filter(pk=rule.pk).exists()


def test_another_communitys_rows_are_404_on_the_pages(personas, community_b, engineering):
    rule = taxonomy.routing_rule_create(
        actor=personas["admin"],
        community=community_b,
        category=Category.objects.first(),
        department=engineering,
    )
    day = taxonomy.calendar_override_create(
        actor=personas["admin"], community=community_b, date="2027-03-01", is_working=False
    )
    client = client_for(personas["supervisor"])
    assert client.get(reverse("request_config_routing_edit", args=[rule.pk])).status_code == 404
    assert client.post(reverse("request_config_routing_delete", args=[rule.pk])).status_code == 404
    assert client.get(reverse("request_config_override_edit", args=[day.pk])).status_code == 404
    assert client.get(reverse("request_config_hours", args=[community_b.pk])).status_code == 404
    assert RoutingRule.objects.filter(pk=rule.pk).exists()


def test_the_calendar_pages_set_hours_and_exceptions(personas, community_a):
    client = client_for(personas["supervisor"])
    response = client.post(
        reverse("request_config_hours", args=[community_a.pk]),
        {"opens_at": "09:00", "closes_at": "08:00"},
    )
    assert response.status_code == 400
    assert 'data-field-error="closes_at"' in response.content.decode()
    response = client.post(
        reverse("request_config_hours", args=[community_a.pk]),
        {"opens_at": "09:00", "closes_at": "18:00"},
    )
    assert response.status_code == 302
    assert client.get(reverse("request_config_hours_company")).status_code == 403
    response = client.post(
        reverse("request_config_override_new"),
        {"community": community_a.pk, "date": "2027-02-01", "note": "停电检修"},
    )
    assert response.status_code == 302
    day = CalendarOverride.objects.get(community_id=community_a.pk)
    assert not day.is_working
    assert "停电检修" in client.get(reverse("request_config_calendar")).content.decode()

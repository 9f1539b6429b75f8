"""The registry's create/edit pages: render, save through the service, show field errors, refuse."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from propdesk.core.models import AuditEvent
from propdesk.estates.models import (
    ArchiveDocument,
    Building,
    EntrustedAgent,
    House,
    Owner,
    Ownership,
    ParkingSpace,
    Resident,
    Vehicle,
)

PDF = b"%PDF-1.4\n%test\n"
OTHER_ID = "440106199001011230"


def _valid_other_id():
    from stdnum.cn import ric

    return OTHER_ID[:17] + ric.calc_check_digit(OTHER_ID)  # the check digit is computed


@pytest.fixture
def as_agent(client, agent):
    client.force_login(agent)
    return client


def test_house_create_page_registers_a_house(as_agent, building_a):
    url = reverse("house_create")
    assert as_agent.get(url).status_code == 200
    response = as_agent.post(
        url,
        {
            "building": building_a.id,
            "unit_number": "1",
            "number": "101",
            "floor": "1",
            "area_m2": "88.88",
            "kind": "residential",
            "status": "vacant",
        },
    )
    house = House.objects.get(code="3-1-101")
    assert response.status_code == 302 and response["Location"] == reverse(
        "house_detail", args=[house.id]
    )
    assert str(house.area_m2) == "88.88"


@pytest.mark.parametrize(
    ("area", "message"),
    [("0", "0"), ("abc", "m²"), ("1.234", "decimals"), ("<script>", "m²")],
)
def test_house_create_page_names_the_bad_area(as_agent, building_a, area, message):
    response = as_agent.post(
        reverse("house_create"),
        {
            "building": building_a.id,
            "unit_number": "1",
            "number": "101",
            "floor": "1",
            "area_m2": area,
            "kind": "residential",
            "status": "vacant",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-field-error="area_m2"' in body
    assert not House.objects.filter(code="3-1-101").exists()


def test_house_create_page_refuses_a_duplicate(as_agent, house_a, building_a):
    response = as_agent.post(
        reverse("house_create"),
        {
            "building": building_a.id,
            "unit_number": "2",
            "number": "1502",
            "floor": "15",
            "area_m2": "90",
            "kind": "residential",
            "status": "vacant",
        },
    )
    assert response.status_code == 400
    assert 'data-field-error="number"' in response.content.decode()
    assert House.objects.filter(code="3-2-1502").count() == 1


def test_house_create_offers_only_my_communities_buildings(client, personas, building_a):
    client.force_login(personas["other_agent"])
    response = client.post(
        reverse("house_create"),
        {
            "building": building_a.id,
            "unit_number": "1",
            "number": "1",
            "floor": "1",
            "area_m2": "50",
            "kind": "residential",
            "status": "vacant",
        },
    )
    assert response.status_code == 400
    assert not House.objects.filter(building=building_a, number="1").exists()


@pytest.mark.parametrize("role", ["technician", "cashier", "guard"])
def test_roles_without_edit_right_are_refused(client, personas, house_a, role):
    client.force_login(personas[role])
    before = AuditEvent.objects.count()
    for url in (
        reverse("house_create"),
        reverse("house_edit", args=[house_a.id]),
        reverse("house_status", args=[house_a.id]),
        reverse("resident_add", args=[house_a.id]),
        reverse("owner_create"),
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"name": "x"}).status_code == 403, url
    assert AuditEvent.objects.count() == before


def test_another_communitys_house_is_not_found(client, personas, house_a):
    client.force_login(personas["other_agent"])
    assert client.get(reverse("house_edit", args=[house_a.id])).status_code == 404
    assert (
        client.post(reverse("house_status", args=[house_a.id]), {"status": "vacant"}).status_code
        == 404
    )
    house_a.refresh_from_db()
    assert house_a.status == "occupied"


def test_house_edit_records_the_change(as_agent, house_a, agent):
    response = as_agent.post(
        reverse("house_edit", args=[house_a.id]),
        {"floor": "15", "area_m2": "91.25", "kind": "residential", "delivered_on": "2021-06-30"},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.filter(house_id=house_a.id, action="update").get()
    assert event.actor == agent and event.changes == {"area_m2": ["89.50", "91.25"]}


def test_house_status_page_keeps_history(as_agent, house_a):
    response = as_agent.post(
        reverse("house_status", args=[house_a.id]), {"status": "decorating", "note": "装修"}
    )
    assert response.status_code == 302
    house_a.refresh_from_db()
    assert house_a.status == "decorating"
    assert list(house_a.status_changes.values_list("to_status", flat=True)) == [
        "occupied",
        "decorating",
    ]


def test_owner_add_page_reuses_an_archived_owner(as_agent, house_a, zhang_san):
    response = as_agent.post(
        reverse("house_owner_add", args=[house_a.id]),
        {
            "kind": "person",
            "name": "王五",
            "mobile": "13900000000",
            "id_type": "resident_id",
            "id_number": _valid_other_id(),
        },
    )
    assert response.status_code == 302
    wang = Owner.objects.get(name="王五")
    assert Ownership.objects.filter(
        house=house_a, owner=wang, end_on__isnull=True, is_primary=False
    ).exists()
    response = as_agent.post(
        reverse("house_owner_add", args=[house_a.id]),
        {
            "kind": "person",
            "name": "王五",
            "id_type": "resident_id",
            "id_number": _valid_other_id(),
        },
    )
    assert response.status_code == 400  # already an owner of this house
    assert Owner.objects.filter(name="王五").count() == 1


def test_owner_add_page_names_a_bad_id_checksum(as_agent, house_a):
    response = as_agent.post(
        reverse("house_owner_add", args=[house_a.id]),
        {
            "kind": "person",
            "name": "王五",
            "id_type": "resident_id",
            "id_number": "110105194912310021",
        },
    )
    assert response.status_code == 400
    assert 'data-field-error="id_number"' in response.content.decode()
    assert not Owner.objects.filter(name="王五").exists()


def test_transfer_page_ends_old_and_starts_new_ownership(as_agent, house_a, zhang_san):
    response = as_agent.post(
        reverse("house_transfer", args=[house_a.id]),
        {
            "kind": "person",
            "name": "李雷",
            "mobile": "13700001111",
            "id_type": "resident_id",
            "co_owner_name": "韩梅梅",
            "effective_on": "2026-01-01",
            "reason": "买卖",
        },
    )
    assert response.status_code == 302
    current = Ownership.objects.filter(house=house_a, end_on__isnull=True).select_related("owner")
    assert sorted(o.owner.name for o in current) == ["李雷", "韩梅梅"]
    old = Ownership.objects.get(house=house_a, owner=zhang_san)
    assert str(old.end_on) == "2026-01-01"


def test_resident_page_requires_lease_dates_for_tenants(as_agent, house_a):
    url = reverse("resident_add", args=[house_a.id])
    response = as_agent.post(url, {"relation": "tenant", "name": "租客"})
    assert (
        response.status_code == 400 and 'data-field-error="lease_end"' in response.content.decode()
    )
    response = as_agent.post(
        url,
        {
            "relation": "tenant",
            "name": "租客",
            "lease_start": "2026-01-01",
            "lease_end": "2026-12-31",
        },
    )
    assert response.status_code == 302
    resident = Resident.objects.get(name="租客")
    assert as_agent.post(reverse("resident_move_out", args=[resident.id])).status_code == 302
    resident.refresh_from_db()
    assert resident.moved_out_on is not None


def test_agent_page_files_the_power_of_attorney(as_agent, house_a, zhang_san):
    response = as_agent.post(
        reverse("agent_add", args=[house_a.id]),
        {
            "owner": zhang_san.id,
            "name": "赵六",
            "mobile": "13600002222",
            "id_number": _valid_other_id(),
            "scope": "办理入伙",
            "power_of_attorney": SimpleUploadedFile("poa.pdf", PDF),
        },
    )
    assert response.status_code == 302
    agent = EntrustedAgent.objects.get(name="赵六")
    assert agent.power_of_attorney.doc_type == "power_of_attorney"
    assert agent.power_of_attorney.archive_number.startswith("A-")


def test_agent_page_refuses_a_fake_pdf_and_writes_nothing(as_agent, house_a, zhang_san):
    response = as_agent.post(
        reverse("agent_add", args=[house_a.id]),
        {
            "owner": zhang_san.id,
            "name": "赵六",
            "mobile": "13600002222",
            "id_number": _valid_other_id(),
            "scope": "办理入伙",
            "power_of_attorney": SimpleUploadedFile("poa.pdf", b"MZ\x90\x00evil"),
        },
    )
    assert response.status_code == 400
    assert (
        'data-field-error="power_of_attorney"' in response.content.decode()
        or "content" in response.content.decode()
    )
    assert not EntrustedAgent.objects.exists() and not ArchiveDocument.objects.exists()


def test_vehicle_pages(as_agent, house_a, zhang_san):
    url = reverse("vehicle_add", args=[house_a.id])
    bad = as_agent.post(url, {"plate": "ABC"})
    assert bad.status_code == 400 and 'data-field-error="plate"' in bad.content.decode()
    assert as_agent.post(url, {"plate": "粤bd12345", "owner": zhang_san.id}).status_code == 302
    vehicle = Vehicle.objects.get()
    assert (vehicle.plate, vehicle.is_new_energy) == ("粤BD12345", True)
    assert as_agent.post(reverse("vehicle_remove", args=[vehicle.id])).status_code == 302
    vehicle.refresh_from_db()
    assert vehicle.removed_on is not None


def test_document_upload_page(as_agent, house_a):
    url = reverse("house_document_upload", args=[house_a.id])
    response = as_agent.post(
        url, {"doc_type": "contract", "file": SimpleUploadedFile("c.pdf", PDF)}
    )
    assert response.status_code == 302
    document = ArchiveDocument.objects.get()
    download = as_agent.get(reverse("document_download", args=[document.id]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_parking_pages(as_agent, house_a, zhang_san, community_a):
    assert as_agent.get(reverse("parking_list")).status_code == 200
    response = as_agent.post(
        reverse("parking_space_create"),
        {"community": community_a.id, "number": "P-001", "kind": "dedicated"},
    )
    assert response.status_code == 302
    space = ParkingSpace.objects.get()
    response = as_agent.post(
        reverse("parking_assign", args=[house_a.id]),
        {"space": space.id, "status": "let", "holder": zhang_san.id},
    )
    assert response.status_code == 302
    space.refresh_from_db()
    assert (space.status, space.holder_id, space.house_id) == ("let", zhang_san.id, house_a.id)
    assert as_agent.post(reverse("parking_release", args=[space.id])).status_code == 302
    space.refresh_from_db()
    assert (space.status, space.holder_id) == ("available", None)


def test_owner_create_and_edit_pages(as_agent, community_a):
    response = as_agent.post(
        reverse("owner_create"),
        {
            "community": community_a.id,
            "kind": "company",
            "name": "某某科技有限公司",
            "id_type": "credit_code",
            "id_number": "91110000600037341L",
        },
    )
    assert response.status_code == 302
    owner = Owner.objects.get()
    response = as_agent.post(
        reverse("owner_edit", args=[owner.id]),
        {
            "kind": "company",
            "name": "某某科技有限公司",
            "mobile": "bad",
            "id_type": "credit_code",
            "id_number": "91110000600037341L",
        },
    )
    assert response.status_code == 400 and 'data-field-error="mobile"' in response.content.decode()
    owner.refresh_from_db()
    assert owner.mobile == ""


def test_building_and_community_pages(client, admin, community_a):
    client.force_login(admin)
    response = client.post(reverse("building_create"), {"community": community_a.id, "number": "8"})
    assert response.status_code == 302 and Building.objects.filter(number="8").exists()
    assert client.get(reverse("building_list")).status_code == 200
    response = client.post(reverse("community_create"), {"code": "C", "name": "丙小区"})
    assert response.status_code == 302


def test_community_create_is_admin_only(as_agent, db):
    assert as_agent.get(reverse("community_create")).status_code == 403


def test_oversized_input_is_refused_with_the_field_named(as_agent, house_a):
    response = as_agent.post(
        reverse("resident_add", args=[house_a.id]), {"relation": "family", "name": "张" * 500}
    )
    assert response.status_code == 400 and 'data-field-error="name"' in response.content.decode()
    assert not Resident.objects.exists()


def test_nul_bytes_are_refused(as_agent, house_a):
    response = as_agent.post(
        reverse("resident_add", args=[house_a.id]), {"relation": "family", "name": "张\x00三"}
    )
    assert response.status_code == 400
    assert not Resident.objects.exists()


def test_an_inline_edit_form_is_served_to_htmx_and_saves_in_place(as_agent, house_a):
    url = reverse("house_status", args=[house_a.id])
    form = as_agent.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in form and f'hx-post="{url}"' in form
    bad = as_agent.post(url, {"status": "nonsense"}, headers={"HX-Request": "true"})
    assert bad.status_code == 400 and 'data-field-error="status"' in bad.content.decode()
    done = as_agent.post(url, {"status": "vacant"}, headers={"HX-Request": "true"})
    assert done.status_code == 204
    assert done["HX-Redirect"] == reverse("house_detail", args=[house_a.id])
    house_a.refresh_from_db()
    assert house_a.status == "vacant"

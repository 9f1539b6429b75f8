"""Excel exports of the house and owner lists: filters, community scope, masked personal data."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from propdesk.core.errors import NotFound, PermissionDenied
from propdesk.estates import services
from propdesk.estates.excel import export
from propdesk.estates.models import House, Unit

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sheet_rows(response) -> list[list]:
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    assert "attachment" in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    workbook = load_workbook(io.BytesIO(content))
    assert len(workbook.worksheets) == 1
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def all_text(rows) -> str:
    return "\n".join(str(value) for row in rows for value in row)


def login(client, personas, role):
    client.force_login(personas[role])
    return client


# --- houses --------------------------------------------------------------------------------


def test_the_house_export_holds_the_visible_houses_with_masked_mobiles(client, personas, registry):
    rows = sheet_rows(login(client, personas, "agent").get(reverse("house_export")))

    header, *data = rows
    assert len(header) == 12 and all(isinstance(title, str) and title for title in header)
    assert [row[0] for row in data] == ["3-2-1502", "3-2-1601"]
    occupied = data[0]
    assert occupied[1:7] == ["甲小区", "3", "2", "1502", 15, 89.5]
    assert occupied[10:] == ["张三", "138****5678"]
    assert data[1][10:] == [None, None]
    assert "13812345678" not in all_text(rows)


def test_the_house_export_applies_the_list_filters(client, personas, registry, community_a):
    client = login(client, personas, "agent")
    url = reverse("house_export")

    def codes(**params):
        return [row[0] for row in sheet_rows(client.get(url, params))[1:]]

    assert codes(status="vacant") == ["3-2-1601"]
    assert codes(kind="residential") == ["3-2-1502"]
    assert codes(q="3-2-16") == ["3-2-1601"]
    assert codes(community=community_a.id, building=registry["occupied"].building_id) == [
        "3-2-1502",
        "3-2-1601",
    ]
    assert codes(status="", kind="", page="2") == ["3-2-1502", "3-2-1601"]


@pytest.mark.parametrize(
    ("params", "label"),
    [
        ({"status": "nonsense"}, "状态"),
        ({"kind": "<script>"}, "类型"),
        ({"community": "abc"}, "小区"),
        ({"building": "9" * 30}, "楼栋"),
        ({"q": "x" * 41}, "搜索"),
    ],
)
def test_a_bad_filter_sends_the_user_back_to_the_list_with_a_message(
    client, personas, registry, params, label
):
    response = login(client, personas, "agent").get(reverse("house_export"), params)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("house_list"))
    (message,) = [str(m) for m in response.wsgi_request._messages]
    assert message.startswith(f"{label}:")


def test_a_nul_in_the_filter_is_refused_with_a_page(client, personas, registry):
    response = login(client, personas, "agent").get(reverse("house_export"), {"q": "3-2\x00"})
    assert response.status_code == 400
    assert "不允许的字符" in response.content.decode()


def test_an_admin_exports_every_community(client, personas, registry):
    rows = sheet_rows(login(client, personas, "admin").get(reverse("house_export")))

    assert sorted(row[0] for row in rows[1:]) == ["1-1-101", "3-2-1502", "3-2-1601"]
    assert "137****1234" in all_text(rows) and "13700001234" not in all_text(rows)


def test_the_house_export_keeps_to_the_users_communities(client, personas, registry):
    rows = sheet_rows(login(client, personas, "other_agent").get(reverse("house_export")))

    assert [row[0] for row in rows[1:]] == ["1-1-101"]


def test_asking_for_another_community_is_refused(client, personas, registry, community_a):
    client = login(client, personas, "other_agent")

    assert client.get(reverse("house_export"), {"community": community_a.id}).status_code == 403
    assert client.get(reverse("owner_export"), {"community": community_a.id}).status_code == 403
    building = registry["occupied"].building_id
    assert client.get(reverse("house_export"), {"building": building}).status_code == 404


# --- owners --------------------------------------------------------------------------------


def test_the_owner_export_masks_mobile_and_id_numbers(client, personas, registry):
    rows = sheet_rows(login(client, personas, "cashier").get(reverse("owner_export")))

    header, *data = rows
    assert len(header) == 8 and all(isinstance(title, str) and title for title in header)
    assert data == [
        [
            "张三",
            data[0][1],
            "138****5678",
            data[0][3],
            "1101**********002X",
            1,
            "3-2-1502",
            "甲小区",
        ]
    ]
    text = all_text(rows)
    assert "13812345678" not in text and "11010519491231002X" not in text
    assert "王五" not in text


def test_the_owner_export_applies_the_list_filters(client, personas, registry, community_b):
    client = login(client, personas, "admin")
    url = reverse("owner_export")

    def names(**params):
        return [row[0] for row in sheet_rows(client.get(url, params))[1:]]

    assert names() == ["张三", "王五"]
    assert names(q="zs") == ["张三"]
    assert names(q="5678") == ["张三"]
    assert names(community=community_b.id) == ["王五"]


# --- who may export ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["agent", "supervisor", "cashier", "admin"])
def test_roles_with_the_export_right_may_export(client, personas, registry, role):
    client = login(client, personas, role)

    assert sheet_rows(client.get(reverse("house_export")))
    assert sheet_rows(client.get(reverse("owner_export")))


@pytest.mark.parametrize("role", ["technician", "guard", "owner"])
def test_roles_without_the_export_right_are_refused(client, personas, registry, role):
    client = login(client, personas, role)

    assert client.get(reverse("house_export")).status_code == 403
    assert client.get(reverse("owner_export")).status_code == 403


def test_anonymous_users_are_sent_to_login(client, db):
    response = client.get(reverse("house_export"))

    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_export_functions_check_the_policy_themselves(personas, registry, community_a):
    with pytest.raises(PermissionDenied):
        export.house_export(personas["technician"])
    with pytest.raises(PermissionDenied):
        export.owner_export(personas["guard"])
    with pytest.raises(PermissionDenied):
        export.house_export(personas["other_agent"], community_id=community_a.id)
    with pytest.raises(NotFound):
        export.house_export(personas["other_agent"], building_id=registry["occupied"].building_id)


# --- the list pages ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "target"), [("house_list", "house_export"), ("owner_list", "owner_export")]
)
def test_the_list_pages_link_to_the_export_with_their_filters(
    client, personas, registry, page, target
):
    body = login(client, personas, "agent").get(reverse(page), {"q": "3", "community": "1"})

    assert f'href="{reverse(target)}?q=3&amp;community=1"' in body.content.decode()


@pytest.mark.parametrize("page", ["house_list", "owner_list"])
def test_the_export_button_is_hidden_without_the_right(client, personas, registry, page):
    body = login(client, personas, "technician").get(reverse(page)).content.decode()

    assert 'data-testid="export-link"' not in body


# --- what is written -----------------------------------------------------------------------


def test_text_that_looks_like_a_formula_stays_text(client, personas, house_a, admin):
    name = '=HYPERLINK("http://evil.example","x")'
    owner = services.owner_create(actor=admin, community=house_a.community, name=name)
    services.ownership_add(actor=admin, house=house_a, owner=owner)

    response = login(client, personas, "agent").get(reverse("owner_export"))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cell = workbook.worksheets[0]["A2"]

    assert (cell.value, cell.data_type) == (name, "s")


def test_a_long_list_is_written_in_chunks(client, personas, house_a, monkeypatch):
    monkeypatch.setattr(export, "CHUNK_ROWS", 100)
    unit = Unit.objects.get(pk=house_a.unit_id)
    House.objects.bulk_create(
        House(
            community_id=house_a.community_id,
            building_id=house_a.building_id,
            unit=unit,
            number=f"{n:04d}",
            code=f"3-2-{n:04d}",
            floor=n // 100,
            area_m2="80.00",
        )
        for n in range(1, 351)
    )

    rows = sheet_rows(login(client, personas, "agent").get(reverse("house_export")))

    assert len(rows) == 1 + 351
    assert rows[1][0] == "3-2-0001"


# --- buildings and parking -------------------------------------------------------------------


def test_the_building_export_lists_buildings_with_house_counts(client, personas, registry):
    rows = sheet_rows(login(client, personas, "agent").get(reverse("building_export")))
    assert rows[1:] == [["3", None, "甲小区", None, 2]]


def test_the_parking_export_masks_plates_and_keeps_to_the_community(
    client, personas, registry, admin, community_a, community_b
):
    zhang = registry["zhang_san"]
    vehicle = services.vehicle_add(actor=admin, house=registry["occupied"], plate="粤B12345")
    space = services.parking_space_create(
        actor=admin, community=community_a, number="P-1", kind="dedicated"
    )
    services.parking_space_assign(
        actor=admin,
        space=space,
        status="let",
        holder=zhang,
        house=registry["occupied"],
        vehicle=vehicle,
    )
    services.parking_space_create(actor=admin, community=community_b, number="P-9", kind="shared")
    rows = sheet_rows(login(client, personas, "cashier").get(reverse("parking_export")))
    assert rows[1:] == [["P-1", "甲小区", "专用车位", "已出租", "张三", "3-2-1502", "粤B***45"]]


@pytest.mark.parametrize("url_name", ["building_export", "parking_export"])
@pytest.mark.parametrize("role", ["technician", "guard", "owner"])
def test_the_new_exports_refuse_roles_without_the_right(client, personas, registry, url_name, role):
    response = login(client, personas, role).get(reverse(url_name))
    assert response.status_code == 403


def test_the_parking_export_refuses_another_community(client, personas, registry, community_b):
    response = login(client, personas, "agent").get(
        reverse("parking_export"), {"community": community_b.id}
    )
    assert response.status_code == 403

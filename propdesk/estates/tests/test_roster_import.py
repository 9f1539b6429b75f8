"""Roster import (DOMAIN.md §1): the dry-run preview and the all-or-nothing commit."""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook
from stdnum.cn import ric

from propdesk.core.errors import PermissionDenied, ValidationFailed
from propdesk.core.models import AuditEvent
from propdesk.estates import services
from propdesk.estates.excel import upload
from propdesk.estates.excel.columns import COLUMNS, COLUMNS_BY_KEY, EXAMPLE_ROW
from propdesk.estates.excel.roster_import import RowProblem, roster_commit, roster_preview
from propdesk.estates.excel.template import roster_template
from propdesk.estates.models import (
    Building,
    House,
    HouseStatusChange,
    Owner,
    Ownership,
    Unit,
    Vehicle,
)

HEADER = [column.title for column in COLUMNS]
CREDIT_CODE = "91110108551385082Q"


def resident_id(prefix: str) -> str:
    """A resident ID number with a right check digit: 6-digit area + 8-digit birth date + 3."""
    return next(prefix + d for d in "0123456789X" if ric.is_valid(prefix + d))


WANG_ID = resident_id("11010519800101001")
ZHAO_ID = resident_id("44030419900315123")
BAD_CHECKSUM_ID = WANG_ID[:-1] + ("1" if WANG_ID[-1] != "1" else "2")


def xlsx(rows, *, header=HEADER, name="roster.xlsx", before=()) -> SimpleUploadedFile:
    """A workbook built in memory: `before` lines, the header, then one line per row dict."""
    workbook = Workbook()
    sheet = workbook.active
    for line in before:
        sheet.append(line)
    if header is not None:
        sheet.append(header)
    for row in rows:
        sheet.append([row.get(column.key) for column in COLUMNS] if isinstance(row, dict) else row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def house_row(**values) -> dict:
    return {"building": "5", "unit": "1", "room": "101", "floor": 1, "area_m2": 89.5, **values}


def good_rows() -> list[dict]:
    return [
        house_row(
            kind="住宅",
            status="入住",
            delivered_on=datetime.datetime(2021, 6, 30),
            owner_name="王五",
            owner_kind="个人",
            owner_mobile="138 0000 0001",
            owner_id_type="身份证",
            owner_id_number=WANG_ID,
            co_owner_name="赵六",
            co_owner_mobile="+8613800000002",
            co_owner_id_number=ZHAO_ID,
            plates="粤B12345、粤BD12345",
        ),
        house_row(
            room="102",
            area_m2="120.25",
            kind="commercial",
            status="vacant",
            delivered_on="2022/1/5",
            owner_name="王五",
            owner_id_number=WANG_ID,
            plates="京A00001",
        ),
        house_row(building="6", unit="2", room="0201", floor=2, area_m2=70),
        house_row(
            building="6",
            unit="2",
            room="202",
            floor=2,
            area_m2=65,
            owner_name="深圳市某某贸易有限公司",
            owner_kind="公司",
            owner_id_number=CREDIT_CODE,
        ),
    ]


REGISTRY_MODELS = ("estates", "core")


def registry_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for label in REGISTRY_MODELS
        for model in apps.get_app_config(label).get_models()
    }


@pytest.fixture
def supervisor(personas):
    return personas["supervisor"]


@pytest.fixture
def supervisor_b(community_b):
    from propdesk.accounts.models import Role, User

    user = User.objects.create_user("supervisor_b", password="pw", role=Role.SUPERVISOR)
    user.communities.set([community_b])
    return user


def problems_of(preview) -> list[tuple[int, str, str]]:
    return [(p.row, p.column, p.code) for p in preview.problems]


# --- a good file ---------------------------------------------------------------------------


def test_the_preview_counts_what_the_file_would_create(supervisor, community_a):
    preview = roster_preview(actor=supervisor, community=community_a, uploaded=xlsx(good_rows()))

    assert preview.ok and preview.problems == []
    assert preview.row_count == 4
    assert preview.counts == {
        "buildings": 2,
        "houses": 4,
        "owners": 3,
        "owners_reused": 0,
        "ownerships": 4,
        "vehicles": 3,
    }


def test_a_dry_run_writes_nothing(supervisor, community_a):
    before = registry_counts()

    roster_preview(actor=supervisor, community=community_a, uploaded=xlsx(good_rows()))

    assert registry_counts() == before


def test_a_good_file_imports_exactly(supervisor, community_a):
    result = roster_commit(actor=supervisor, community=community_a, uploaded=xlsx(good_rows()))

    assert result.counts["houses"] == 4
    assert sorted(
        Building.objects.filter(community=community_a).values_list("number", flat=True)
    ) == [
        "5",
        "6",
    ]
    assert Unit.objects.filter(community=community_a).count() == 2
    houses = {h.code: h for h in House.objects.filter(community=community_a)}
    assert sorted(houses) == ["5-1-101", "5-1-102", "6-2-0201", "6-2-202"]
    first = houses["5-1-101"]
    assert (first.floor, first.area_m2, first.kind, first.status, first.delivered_on) == (
        1,
        Decimal("89.50"),
        "residential",
        "occupied",
        datetime.date(2021, 6, 30),
    )
    second = houses["5-1-102"]
    assert (second.area_m2, second.kind, second.status, second.delivered_on) == (
        Decimal("120.25"),
        "commercial",
        "vacant",
        datetime.date(2022, 1, 5),
    )
    third = houses["6-2-0201"]
    assert (third.kind, third.status, third.delivered_on) == ("residential", "unsold", None)

    wang = Owner.objects.get(id_number=WANG_ID)
    assert (wang.name, wang.kind, wang.mobile, wang.mobile_tail, wang.name_initials) == (
        "王五",
        "person",
        "13800000001",
        "0001",
        "ww",
    )
    zhao = Owner.objects.get(id_number=ZHAO_ID)
    assert (zhao.name, zhao.mobile) == ("赵六", "13800000002")
    company = Owner.objects.get(id_number=CREDIT_CODE)
    assert (company.kind, company.id_type) == ("company", "credit_code")
    assert Owner.objects.filter(community=community_a).count() == 3

    ownerships = sorted(
        Ownership.objects.filter(community=community_a).values_list(
            "house__code", "owner__name", "is_primary", "start_on", "end_on"
        )
    )
    assert ownerships == [
        ("5-1-101", "王五", True, datetime.date(2021, 6, 30), None),
        ("5-1-101", "赵六", False, datetime.date(2021, 6, 30), None),
        ("5-1-102", "王五", True, datetime.date(2022, 1, 5), None),
        ("6-2-202", "深圳市某某贸易有限公司", True, timezone.localdate(), None),
    ]
    vehicles = sorted(
        Vehicle.objects.filter(community=community_a).values_list(
            "house__code", "plate", "is_new_energy", "owner__name"
        )
    )
    assert vehicles == [
        ("5-1-101", "粤B12345", False, "王五"),
        ("5-1-101", "粤BD12345", True, "王五"),
        ("5-1-102", "京A00001", False, "王五"),
    ]


def test_the_import_leaves_the_same_history_as_the_console(supervisor, community_a):
    roster_commit(actor=supervisor, community=community_a, uploaded=xlsx(good_rows()))

    statuses = sorted(
        HouseStatusChange.objects.filter(community=community_a).values_list(
            "house__code", "from_status", "to_status", "effective_on", "changed_by"
        )
    )
    assert statuses == [
        ("5-1-101", "", "occupied", datetime.date(2021, 6, 30), supervisor.id),
        ("5-1-102", "", "vacant", datetime.date(2022, 1, 5), supervisor.id),
        ("6-2-0201", "", "unsold", timezone.localdate(), supervisor.id),
        ("6-2-202", "", "unsold", timezone.localdate(), supervisor.id),
    ]
    events = AuditEvent.objects.all()
    assert {event.actor_id for event in events} == {supervisor.id}
    actions = sorted((e.object_type, e.action) for e in events)
    assert actions == sorted(
        [("building", "create")] * 2
        + [("house", "create")] * 4
        + [("owner", "create")] * 3
        + [("ownership", "owner_added")] * 4
        + [("vehicle", "vehicle_added")] * 3
        + [("community", "roster_import")]
    )
    summary = events.get(action="roster_import")
    assert summary.note == "roster.xlsx"
    assert summary.changes["houses"] == [None, 4]


def test_an_owner_in_the_archive_is_reused(supervisor, community_a, zhang_san):
    row = house_row(
        owner_name="张三", owner_mobile="13999999999", owner_id_number=zhang_san.id_number
    )

    preview = roster_preview(actor=supervisor, community=community_a, uploaded=xlsx([row]))
    assert preview.counts["owners"] == 0 and preview.counts["owners_reused"] == 1
    roster_commit(actor=supervisor, community=community_a, uploaded=xlsx([row]))

    assert Owner.objects.filter(community=community_a).count() == 1
    zhang_san.refresh_from_db()
    assert zhang_san.mobile == "13812345678"  # the archive's data is kept
    assert sorted(zhang_san.ownerships.values_list("house__code", flat=True)) == [
        "3-2-1502",
        "5-1-101",
    ]


def test_the_same_id_number_in_another_community_is_another_owner(
    supervisor, community_a, house_b, admin
):
    services.owner_create(actor=admin, community=house_b.community, name="王五", id_number=WANG_ID)
    row = house_row(owner_name="王五", owner_id_number=WANG_ID)

    roster_commit(actor=supervisor, community=community_a, uploaded=xlsx([row]))

    assert Owner.objects.filter(id_number=WANG_ID).count() == 2


def test_the_template_example_row_is_skipped(supervisor, community_a):
    uploaded = SimpleUploadedFile("template.xlsx", roster_template())
    with pytest.raises(ValidationFailed) as refused:
        roster_preview(actor=supervisor, community=community_a, uploaded=uploaded)
    assert (refused.value.code, refused.value.field) == ("empty_file", "file")

    example = dict(EXAMPLE_ROW)
    preview = roster_preview(
        actor=supervisor, community=community_a, uploaded=xlsx([example, house_row()])
    )
    assert preview.skipped_example and preview.ok
    assert [house.code for house in preview.houses] == ["5-1-101"]


def test_a_title_line_above_the_header_and_blank_lines_are_tolerated(supervisor, community_a):
    rows = [house_row(), [], [], house_row(room="102")]
    uploaded = xlsx(rows, before=[["甲小区房屋花名册"], []])

    preview = roster_preview(actor=supervisor, community=community_a, uploaded=uploaded)

    assert preview.ok
    assert [(h.row, h.code) for h in preview.houses] == [(4, "5-1-101"), (7, "5-1-102")]


def test_columns_are_found_by_chinese_or_english_title_in_any_order(supervisor, community_a):
    header = ["area m²", "房号", "楼栋", "unit", "楼层", "备注"]
    uploaded = xlsx([[80, "101", "5", "1", 1, "ignored"]], header=header)

    preview = roster_preview(actor=supervisor, community=community_a, uploaded=uploaded)

    assert preview.ok
    assert [(h.code, h.area_m2) for h in preview.houses] == [("5-1-101", Decimal("80.00"))]


# --- bad rows ------------------------------------------------------------------------------

BAD_ROWS = {
    "missing building": (house_row(building=None), "building", "required"),
    "missing unit": (house_row(unit=" "), "unit", "required"),
    "missing room": (house_row(room=None), "room", "required"),
    "missing floor": (house_row(floor=None), "floor", "required"),
    "missing area": (house_row(area_m2=None), "area_m2", "required"),
    "dash in the building": (house_row(building="3-2"), "building", "bad_number"),
    "floor not whole": (house_row(floor=2.5), "floor", "invalid"),
    "floor too high": (house_row(floor=300), "floor", "invalid"),
    "negative area": (house_row(area_m2=-5), "area_m2", "bad_area"),
    "area with three decimals": (house_row(area_m2="89.555"), "area_m2", "bad_area"),
    "area in words": (house_row(area_m2="九十"), "area_m2", "bad_area"),
    "unknown kind": (house_row(kind="别墅"), "kind", "bad_choice"),
    "unknown status": (house_row(status="出租"), "status", "bad_choice"),
    "bad date": (house_row(delivered_on="2021-13-01"), "delivered_on", "bad_date"),
    "owner without a name": (house_row(owner_mobile="13800000001"), "owner_name", "required"),
    "bad mobile": (
        house_row(owner_name="王五", owner_mobile="12345"),
        "owner_mobile",
        "bad_mobile",
    ),
    "bad ID checksum": (
        house_row(owner_name="王五", owner_id_number=BAD_CHECKSUM_ID),
        "owner_id_number",
        "bad_id_checksum",
    ),
    "short ID number": (
        house_row(owner_name="王五", owner_id_number="1101051980"),
        "owner_id_number",
        "bad_id_number",
    ),
    "bad credit code": (
        house_row(owner_name="某公司", owner_kind="公司", owner_id_number=CREDIT_CODE[:-1] + "0"),
        "owner_id_number",
        "bad_credit_checksum",
    ),
    "company with a resident ID": (
        house_row(owner_name="某公司", owner_kind="公司", owner_id_type="身份证"),
        "owner_id_type",
        "invalid",
    ),
    "unknown owner kind": (
        house_row(owner_name="王五", owner_kind="集体"),
        "owner_kind",
        "bad_choice",
    ),
    "unknown ID type": (
        house_row(owner_name="王五", owner_id_type="军官证"),
        "owner_id_type",
        "bad_choice",
    ),
    "bad co-owner mobile": (
        house_row(owner_name="王五", co_owner_name="赵六", co_owner_mobile="02012345678"),
        "co_owner_mobile",
        "bad_mobile",
    ),
    "bad co-owner ID": (
        house_row(owner_name="王五", co_owner_name="赵六", co_owner_id_number=BAD_CHECKSUM_ID),
        "co_owner_id_number",
        "bad_id_checksum",
    ),
    "co-owner without an owner": (
        house_row(co_owner_name="赵六"),
        "co_owner_name",
        "co_owner_alone",
    ),
    "co-owner is the owner": (
        house_row(
            owner_name="王五",
            owner_id_number=WANG_ID,
            co_owner_name="王五",
            co_owner_id_number=WANG_ID,
        ),
        "co_owner_id_number",
        "co_owner_is_owner",
    ),
    "bad plate": (house_row(plates="粤B12345、ABC123"), "plates", "bad_plate"),
    "plate twice in a row": (house_row(plates="粤B12345,粤B12345"), "plates", "duplicate"),
}


@pytest.mark.parametrize("case", BAD_ROWS, ids=list(BAD_ROWS))
def test_each_kind_of_bad_row_is_reported_and_nothing_is_written(supervisor, community_a, case):
    bad_row, column, code = BAD_ROWS[case]
    rows = [house_row(room="100"), bad_row]
    before = registry_counts()

    preview = roster_preview(actor=supervisor, community=community_a, uploaded=xlsx(rows))

    assert problems_of(preview) == [(3, column, code)]
    assert preview.problems[0].message
    assert [house.row for house in preview.houses] == [2]
    assert not preview.ok and preview.bad_row_count == 1
    with pytest.raises(ValidationFailed) as refused:
        roster_commit(actor=supervisor, community=community_a, uploaded=xlsx(rows))
    assert (refused.value.code, refused.value.field) == ("bad_rows", "file")
    assert registry_counts() == before


def test_a_house_twice_in_the_file_is_reported_at_its_second_row(supervisor, community_a):
    rows = [house_row(), house_row(room="102"), house_row(floor=3)]

    preview = roster_preview(actor=supervisor, community=community_a, uploaded=xlsx(rows))

    assert problems_of(preview) == [(4, "room", "duplicate_in_file")]
    assert "5-1-101" in preview.problems[0].message and "2" in preview.problems[0].message


def test_a_house_already_in_the_community_is_reported(supervisor, community_a, house_a):
    rows = [house_row(building="3", unit="2", room="1502")]
    before = registry_counts()

    preview = roster_preview(actor=supervisor, community=community_a, uploaded=xlsx(rows))

    assert problems_of(preview) == [(2, "room", "house_exists")]
    with pytest.raises(ValidationFailed):
        roster_commit(actor=supervisor, community=community_a, uploaded=xlsx(rows))
    assert registry_counts() == before


def test_a_house_code_of_another_community_is_no_conflict(supervisor, community_a, house_b):
    rows = [house_row(building=house_b.building.number, unit="1", room="101")]

    preview = roster_preview(actor=supervisor, community=community_a, uploaded=xlsx(rows))

    assert preview.ok


def test_a_plate_twice_in_the_file_or_already_registered_is_reported(
    supervisor, community_a, house_a, admin
):
    services.vehicle_add(actor=admin, house=house_a, plate="粤B88888")
    rows = [
        house_row(plates="粤B12345"),
        house_row(room="102", plates="粤B12345"),
        house_row(room="103", plates="粤b 88888"),
    ]

    preview = roster_preview(actor=supervisor, community=community_a, uploaded=xlsx(rows))

    assert problems_of(preview) == [
        (3, "plates", "duplicate_in_file"),
        (4, "plates", "plate_exists"),
    ]


def test_one_id_number_given_to_two_names_is_reported(supervisor, community_a, zhang_san):
    rows = [
        house_row(owner_name="王五", owner_id_number=WANG_ID),
        house_row(room="102", owner_name="王六", owner_id_number=WANG_ID),
        house_row(room="103", owner_name="张三丰", owner_id_number=zhang_san.id_number),
    ]

    preview = roster_preview(actor=supervisor, community=community_a, uploaded=xlsx(rows))

    assert problems_of(preview) == [
        (3, "owner_id_number", "id_number_name_mismatch"),
        (4, "owner_id_number", "id_number_name_mismatch"),
    ]
    assert "王五" in preview.problems[0].message and "张三" in preview.problems[1].message


def test_every_bad_row_is_listed_with_every_problem(supervisor, community_a):
    rows = [
        house_row(),
        house_row(room="102", area_m2=0, kind="villa"),
        house_row(room="103"),
        house_row(room=None, owner_name="王五", owner_mobile="123"),
        house_row(room="105", plates="粤Z"),
    ]
    before = registry_counts()

    preview = roster_preview(actor=supervisor, community=community_a, uploaded=xlsx(rows))

    assert problems_of(preview) == [
        (3, "area_m2", "bad_area"),
        (3, "kind", "bad_choice"),
        (5, "room", "required"),
        (5, "owner_mobile", "bad_mobile"),
        (6, "plates", "bad_plate"),
    ]
    assert preview.bad_row_count == 3
    assert [house.code for house in preview.houses] == ["5-1-101", "5-1-103"]
    assert preview.problems[0].column_label == COLUMNS_BY_KEY["area_m2"].label
    assert registry_counts() == before


def test_problems_name_their_row_column_and_reason(supervisor, community_a):
    rows = [house_row(area_m2="abc")]

    preview = roster_preview(actor=supervisor, community=community_a, uploaded=xlsx(rows))

    assert preview.problems == [
        RowProblem(2, "area_m2", str(preview.problems[0].message), "bad_area")
    ]
    assert preview.problems[0].as_dict()["row"] == 2


# --- what a cell holds is data -------------------------------------------------------------


def test_formulas_are_kept_as_text_never_evaluated(supervisor, community_a):
    rows = [
        house_row(owner_name='=HYPERLINK("http://evil.example","x")'),
        house_row(room="102", floor="=1+1"),
    ]

    preview = roster_preview(actor=supervisor, community=community_a, uploaded=xlsx(rows))

    assert problems_of(preview) == [(3, "floor", "invalid")]
    assert preview.houses[0].owner.values["name"] == '=HYPERLINK("http://evil.example","x")'


def test_hostile_text_is_stored_as_text(supervisor, community_a):
    name = "<script>alert(1)</script>"
    roster_commit(
        actor=supervisor, community=community_a, uploaded=xlsx([house_row(owner_name=name)])
    )

    assert Owner.objects.get().name == name


def test_nul_and_control_characters_are_stripped(supervisor, community_a):
    rows = [house_row(owner_name="张_x0000_三", room="1_x0000_01")]

    roster_commit(actor=supervisor, community=community_a, uploaded=xlsx(rows))

    assert Owner.objects.get().name == "张三"
    assert House.objects.get().code == "5-1-101"


# --- refused files -------------------------------------------------------------------------


def refusal(supervisor, community, uploaded) -> tuple[str, str]:
    before = registry_counts()
    with pytest.raises(ValidationFailed) as refused:
        roster_preview(actor=supervisor, community=community, uploaded=uploaded)
    assert registry_counts() == before
    assert refused.value.message
    return refused.value.code, refused.value.field


def test_it_refuses_a_file_over_the_size_limit(supervisor, community_a, settings):
    uploaded = xlsx([house_row()])
    settings.IMPORT_MAX_UPLOAD_BYTES = uploaded.size - 1

    assert refusal(supervisor, community_a, uploaded) == ("file_too_large", "file")


def test_it_refuses_a_text_file_renamed_xlsx(supervisor, community_a):
    uploaded = SimpleUploadedFile("roster.xlsx", "楼栋,单元,房号\n5,1,101\n".encode())

    assert refusal(supervisor, community_a, uploaded) == ("bad_file_content", "file")


def test_it_refuses_a_csv(supervisor, community_a):
    uploaded = SimpleUploadedFile("roster.csv", "楼栋,单元,房号\n5,1,101\n".encode())

    assert refusal(supervisor, community_a, uploaded) == ("bad_file_type", "file")


def test_it_refuses_a_zip_that_is_no_workbook(supervisor, community_a):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    uploaded = SimpleUploadedFile("roster.xlsx", buffer.getvalue())

    assert refusal(supervisor, community_a, uploaded) == ("bad_file_content", "file")


def test_it_refuses_a_damaged_workbook(supervisor, community_a):
    content = xlsx([house_row()]).read()
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(buffer, "w") as damaged:
        for entry in source.infolist():
            data = source.read(entry.filename)
            damaged.writestr(entry, data[: len(data) // 2] if "sheet1" in entry.filename else data)
    uploaded = SimpleUploadedFile("roster.xlsx", buffer.getvalue())

    assert refusal(supervisor, community_a, uploaded) == ("bad_file_content", "file")


def test_it_refuses_a_workbook_that_unpacks_too_large(supervisor, community_a, monkeypatch):
    monkeypatch.setattr(upload, "MAX_UNCOMPRESSED_BYTES", 1000)

    assert refusal(supervisor, community_a, xlsx([house_row()])) == ("file_too_large", "file")


def test_it_refuses_an_empty_file(supervisor, community_a):
    uploaded = SimpleUploadedFile("roster.xlsx", b"")

    assert refusal(supervisor, community_a, uploaded) == ("empty_file", "file")


def test_it_refuses_an_empty_workbook(supervisor, community_a):
    assert refusal(supervisor, community_a, xlsx([], header=None)) == ("empty_file", "file")


def test_it_refuses_a_header_without_rows(supervisor, community_a):
    assert refusal(supervisor, community_a, xlsx([[], []])) == ("empty_file", "file")


def test_it_refuses_a_file_without_header(supervisor, community_a):
    rows = [["5", "1", "101", 1, 89.5]]

    assert refusal(supervisor, community_a, xlsx(rows, header=None)) == ("missing_header", "file")


def test_it_refuses_a_header_that_lacks_a_required_column(supervisor, community_a):
    header = [title for title in HEADER if not title.startswith("建筑面积")]
    with pytest.raises(ValidationFailed) as refused:
        roster_preview(
            actor=supervisor,
            community=community_a,
            uploaded=xlsx([["5", "1", "101", 1]], header=header),
        )

    assert refused.value.code == "missing_header"
    assert COLUMNS_BY_KEY["area_m2"].label in str(refused.value.message)


def test_it_refuses_a_header_with_a_column_twice(supervisor, community_a):
    header = [*HEADER, "楼栋"]

    assert refusal(supervisor, community_a, xlsx([house_row()], header=header)) == (
        "duplicate_column",
        "file",
    )


def test_it_refuses_more_than_20000_rows(supervisor, community_a):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADER[:5])
    for index in range(upload.MAX_ROWS + 1):
        sheet.append(["5", "1", str(index + 1), 1, 80])
    buffer = io.BytesIO()
    workbook.save(buffer)
    uploaded = SimpleUploadedFile("roster.xlsx", buffer.getvalue())

    assert refusal(supervisor, community_a, uploaded) == ("too_many_rows", "file")


def test_it_accepts_exactly_the_row_limit(supervisor, community_a, monkeypatch):
    monkeypatch.setattr(upload, "MAX_ROWS", 3)
    rows = [house_row(room=str(n)) for n in (101, 102, 103)]

    preview = roster_preview(actor=supervisor, community=community_a, uploaded=xlsx(rows))

    assert preview.row_count == 3 and preview.ok


# --- who may import ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["agent", "technician", "cashier", "guard", "owner", "other_agent"]
)
def test_it_refuses_roles_without_the_import_right(personas, community_a, role):
    before = registry_counts()
    for action in (roster_preview, roster_commit):
        with pytest.raises(PermissionDenied):
            action(actor=personas[role], community=community_a, uploaded=xlsx(good_rows()))
    assert registry_counts() == before


def test_it_refuses_a_supervisor_of_another_community(supervisor_b, community_a):
    before = registry_counts()
    with pytest.raises(PermissionDenied) as refused:
        roster_commit(actor=supervisor_b, community=community_a, uploaded=xlsx(good_rows()))
    assert refused.value.code == "community_forbidden"
    assert registry_counts() == before


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_supervisors_and_admins_may_import(personas, community_a, role):
    roster_commit(actor=personas[role], community=community_a, uploaded=xlsx(good_rows()))

    assert House.objects.filter(community=community_a).count() == 4


def test_no_header_name_belongs_to_two_columns():
    seen: dict[str, str] = {}
    for column in COLUMNS:
        for name in column.names():
            assert seen.setdefault(name, column.key) == column.key, name

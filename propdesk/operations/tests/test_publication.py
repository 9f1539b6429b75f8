"""Fee transparency: income from the ledger, spending entered or imported (checked first), the
four-eyes review, publishing as a notice, and corrections as new versions."""

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from propdesk.billing.services.schedule import billing_defaults_ensure
from propdesk.core.errors import Conflict, PermissionDenied, ValidationFailed
from propdesk.notices.models import Announcement
from propdesk.operations import error_codes, selectors
from propdesk.operations.models import FeePublication, PublicationLine, PublicationStatus
from propdesk.operations.services import parking
from propdesk.operations.services import publication as service
from propdesk.operations.tests.conftest import at, workbook

pytestmark = pytest.mark.django_db
JULY = "2026-07"


@pytest.fixture
def july(personas, community_a, community_b, house_a):
    """July's takings in A: 300 for the house's bills (prepaid, no bill) and 5 for parking."""
    billing_defaults_ensure(community=community_a)
    billing_defaults_ensure(community=community_b)
    guard = personas["guard"]
    with time_machine.travel(at("2026-07-08 09:00"), tick=False):
        stay = parking.stay_enter(actor=guard, community=community_a, plate="粤B12345")
    with time_machine.travel(at("2026-07-08 12:00"), tick=False):
        stay = parking.stay_leave(actor=guard, stay=stay)
        parking.stay_charge(actor=guard, stay=stay, method="cash", idempotency_key="gate-0001")
    with time_machine.travel(at("2026-08-10 12:00"), tick=False):
        return service.publication_prepare(
            actor=personas["supervisor"], community=community_a, period_from=JULY, period_to=JULY
        )


def test_income_comes_from_the_ledger_and_the_counter(july):
    lines = selectors.publication_lines(july)
    assert [(line.category, line.amount_fen) for line in lines["income"]] == [("临时停车费", 500)]
    assert (july.income_fen, july.spending_fen, july.version) == (500, 0, 1)


def test_spending_is_entered_checked_and_imported(personas, july):
    supervisor = personas["supervisor"]
    service.spending_add(actor=supervisor, publication=july, category="保洁", amount="120.50")
    bad = workbook(
        [
            ["类别", "金额", "说明"],
            ["绿化", 200, "修剪"],
            ["", 50, ""],
            ["维修", "abc", ""],
            ["电费", 10.005, ""],
        ]
    )
    check = service.spending_import(actor=supervisor, publication=july, upload=bad, dry_run=False)
    assert [(e["row"], e["field"]) for e in check.errors] == [
        (3, "category"),
        (4, "amount"),
        (5, "amount"),
    ]
    assert not check.written and PublicationLine.objects.filter(kind="spending").count() == 1
    good = workbook([["类别", "金额", "说明"], ["绿化", 200, "修剪"], ["电费", "80.10", ""]])
    dry = service.spending_import(actor=supervisor, publication=july, upload=good)
    assert (dry.good, dry.written) == (2, False)
    done = service.spending_import(actor=supervisor, publication=july, upload=good, dry_run=False)
    assert done.written
    july.refresh_from_db()
    assert july.spending_fen == 12050 + 20000 + 8010


@pytest.mark.parametrize(
    "rows, field",
    [([["名称", "数目"], ["x", 1]], "file"), ([["类别", "金额"]], "file")],
)
def test_a_file_without_the_columns_or_rows_is_refused(personas, july, rows, field):
    with pytest.raises(ValidationFailed) as exc:
        service.spending_import(
            actor=personas["supervisor"], publication=july, upload=workbook(rows)
        )
    assert exc.value.field == field


def test_not_an_excel_file_is_refused(personas, july):
    upload = SimpleUploadedFile("spending.xlsx", b"not a workbook")
    with pytest.raises(ValidationFailed) as exc:
        service.spending_import(actor=personas["supervisor"], publication=july, upload=upload)
    assert exc.value.field == "file"


def test_the_preparer_cannot_review_and_a_second_person_publishes(personas, july, second):
    supervisor = personas["supervisor"]
    service.spending_add(actor=supervisor, publication=july, category="保洁", amount="100")
    service.publication_submit(actor=supervisor, publication=july)
    with pytest.raises(PermissionDenied) as exc:
        service.publication_review(actor=supervisor, publication=july, approve=True)
    assert exc.value.code == error_codes.FOUR_EYES
    july.refresh_from_db()
    assert july.status == PublicationStatus.SUBMITTED and not Announcement.objects.exists()
    with time_machine.travel(at("2026-08-11 09:00"), tick=False):
        published = service.publication_review(actor=second, publication=july, approve=True)
    assert published.status == PublicationStatus.PUBLISHED
    notice = Announcement.objects.get()
    assert notice.status == "published" and "¥5.00" in notice.body and "¥100.00" in notice.body


def test_returned_with_a_note_it_can_change_again(personas, july, second):
    supervisor = personas["supervisor"]
    service.publication_submit(actor=supervisor, publication=july)
    with pytest.raises(ValidationFailed) as exc:
        service.publication_review(actor=second, publication=july, approve=False, note="")
    assert exc.value.field == "note"
    service.publication_review(actor=second, publication=july, approve=False, note="缺少电费")
    service.spending_add(actor=supervisor, publication=july, category="电费", amount="80")
    july.refresh_from_db()
    assert (july.status, july.spending_fen) == (PublicationStatus.DRAFT, 8000)


def test_published_figures_never_change_and_a_correction_is_a_new_version(personas, july, second):
    supervisor = personas["supervisor"]
    service.spending_add(actor=supervisor, publication=july, category="保洁", amount="100")
    service.publication_submit(actor=supervisor, publication=july)
    service.publication_review(actor=second, publication=july, approve=True)
    july.refresh_from_db()
    for change in (
        lambda: service.spending_add(actor=supervisor, publication=july, category="x", amount="1"),
        lambda: service.publication_income_refresh(actor=supervisor, publication=july),
        lambda: service.publication_submit(actor=supervisor, publication=july),
    ):
        with pytest.raises(Conflict) as exc:
            change()
        assert exc.value.code == error_codes.PUBLICATION_NOT_DRAFT
    with pytest.raises(Conflict) as exc, time_machine.travel(at("2026-08-10 12:00"), tick=False):
        service.publication_prepare(
            actor=supervisor, community=july.community, period_from=JULY, period_to=JULY
        )
    assert exc.value.code == error_codes.PUBLICATION_PUBLISHED
    with pytest.raises(ValidationFailed) as exc:
        service.publication_correct(actor=supervisor, publication=july, reason="")
    assert exc.value.field == "reason"
    fixed = service.publication_correct(actor=supervisor, publication=july, reason="保洁费录错")
    assert (fixed.version, fixed.spending_fen, fixed.supersedes_id) == (2, 10000, july.id)
    service.spending_remove(
        actor=supervisor, publication=fixed, line_id=fixed.lines.get(kind="spending").id
    )
    service.spending_add(actor=supervisor, publication=fixed, category="保洁", amount="110")
    service.publication_submit(actor=supervisor, publication=fixed)
    service.publication_review(actor=second, publication=fixed, approve=True)
    july.refresh_from_db()
    assert july.status == PublicationStatus.SUPERSEDED and july.spending_fen == 10000
    assert Announcement.objects.count() == 2


def test_one_version_is_prepared_at_a_time(personas, july):
    with pytest.raises(Conflict) as exc, time_machine.travel(at("2026-08-10 12:00"), tick=False):
        service.publication_prepare(
            actor=personas["supervisor"],
            community=july.community,
            period_from=JULY,
            period_to=JULY,
        )
    assert exc.value.code == error_codes.PUBLICATION_OPEN
    assert FeePublication.objects.count() == 1


@pytest.mark.parametrize(
    "period_from, period_to, field",
    [
        ("2026-13", JULY, "period_from"),
        ("", JULY, "period_from"),
        (JULY, "2026-06", "period_to"),
        ("2025-01", "2026-07", "period_to"),
        (JULY, "2026-09", "period_to"),
        ("x\x00", JULY, "period_from"),
    ],
)
def test_bad_periods_are_refused(personas, community_a, period_from, period_to, field):
    with pytest.raises(ValidationFailed) as exc, time_machine.travel(at("2026-08-10 12:00")):
        service.publication_prepare(
            actor=personas["supervisor"],
            community=community_a,
            period_from=period_from,
            period_to=period_to,
        )
    assert exc.value.field == field
    assert not FeePublication.objects.exists()


@pytest.mark.parametrize("role", ["agent", "technician", "cashier", "guard", "owner"])
def test_roles_other_than_supervisors_are_refused(personas, community_a, role):
    with pytest.raises(PermissionDenied):
        service.publication_prepare(
            actor=personas[role], community=community_a, period_from=JULY, period_to=JULY
        )
    assert not FeePublication.objects.exists()


def test_owners_see_their_communitys_published_versions_only(
    personas, july, second, owner_account, house_b
):
    from propdesk.accounts.models import Role
    from propdesk.conftest import make_user
    from propdesk.core.errors import NotFound

    service.publication_submit(actor=personas["supervisor"], publication=july)
    assert list(selectors.publications_for_owner(owner_account)) == []  # not yet published
    service.publication_review(actor=second, publication=july, approve=True)
    assert list(selectors.publications_for_owner(owner_account)) == [july]
    stranger = make_user("stranger", Role.OWNER)
    assert list(selectors.publications_for_owner(stranger)) == []
    with pytest.raises(NotFound):
        selectors.publication_for_owner(stranger, july.id)

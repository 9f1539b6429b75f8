"""Console pages of fees and collection: every page renders for the roles that use it, refuses
the others, and each form calls its service."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from propdesk.billing.models import (
    BillingRun,
    CashUp,
    FeeRate,
    LedgerAdjustment,
    Payment,
    UtilitySettlement,
    VacancyApplication,
)
from propdesk.core.models import OutboxMessage


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


PAGES = {
    "desk": lambda f: reverse("billing_desk") + "?q=3-2",
    "desk_house": lambda f: reverse("billing_desk_house", args=[f.house.id]),
    "payment_done": lambda f: reverse("billing_payment_done", args=[f.payment.id]),
    "bills": lambda f: reverse("billing_bills") + "?status=open&period=2026-07",
    "runs": lambda f: reverse("billing_runs"),
    "run_detail": lambda f: reverse("billing_run_detail", args=[f.run.id]),
    "arrears": lambda f: reverse("billing_arrears"),
    "cash": lambda f: reverse("billing_cash") + "?date=2026-07-10",
    "dashboard": lambda f: reverse("billing_dashboard"),
    "schedule": lambda f: reverse("billing_schedule"),
    "corrections": lambda f: reverse("billing_adjustments"),
    "vacancy": lambda f: reverse("billing_vacancy"),
    "correction_form": lambda f: (
        reverse("billing_adjustment_new", args=[f.house.id])
        + f"?payment={f.payment.id}&kind=reverse_payment"
    ),
    "vacancy_form": lambda f: reverse("billing_vacancy_new", args=[f.vacant_too.id]),
}
# Pages each role may open (others get 403; another community's records 404).
AGENT_PAGES = {
    "desk",
    "desk_house",
    "payment_done",
    "bills",
    "runs",
    "run_detail",
    "schedule",
    "vacancy",
    "vacancy_form",
}


@pytest.fixture
def world(fees):
    fees.run = BillingRun.objects.filter(community=fees.community).latest("id")
    return fees


@pytest.mark.parametrize("page_name", list(PAGES))
@pytest.mark.parametrize("role", ["supervisor", "cashier", "admin"])
def test_every_page_renders_for_finance_staff(personas, world, page_name, role):
    response = client_for(personas[role]).get(PAGES[page_name](world))
    assert response.status_code == 200, (page_name, role, response.content[:500])
    if not page_name.endswith("_form"):
        assert b"billing-nav" in response.content


@pytest.mark.parametrize("page_name", list(PAGES))
def test_the_front_desk_sees_the_desk_and_bills_but_not_the_finance_reports(
    personas, world, page_name
):
    response = client_for(personas["agent"]).get(PAGES[page_name](world))
    assert response.status_code == (200 if page_name in AGENT_PAGES else 403), page_name


@pytest.mark.parametrize("page_name", list(PAGES))
@pytest.mark.parametrize("role", ["guard", "technician", "owner"])
def test_roles_without_fees_are_refused(personas, world, page_name, role):
    assert client_for(personas[role]).get(PAGES[page_name](world)).status_code == 403


@pytest.mark.parametrize(
    "page_name", ["desk_house", "payment_done", "run_detail", "correction_form"]
)
def test_another_communitys_records_are_not_found(personas, world, page_name):
    response = client_for(personas["other_agent"]).get(PAGES[page_name](world))
    assert response.status_code in (403, 404)


def test_anonymous_visitors_are_sent_to_log_in(world):
    response = client_for(None).get(PAGES["desk"](world))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_nav_shows_fees_to_those_who_see_them(personas, world):
    home = reverse("registry_search")
    assert b'href="/billing/"' in client_for(personas["cashier"]).get(home).content
    assert b'href="/billing/"' not in client_for(personas["guard"]).get(home).content


def test_the_desk_search_finds_houses_and_links_their_fees(personas, world):
    response = client_for(personas["cashier"]).get(
        reverse("billing_desk"), {"q": "zs"}, HTTP_HX_REQUEST="true"
    )
    assert b"<html" not in response.content  # the htmx partial only
    assert reverse("billing_desk_house", args=[world.house.id]).encode() in response.content


def test_the_desk_shows_what_the_house_owes(personas, world):
    content = client_for(personas["cashier"]).get(PAGES["desk_house"](world)).content.decode()
    assert "270.05" in content  # July 170.05 and the June water share 100.00
    assert content.count('data-testid="bill-row"') == 2
    assert "payment-form" in content


def test_an_agent_sees_the_dues_but_no_payment_form(personas, world):
    content = client_for(personas["agent"]).get(PAGES["desk_house"](world)).content.decode()
    assert "270.05" in content and 'data-testid="pay-button"' not in content


def _key(content: bytes) -> str:
    return re.search(rb'name="idempotency_key" value="([^"]+)"', content).group(1).decode()


def test_taking_a_payment_at_the_desk(personas, world):
    client = client_for(personas["cashier"])
    page = client.get(PAGES["desk_house"](world))
    key = _key(page.content)
    response = client.post(
        reverse("billing_payment_take", args=[world.house.id]),
        {"amount": "170.05", "method": "wechat", "bills": [world.july.id], "idempotency_key": key},
    )
    payment = Payment.objects.get(idempotency_key=key)
    assert response.status_code == 302
    assert response["Location"] == reverse("billing_payment_done", args=[payment.id])
    done = client.get(response["Location"]).content.decode()
    assert payment.receipt.display_number in done
    # a double click sends the same form again: still one payment
    again = client.post(
        reverse("billing_payment_take", args=[world.house.id]),
        {"amount": "170.05", "method": "wechat", "bills": [world.july.id], "idempotency_key": key},
    )
    assert again.status_code == 302
    assert Payment.objects.filter(idempotency_key=key).count() == 1


@pytest.mark.parametrize(
    ("amount", "field"), [("-1", "amount"), ("0", "amount"), ("1.234", "amount"), ("x", "amount")]
)
def test_bad_amounts_at_the_desk_are_shown_on_the_field(personas, world, amount, field):
    before = Payment.objects.count()
    response = client_for(personas["cashier"]).post(
        reverse("billing_payment_take", args=[world.house.id]),
        {"amount": amount, "method": "cash", "idempotency_key": "page-key-000001"},
    )
    assert response.status_code == 400
    assert f'data-field-error="{field}"'.encode() in response.content
    assert Payment.objects.count() == before


def test_a_meter_top_up_at_the_desk(personas, world):
    client = client_for(personas["cashier"])
    response = client.post(
        reverse("billing_top_up", args=[world.house.id]),
        {
            "topup-utility": "electricity",
            "topup-meter_number": "E100",
            "topup-amount": "50",
            "topup-method": "cash",
            "topup-idempotency_key": "page-topup-000001",
        },
    )
    assert response.status_code == 302
    assert Payment.objects.filter(idempotency_key="page-topup-000001").exists()


def test_the_receipt_and_statement_download(personas, world):
    client = client_for(personas["cashier"])
    pdf = client.get(reverse("billing_receipt_pdf", args=[world.receipt.id]))
    assert pdf["Content-Type"] == "application/pdf"
    xlsx = client.get(reverse("billing_statement", args=[world.house.id, "xlsx"]))
    assert xlsx.content.startswith(b"PK")
    statement = client.get(reverse("billing_statement", args=[world.house.id, "pdf"]))
    assert statement.content.startswith(b"%PDF")


def test_a_run_is_previewed_then_committed_and_its_progress_polled(
    personas, world, django_capture_on_commit_callbacks
):
    client = client_for(personas["supervisor"])
    form = {"period": "2026-08", "community": world.community.id}
    preview = client.post(reverse("billing_run_preview"), form, HTTP_HX_REQUEST="true")
    assert preview.status_code == 200
    assert b'data-testid="preview-bills">3<' in preview.content
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("billing_run_start"), form)
    run = BillingRun.objects.latest("id")
    assert started["Location"] == reverse("billing_run_detail", args=[run.id])
    progress = client.get(started["Location"], HTTP_HX_REQUEST="true")
    assert b'data-status="done"' in progress.content and b"<html" not in progress.content
    assert run.period == datetime.date(2026, 8, 1)


def test_reminders_are_sent_from_the_arrears_page(personas, world):
    client = client_for(personas["cashier"])
    response = client.post(
        reverse("billing_reminders_send"),
        {"community": world.community.id, "template": world.template.id},
    )
    assert response.status_code == 302
    assert OutboxMessage.objects.filter(event="billing.arrears_reminder").count() == 1


def test_the_cash_page_lists_the_day_and_closes_the_cash_up(personas, world):
    client = client_for(personas["cashier"])
    content = client.get(PAGES["cash"](world)).content.decode()
    assert 'data-testid="cash-total">¥170.05<' in content
    client.post(reverse("billing_cash_up_close"), {"community": world.community.id})
    assert CashUp.objects.get().total_fen == 17005
    export = client.get(reverse("billing_cash_xlsx") + f"?community={world.community.id}")
    assert export.content.startswith(b"PK")


def test_the_schedule_page_adds_a_rate_saves_rules_and_settles_utilities(personas, world):
    client = client_for(personas["supervisor"])
    client.post(
        reverse("billing_rate_add", args=[world.fee_item.id]),
        {"rate": "2.10", "effective_from": "2026-08-01"},
    )
    assert FeeRate.objects.filter(fee_item=world.fee_item, rate_fen=210).exists()
    client.post(
        reverse("billing_policy_update", args=[world.community.id]),
        {
            "due_day": 8,
            "vacancy_threshold_months": 6,
            "vacancy_percent": 70,
            "reminder_interval_days": 30,
            "quiet_hours_start": "21:00",
            "quiet_hours_end": "08:00",
            "pro_rate_by_days": "on",
            "vacancy_requires_application": "on",
        },
    )
    world.community.billing_policy.refresh_from_db()
    assert world.community.billing_policy.due_day == 8
    client.post(
        reverse("billing_settlement_create", args=[world.community.id]),
        {"utility": "electricity", "period": "2026-06", "cost": "90.00"},
    )
    assert UtilitySettlement.objects.filter(utility="electricity").exists()


def test_a_correction_is_asked_for_and_approved_from_the_pages(personas, world):
    cashier = client_for(personas["cashier"])
    asked = cashier.post(
        PAGES["correction_form"](world),
        {"kind": "reverse_payment", "payment": world.payment.id, "reason": "收错户"},
    )
    assert asked.status_code == 302
    adjustment = LedgerAdjustment.objects.get(kind="reverse_payment")
    queue = client_for(personas["supervisor"]).get(reverse("billing_adjustments")).content
    assert b'data-testid="approve"' in queue
    client_for(personas["supervisor"]).post(
        reverse("billing_adjustment_decide", args=[adjustment.id, "approve"])
    )
    adjustment.refresh_from_db()
    assert adjustment.status == "approved"
    world.receipt.refresh_from_db()
    assert world.receipt.voided_at is not None


def test_a_vacancy_application_is_recorded_and_approved(personas, world):
    client_for(personas["agent"]).post(PAGES["vacancy_form"](world), {"note": "出国"})
    application = VacancyApplication.objects.get(house=world.vacant_too)
    client_for(personas["supervisor"]).post(
        reverse("billing_vacancy_decide", args=[application.id, "approve"])
    )
    application.refresh_from_db()
    assert (application.status, application.discount_from) == (
        "approved",
        datetime.date(2026, 8, 1),
    )


def test_the_dashboard_carries_its_chart_data(personas, world):
    content = client_for(personas["supervisor"]).get(PAGES["dashboard"](world)).content.decode()
    assert 'id="dashboard-data"' in content and "echarts.min.js" in content
    assert '"2026-07"' in content


def test_the_desk_page_makes_a_fixed_number_of_queries(
    personas, world, django_assert_max_num_queries
):
    client = client_for(personas["cashier"])
    client.get(PAGES["desk_house"](world))
    with django_assert_max_num_queries(30):
        client.get(PAGES["desk_house"](world))


@pytest.mark.parametrize(
    ("who", "status"),
    [("supervisor", 302), ("cashier", 302), ("admin", 302), ("agent", 403), ("technician", 403)],
)
def test_asking_for_fresh_dashboard_figures(personas, world, who, status):
    from propdesk.billing.models import CommunityFigures

    response = client_for(personas[who]).post(reverse("billing_dashboard_refresh"))
    assert response.status_code == status
    assert CommunityFigures.objects.exists() == (status == 302)  # the worker ran (immediate)


def test_the_dashboard_says_when_its_figures_were_computed(personas, world):
    content = client_for(personas["supervisor"]).get(PAGES["dashboard"](world)).content.decode()
    assert 'data-testid="figures-computed-at"' in content and "2026-07" in content
    other = personas["supervisor"].communities.first()
    refused = client_for(personas["other_agent"]).post(
        reverse("billing_dashboard_refresh"), {"community": other.id}
    )
    assert refused.status_code in (403, 404)
    bad = client_for(personas["supervisor"]).post(
        reverse("billing_dashboard_refresh"), {"community": "<script>"}
    )
    assert bad.status_code == 302


def test_closing_the_cash_up_asks_first(personas, world):
    """Closing a cash-up cannot be undone: the form asks before it is sent."""
    content = client_for(personas["cashier"]).get(PAGES["cash"](world)).content.decode()
    start = content.index('data-testid="cash-up-close"')
    form = content[content.rindex("<form", 0, start) : content.index(">", start)]
    assert 'data-confirm="现在完成日结？' in form


def test_the_bill_list_writes_what_is_left_to_pay_as_money(personas, world):
    """The amount column read ¥293.97 and the column beside it 293.97: one money format."""
    content = client_for(personas["supervisor"]).get(PAGES["bills"](world)).content.decode()
    table = content[content.index('data-testid="bill-table"') :]
    cells = re.findall(r'<td class="text-end">([^<]*)<', table[: table.index("</table>")])
    assert cells, "open bills are listed"
    assert all(re.fullmatch(r"¥\d{1,3}(,\d{3})*\.\d{2}", cell) for cell in cells), cells

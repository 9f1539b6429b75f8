"""Receipt PDFs (Chinese, capital figures, reprint, void) and the daily cash-up (日结)."""

import datetime
import io
import subprocess

import openpyxl
import pytest

from propdesk.billing.models import CashUp, Payment
from propdesk.billing.selectors.reports import daily_cash
from propdesk.billing.services.adjustments import adjustment_approve, adjustment_request
from propdesk.billing.services.cashup import cash_report_xlsx, cash_up_close
from propdesk.billing.services.receipts import receipt_lines, receipt_print
from propdesk.billing.tests.conftest import bill_for, pay, run_billing
from propdesk.core.errors import Conflict, PermissionDenied

JULY = datetime.date(2026, 7, 1)
TODAY = datetime.date(2026, 7, 10)


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return done.stdout.decode()


@pytest.fixture
def july_bill(supervisor, house_a, schedule_a, zhang_san):
    run_billing(supervisor, JULY, community=schedule_a)
    return bill_for(house_a, JULY)


def test_the_receipt_pdf_is_chinese_with_the_amount_in_capital_figures(cashier, house_a, july_bill):
    paid = pay(cashier, house_a, "170.05", method="wechat", payer_name="张三")
    text = pdf_text(receipt_print(actor=cashier, receipt=paid.receipt))
    assert "壹佰柒拾元零伍分" in text
    assert "甲小区" in text
    assert "张三" in text
    assert "3-2-1502" in text
    assert paid.receipt.display_number in text
    assert "170.05" in text


def test_a_cash_receipt_names_the_payer_the_company_with_its_seal_and_who_issued_it(
    cashier, house_a, july_bill
):
    paid = pay(cashier, house_a, "170.05")  # nobody named: the owner on the day paid
    text = pdf_text(receipt_print(actor=cashier, receipt=paid.receipt))
    assert "缴款人 张三" in text
    assert "收款方式 现金" in text
    assert "收款单位（盖章） 测试物业" in text
    assert f"收款人 {cashier.display_name}" in text
    assert f"开票人 {cashier.display_name}" in text
    assert "缴款人签字" in text
    assert "合计（大写） 人民币壹佰柒拾元零伍分" in text
    assert "Total in words" not in text


def test_the_receipt_lists_what_was_paid_and_what_went_to_the_prepaid_balance(
    cashier, house_a, july_bill
):
    paid = pay(cashier, house_a, "200.00")
    lines = receipt_lines(paid.receipt)
    assert [fen for _text, fen in lines] == [17005, 2995]
    assert "2026-07" in lines[0][0]


def test_a_second_print_is_marked_as_a_reprint(cashier, house_a, july_bill):
    paid = pay(cashier, house_a, "170.05")
    first = pdf_text(receipt_print(actor=cashier, receipt=paid.receipt))
    second = pdf_text(receipt_print(actor=cashier, receipt=paid.receipt))
    paid.receipt.refresh_from_db()
    assert paid.receipt.print_count == 2
    assert "Reprint" not in first and "补打" not in first
    assert "Reprint" in second or "补打" in second


def test_a_reversed_payments_receipt_prints_as_void(cashier, supervisor, house_a, july_bill):
    paid = pay(cashier, house_a, "170.05")
    adjustment = adjustment_request(
        actor=cashier, house=house_a, kind="reverse_payment", payment=paid.payment, reason="错收"
    )
    adjustment_approve(actor=supervisor, adjustment=adjustment)
    paid.receipt.refresh_from_db()
    text = pdf_text(receipt_print(actor=cashier, receipt=paid.receipt))
    assert "VOID" in text or "作废" in text


def test_the_daily_cash_report_sums_per_cashier_and_method(cashier, supervisor, house_a, july_bill):
    pay(cashier, house_a, "100.00", method="wechat")
    pay(cashier, house_a, "50.00", method="wechat")
    pay(cashier, house_a, "20.05", method="cash")
    pay(supervisor, house_a, "10.00", method="alipay")
    report = daily_cash([house_a.community_id], TODAY)
    rows = {(r.cashier, r.method): (r.count, r.fen) for r in report.rows}
    assert rows == {
        ("cashier", "wechat"): (2, 15000),
        ("cashier", "cash"): (1, 2005),
        ("supervisor", "alipay"): (1, 1000),
    }
    assert report.total_fen == 18005
    assert daily_cash([house_a.community_id], TODAY + datetime.timedelta(days=1)).total_fen == 0
    only_cashier = daily_cash([house_a.community_id], TODAY, cashier_id=cashier.id)
    assert only_cashier.total_fen == 17005


def test_reversed_payments_are_listed_but_not_counted(cashier, supervisor, house_a, july_bill):
    paid = pay(cashier, house_a, "170.05", method="cash")
    pay(cashier, house_a, "5.00", method="cash")
    adjustment_approve(
        actor=supervisor,
        adjustment=adjustment_request(
            actor=cashier,
            house=house_a,
            kind="reverse_payment",
            payment=paid.payment,
            reason="重复收款",
        ),
    )
    report = daily_cash([house_a.community_id], TODAY)
    assert (report.total_fen, report.reversed_fen) == (500, 17005)
    assert [p.is_reversed for p in report.payments] == [True, False]


def test_the_cash_report_exports_to_excel(cashier, house_a, july_bill):
    pay(cashier, house_a, "170.05", method="wechat", reference="=cmd|'/c calc'!A1")
    book = openpyxl.load_workbook(
        io.BytesIO(cash_report_xlsx(daily_cash([house_a.community_id], TODAY)))
    )
    summary, payments = book.worksheets
    assert [c.value for c in summary[2]][0] == "cashier"
    assert [c.value for c in summary[2]][2:] == [1, 170.05]
    row = [c.value for c in payments[2]]
    assert row[2] == "3-2-1502"
    assert row[6] == "=cmd|'/c calc'!A1"
    assert payments.cell(row=2, column=7).data_type == "s"  # text, never a formula


def test_closing_the_cash_up_stamps_the_open_payments(cashier, house_a, july_bill):
    pay(cashier, house_a, "100.00", method="wechat")
    pay(cashier, house_a, "70.05", method="cash")
    cash_up = cash_up_close(actor=cashier, community=house_a.community)
    assert (cash_up.payment_count, cash_up.total_fen) == (2, 17005)
    assert cash_up.totals == {
        "wechat": {"count": 1, "fen": 10000},
        "cash": {"count": 1, "fen": 7005},
    }
    assert set(Payment.objects.values_list("cash_up_id", flat=True)) == {cash_up.id}
    with pytest.raises(Conflict):
        cash_up_close(actor=cashier, community=house_a.community)
    pay(cashier, house_a, "1.00")
    later = cash_up_close(actor=cashier, community=house_a.community)
    assert (later.payment_count, later.total_fen) == (1, 100)


def test_only_a_supervisor_closes_another_cashiers_takings(
    cashier, supervisor, personas, house_a, july_bill
):
    from propdesk.accounts.models import Role
    from propdesk.conftest import make_user

    pay(cashier, house_a, "10.00")
    colleague = make_user("cashier3", Role.CASHIER, house_a.community)
    with pytest.raises(PermissionDenied):
        cash_up_close(actor=colleague, community=house_a.community, cashier=cashier)
    cash_up = cash_up_close(actor=supervisor, community=house_a.community, cashier=cashier)
    assert (cash_up.cashier, cash_up.closed_by) == (cashier, supervisor)
    assert CashUp.objects.count() == 1

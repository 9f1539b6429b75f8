"""Documents of the fees app: receipt and owner-statement PDFs, cash-up and statement workbooks.

PDFs are written in the embedded Chinese font of core.pdf, in
the site's language (Chinese by default) whatever the reader's page language: a receipt is a
document handed to an owner. Workbooks write every text as a string cell (never a formula).
"""

import datetime
import io
from decimal import Decimal

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, A5, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from propdesk.core.money import amount_in_words, format_yuan, from_fen
from propdesk.core.pdf import cjk_font

# Item lines a receipt prints before "… and n more lines", so the seal and signatures fit.
RECEIPT_LINES = 7


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def receipt_pdf(receipt, *, lines: list[tuple[str, int]], parties, reprint: bool) -> bytes:
    """A5 landscape receipt (收据): number, house, payer, items, total in figures and capital
    figures, how it was paid, the collecting company with its seal, the cashier and the issuer.

    `lines` are (description, fen) pairs: what the payment paid, and any prepaid remainder;
    `parties` who the receipt names (services.receipts.receipt_parties).
    """
    payment = receipt.payment
    with translation.override(settings.LANGUAGE_CODE):
        buffer = io.BytesIO()
        width, height = landscape(A5)
        pdf = canvas.Canvas(buffer, pagesize=(width, height))
        font = cjk_font()
        pdf.setTitle(f"{_('Receipt')} {receipt.display_number}")
        pdf.setFont(font, 18)
        pdf.drawCentredString(
            width / 2, height - 18 * mm, f"{receipt.community.name} {_('Receipt')}"
        )
        pdf.setFont(font, 10)
        pdf.drawString(15 * mm, height - 28 * mm, f"{_('No.')} {receipt.display_number}")
        pdf.drawRightString(
            width - 15 * mm, height - 28 * mm, f"{_('Date')} {_local(payment.received_at)}"
        )
        pdf.drawString(
            15 * mm,
            height - 35 * mm,
            (
                f"{_('House')} {payment.house.code}    {_('Payer')} {parties.payer}"
                if payment.house_id
                else f"{payment.get_source_display()}    {_('Payer')} {parties.payer}"
            ),
        )
        y = height - 45 * mm
        pdf.setFont(font, 10)
        pdf.drawString(15 * mm, y, _("Item"))
        pdf.drawRightString(width - 15 * mm, y, _("Amount (CNY)"))
        pdf.line(15 * mm, y - 2 * mm, width - 15 * mm, y - 2 * mm)
        for description, fen in lines[:RECEIPT_LINES]:
            y -= 6 * mm
            pdf.drawString(15 * mm, y, description[:60])
            pdf.drawRightString(width - 15 * mm, y, f"{from_fen(fen):,.2f}")
        if len(lines) > RECEIPT_LINES:
            y -= 6 * mm
            more = len(lines) - RECEIPT_LINES
            pdf.drawString(15 * mm, y, _("… and %(n)s more lines") % {"n": more})
        y -= 4 * mm
        pdf.line(15 * mm, y, width - 15 * mm, y)
        y -= 8 * mm
        pdf.setFont(font, 11)
        pdf.drawString(
            15 * mm,
            y,
            f"{_('Total in words')} 人民币{amount_in_words(payment.amount)}",
        )
        pdf.drawRightString(width - 15 * mm, y, format_yuan(payment.amount))
        y -= 8 * mm
        pdf.setFont(font, 10)
        pdf.drawString(
            15 * mm,
            y,
            f"{_('Method')} {parties.channel}"
            + (f"    {_('Reference')} {payment.reference}" if payment.reference else ""),
        )
        y -= 10 * mm
        pdf.drawString(15 * mm, y, f"{_('Collected by (seal)')} {parties.collector}")
        if parties.cashier:
            pdf.drawString(width / 2, y, f"{_('Received by')} {parties.cashier}")
        pdf.drawRightString(width - 15 * mm, y, f"{_('Issued by')} {parties.issuer}")
        if not parties.online:
            y -= 8 * mm
            pdf.drawString(15 * mm, y, f"{_('Payer signature')} ____________________")
        if reprint:
            pdf.setFont(font, 10)
            pdf.setFillColor(colors.darkblue)
            pdf.drawString(15 * mm, 12 * mm, _("Reprint"))
        if receipt.voided_at:
            pdf.saveState()
            pdf.setFillColor(colors.red)
            pdf.setFont(font, 48)
            pdf.drawCentredString(width / 2, height / 2 - 10 * mm, _("VOID"))
            pdf.restoreState()
        pdf.showPage()
        pdf.save()
        return buffer.getvalue()


def statement_pdf(house, *, opening_fen: int, lines, closing_fen: int, date_from, date_to) -> bytes:
    """The owner statement (账单明细) of a house for a date range, with a running balance."""
    with translation.override(settings.LANGUAGE_CODE):
        buffer = io.BytesIO()
        width, height = A4
        pdf = canvas.Canvas(buffer, pagesize=A4)
        font = cjk_font()
        pdf.setTitle(f"{_('Statement')} {house.code}")

        def header():
            pdf.setFont(font, 16)
            pdf.drawCentredString(
                width / 2, height - 18 * mm, f"{house.community.name} {_('Statement')}"
            )
            pdf.setFont(font, 10)
            pdf.drawString(
                15 * mm,
                height - 27 * mm,
                f"{_('House')} {house.code}    {_('From')} {date_from or '—'} "
                f"{_('to')} {date_to or '—'}",
            )
            pdf.drawString(15 * mm, height - 34 * mm, _("Date"))
            pdf.drawString(45 * mm, height - 34 * mm, _("Entry"))
            pdf.drawString(75 * mm, height - 34 * mm, _("Description"))
            pdf.drawRightString(165 * mm, height - 34 * mm, _("Amount"))
            pdf.drawRightString(195 * mm, height - 34 * mm, _("Balance"))
            return height - 42 * mm

        y = header()
        pdf.drawString(15 * mm, y, _("Opening balance"))
        pdf.drawRightString(195 * mm, y, f"{from_fen(opening_fen):,.2f}")
        for line in lines:
            y -= 6 * mm
            if y < 20 * mm:
                pdf.showPage()
                y = header()
            pdf.setFont(font, 9)
            pdf.drawString(15 * mm, y, timezone.localtime(line.at).strftime("%Y-%m-%d"))
            pdf.drawString(45 * mm, y, line.kind_label[:14])
            pdf.drawString(75 * mm, y, line.description[:34])
            pdf.drawRightString(165 * mm, y, f"{line.amount:,.2f}")
            pdf.drawRightString(195 * mm, y, f"{line.balance:,.2f}")
        y -= 9 * mm
        pdf.setFont(font, 10)
        label = _("Closing balance (owed)") if closing_fen > 0 else _("Closing balance")
        pdf.drawString(15 * mm, y, label)
        pdf.drawRightString(195 * mm, y, f"{from_fen(closing_fen):,.2f}")
        pdf.showPage()
        pdf.save()
        return buffer.getvalue()


def _text(value):
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def workbook(sheets: list[tuple[str, list[str], list[list]]]) -> bytes:
    """A workbook of (title, header, rows) sheets; text stays text, amounts are numbers."""
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title=title[:31])
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = bold
        for row in rows:
            sheet.append([_text(v) for v in row])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
                elif isinstance(cell.value, Decimal):
                    cell.number_format = "#,##0.00"
        for column in sheet.columns:
            sheet.column_dimensions[column[0].column_letter].width = 16
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

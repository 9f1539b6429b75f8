"""The owner statement (账单明细) of a house over a date range, as PDF and Excel (DOMAIN.md §3:
a detailed fee statement on request)."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.billing import documents
from propdesk.billing.selectors.accounts import house_ledger
from propdesk.core.money import from_fen
from propdesk.estates.models import House


def statement_pdf_for(
    house: House, date_from: datetime.date | None, date_to: datetime.date | None
) -> bytes:
    opening, lines, closing = house_ledger(house, date_from=date_from, date_to=date_to)
    return documents.statement_pdf(
        house,
        opening_fen=opening,
        lines=lines,
        closing_fen=closing,
        date_from=date_from,
        date_to=date_to,
    )


def statement_xlsx(
    house: House, date_from: datetime.date | None, date_to: datetime.date | None
) -> bytes:
    opening, lines, closing = house_ledger(house, date_from=date_from, date_to=date_to)
    rows = [["", str(_("Opening balance")), "", None, from_fen(opening)]]
    rows += [
        [
            timezone.localtime(line.at).strftime("%Y-%m-%d %H:%M"),
            line.kind_label,
            line.description,
            line.amount,
            line.balance,
        ]
        for line in lines
    ]
    rows.append(["", str(_("Closing balance")), "", None, from_fen(closing)])
    return documents.workbook(
        [
            (
                f"{house.code}",
                [
                    str(_("Date")),
                    str(_("Entry")),
                    str(_("Description")),
                    str(_("Amount")),
                    str(_("Balance")),
                ],
                rows,
            )
        ]
    )

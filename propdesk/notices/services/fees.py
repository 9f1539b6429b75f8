"""Fee messages to owners with a portal account: bill issued and payment received (DOMAIN.md §3).

They go to the house's current owners who have an account (inbox, plus SMS and email as their
preferences allow); owners without one get their bill and receipt at the desk, and arrears
reminders through billing's own reminder run. Called by the billing services after the change
(after a run, by billing.services.bills.run_bills_notify).
"""

from django.utils import formats, timezone

from propdesk.core.money import from_fen
from propdesk.estates.models import House, Ownership
from propdesk.notices.services.delivery import Person, people_notify


def account_owners(house_id: int) -> list[Person]:
    return [
        Person(name=o.owner.name, mobile=o.owner.mobile, user=o.owner.user)
        for o in Ownership.objects.filter(
            house_id=house_id,
            end_on__isnull=True,
            owner__user__isnull=False,
            owner__user__is_active=True,
        ).select_related("owner__user")
    ]


def payment_received_notify(*, payment, receipt) -> int:
    """Tell the house's account owners their payment arrived, with the receipt number."""
    people = account_owners(payment.house_id)
    if not people:
        return 0
    house = payment.house
    return people_notify(
        people=people,
        event="payment.received",
        outbox_event="billing.payment_received",
        context={
            "community": house.community.name,
            "house": house.code,
            "amount": f"{payment.amount:.2f}",
            "method": payment.get_method_display(),
            "receipt": receipt.display_number,
            "paid_at": formats.date_format(timezone.localtime(payment.received_at), "Y-m-d H:i"),
        },
        community=house.community,
        dedupe_base=f"billing:payment:{payment.id}",
    )


def bills_issued_notify(*, house: House, bills, dedupe_base: str) -> int:
    """Tell the house's account owners about new bills (one message for all of them)."""
    people = account_owners(house.id)
    bills = list(bills)
    if not people or not bills:
        return 0
    total = sum(b.amount_fen for b in bills)
    fees = []
    for bill in bills:
        name = bill.fee_item.get_code_display()
        if name not in fees:
            fees.append(name)
    return people_notify(
        people=people,
        event="bill.issued",
        outbox_event="billing.bill_issued",
        context={
            "community": house.community.name,
            "house": house.code,
            "period": f"{min(b.period for b in bills):%Y-%m}",
            "fee": "、".join(fees),
            "amount": f"{from_fen(total):.2f}",
            "due_on": f"{min(b.due_on for b in bills):%Y-%m-%d}",
        },
        community=house.community,
        dedupe_base=dedupe_base,
    )

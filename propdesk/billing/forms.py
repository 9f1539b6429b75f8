"""Forms of the fees console pages: they parse types; the services decide what is allowed."""

import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from propdesk.billing.models import LedgerAdjustment, PaymentMethod, ReminderTemplate, Utility
from propdesk.core.cleaning import clean_date
from propdesk.core.errors import AppError
from propdesk.core.forms import ConsoleForm

MONEY = {"max_digits": 14, "decimal_places": 2}


def _period_choices(months_back: int = 12, months_ahead: int = 1):
    from propdesk.billing.rules import add_months, month_start

    this_month = month_start(timezone.localdate())
    periods = [add_months(this_month, i) for i in range(months_ahead, -months_back - 1, -1)]
    return [(f"{p:%Y-%m}", f"{p:%Y-%m}") for p in periods]


class PaymentForm(ConsoleForm):
    amount = forms.DecimalField(label=_("Amount (CNY)"), min_value=Decimal("0.01"), **MONEY)
    method = forms.ChoiceField(label=_("Payment method"), choices=PaymentMethod.choices)
    bills = forms.TypedMultipleChoiceField(
        label=_("Bills to pay"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: the oldest bills are paid first."),
    )
    payer_name = forms.CharField(label=_("Payer"), max_length=60, required=False)
    reference = forms.CharField(label=_("Transaction reference"), max_length=60, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=80)

    def __init__(self, *args, bill_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bills"].choices = bill_choices
        self.fields["bills"].widget.attrs["class"] = ""


class TopUpForm(ConsoleForm):
    utility = forms.ChoiceField(label=_("Meter"), choices=Utility.choices)
    meter_number = forms.CharField(label=_("Meter number"), max_length=40)
    amount = forms.DecimalField(label=_("Amount (CNY)"), min_value=Decimal("0.01"), **MONEY)
    method = forms.ChoiceField(label=_("Payment method"), choices=PaymentMethod.choices)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=80)


class RunForm(ConsoleForm):
    period = forms.ChoiceField(label=_("Month"))
    community = forms.TypedChoiceField(label=_("Community"), coerce=int, required=False)
    building = forms.TypedChoiceField(
        label=_("Building (optional)"), coerce=int, required=False, empty_value=None
    )
    company = forms.BooleanField(label=_("Every community of the company"), required=False)

    def __init__(self, *args, communities=(), buildings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = _period_choices()
        self.fields["community"].choices = [("", "—"), *[(c.id, c.name) for c in communities]]
        self.fields["building"].choices = [
            ("", "—"),
            *[(b.id, f"{b.community.name} {b}") for b in buildings],
        ]


class AdjustmentForm(ConsoleForm):
    kind = forms.ChoiceField(label=_("Correction"), choices=LedgerAdjustment.Kind.choices)
    payment = forms.IntegerField(widget=forms.HiddenInput, required=False)
    bill = forms.IntegerField(widget=forms.HiddenInput, required=False)
    amount = forms.DecimalField(
        label=_("Amount (CNY)"), required=False, min_value=Decimal("0.01"), **MONEY
    )
    method = forms.ChoiceField(
        label=_("Refund method"), choices=[("", "—"), *PaymentMethod.choices], required=False
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea({"rows": 2}))


class DecisionForm(ConsoleForm):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class VacancyForm(ConsoleForm):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class RateForm(ConsoleForm):
    rate = forms.DecimalField(label=_("Rate (CNY)"), min_value=0, max_digits=10, decimal_places=2)
    effective_from = forms.DateField(label=_("Effective from"))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class PolicyForm(ConsoleForm):
    due_day = forms.IntegerField(label=_("Due day of the month"), min_value=1, max_value=28)
    pro_rate_by_days = forms.BooleanField(label=_("Pro-rate by days"), required=False)
    vacancy_threshold_months = forms.IntegerField(
        label=_("Vacancy threshold (full months)"), min_value=1, max_value=36
    )
    vacancy_percent = forms.IntegerField(
        label=_("Vacancy rate (percent of the fee)"), min_value=0, max_value=100
    )
    vacancy_requires_application = forms.BooleanField(
        label=_("Vacancy discount needs an approved application"), required=False
    )
    reminder_interval_days = forms.IntegerField(
        label=_("Days between reminders to one house"), min_value=1, max_value=365
    )
    quiet_hours_start = forms.TimeField(label=_("Do not disturb from"))
    quiet_hours_end = forms.TimeField(label=_("Do not disturb until"))


class ReminderForm(ConsoleForm):
    template = forms.ModelChoiceField(label=_("Template"), queryset=ReminderTemplate.objects.none())

    def __init__(self, *args, templates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if templates is not None:
            self.fields["template"].queryset = templates


class SettlementForm(ConsoleForm):
    utility = forms.ChoiceField(label=_("Utility"), choices=Utility.choices)
    period = forms.ChoiceField(label=_("Month"))
    cost = forms.DecimalField(
        label=_("Actual shared cost (CNY)"), min_value=Decimal("0.01"), **MONEY
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = _period_choices(months_ahead=0)


def parse_date(value: str | None) -> datetime.date:
    try:
        return clean_date("date", value, required=True)
    except AppError:  # none or a bad one in the address: today
        return timezone.localdate()

"""Console forms of the equipment register and its alert rules.

They parse types; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from propdesk.billing.models import PaymentMethod
from propdesk.core.forms import ConsoleForm
from propdesk.estates.models import Building
from propdesk.operations.models import EquipmentKind, EquipmentStatus, IntervalUnit, Metric
from propdesk.tickets.forms import PhotosField


class EquipmentForm(ConsoleForm):
    building = forms.ModelChoiceField(queryset=Building.objects.none(), label=_("Building"))
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        help_text=_("Letters, digits, - and _; devices report under this code, e.g. pump-2."),
    )
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=EquipmentKind.choices)
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    model_name = forms.CharField(label=_("Model"), max_length=100, required=False)
    installer = forms.CharField(label=_("Installer"), max_length=100, required=False)
    contractor = forms.CharField(label=_("Maintenance contractor"), max_length=100, required=False)
    warranty_end = forms.DateField(
        label=_("Warranty ends"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, buildings, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = buildings
        self.fields["building"].label_from_instance = lambda b: f"{b.community.name} · {b.name}"
        if editing:
            del self.fields["code"]


class StatusForm(ConsoleForm):
    status = forms.ChoiceField(label=_("Status"), choices=EquipmentStatus.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class LinkForm(ConsoleForm):
    number = forms.CharField(label=_("Request number"), max_length=40)


class RuleForm(ConsoleForm):
    kind = forms.ChoiceField(label=_("Equipment kind"), choices=EquipmentKind.choices)
    metric = forms.ChoiceField(label=_("Metric"), choices=Metric.choices)
    low = forms.FloatField(label=_("Lowest normal value"), required=False)
    high = forms.FloatField(label=_("Highest normal value"), required=False)
    emergency = forms.BooleanField(label=_("Emergency"), required=False)
    category = forms.ChoiceField(label=_("Request category"), choices=())
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = categories


# patrols ---------------------------------------------------------------------------------------


class PointForm(ConsoleForm):
    building = forms.ModelChoiceField(queryset=Building.objects.none(), label=_("Building"))
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        help_text=_("Letters, digits, - and _; printed under the QR code, e.g. gate-north."),
    )
    name = forms.CharField(label=_("Name"), max_length=100)
    place = forms.CharField(label=_("Where it is"), max_length=200, required=False)
    checklist = forms.CharField(
        label=_("Checklist"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One item a line, e.g. Lights work."),
    )

    def __init__(self, *args, buildings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = buildings
        self.fields["building"].label_from_instance = lambda b: f"{b.community.name} · {b.name}"


class RouteForm(ConsoleForm):
    community = forms.ModelChoiceField(queryset=None, label=_("Community"))
    name = forms.CharField(label=_("Name"), max_length=100)
    points = forms.CharField(
        label=_("Points in walking order"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One point code a line, the first walked first."),
    )

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities


class PlanForm(ConsoleForm):
    route = forms.ModelChoiceField(queryset=None, label=_("Route"))
    name = forms.CharField(label=_("Name"), max_length=100)
    every_days = forms.IntegerField(
        label=_("Every (days)"),
        min_value=1,
        max_value=366,
        initial=1,
        help_text=_("1 for a nightly patrol, 7 for a weekly round, 90 for a seasonal check."),
    )
    starts_on = forms.DateField(
        label=_("First day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    start_time = forms.TimeField(
        label=_("Starts at"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    window_minutes = forms.IntegerField(
        label=_("Time allowed (minutes)"), min_value=10, max_value=24 * 60, initial=120
    )
    department = forms.ModelChoiceField(queryset=None, label=_("Department"), required=False)
    assignee = forms.ModelChoiceField(queryset=None, label=_("Patroller"), required=False)

    def __init__(self, *args, routes, departments, patrollers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["route"].queryset = routes
        self.fields["route"].label_from_instance = lambda r: f"{r.community.name} · {r.name}"
        self.fields["department"].queryset = departments
        self.fields["assignee"].queryset = patrollers
        self.fields["assignee"].label_from_instance = lambda u: u.display_name


class CheckForm(ConsoleForm):
    """A point's checklist (each item ticked when all right), a finding and photos."""

    note = forms.CharField(
        label=_("What is wrong at the point"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when an item is not right: it becomes the request."),
    )
    finding = forms.BooleanField(label=_("Report a finding"), required=False)
    category = forms.ChoiceField(label=_("Kind of problem"), required=False)
    photos = PhotosField(label=_("Photos"), required=False)

    def __init__(self, *args, items: list[str], categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        checks = {}
        for n, item in enumerate(items):
            field = forms.BooleanField(label=item, required=False, initial=True)
            field.widget.attrs["class"] = "form-check-input"
            checks[f"item_{n}"] = field
        self.fields = {**checks, **self.fields}
        self.fields["category"].choices = categories

    def failed(self) -> list[int]:
        return [n for n in range(len(self.items)) if not self.cleaned_data.get(f"item_{n}")]


class SkipForm(ConsoleForm):
    code = forms.CharField(widget=forms.HiddenInput, max_length=120)
    reason = forms.CharField(label=_("Why it is skipped"), max_length=500)


# maintenance -----------------------------------------------------------------------------------


class MaintenancePlanForm(ConsoleForm):
    equipment = forms.ModelChoiceField(queryset=None, label=_("Equipment"))
    name = forms.CharField(label=_("Name"), max_length=100)
    every = forms.IntegerField(label=_("Every"), min_value=1, max_value=366, initial=1)
    unit = forms.ChoiceField(
        label=_("Interval unit"), choices=IntervalUnit.choices, initial="months"
    )
    first_due = forms.DateField(
        label=_("First due on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("A seasonal check: every 12 months from a day before the season."),
    )
    lead_days = forms.IntegerField(
        label=_("Opened ahead (days)"), min_value=0, max_value=90, initial=7
    )
    checklist = forms.CharField(
        label=_("Checklist"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One item a line."),
    )
    assignee = forms.ModelChoiceField(queryset=None, label=_("Engineer"), required=False)

    def __init__(self, *args, equipment, engineers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["equipment"].queryset = equipment
        self.fields["equipment"].label_from_instance = lambda e: f"{e.community.name} · {e.name}"
        self.fields["assignee"].queryset = engineers
        self.fields["assignee"].label_from_instance = lambda u: u.display_name


class CompleteForm(ConsoleForm):
    notes = forms.CharField(
        label=_("Notes on the work"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    parts = forms.CharField(label=_("Parts used"), max_length=300, required=False)
    cost = forms.CharField(label=_("Cost (yuan)"), max_length=20, required=False)
    photos = PhotosField(label=_("Photos"), required=False)

    def __init__(self, *args, items: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        fields = {}
        for n, item in enumerate(items):
            field = forms.BooleanField(label=item, required=False, initial=True)
            field.widget.attrs["class"] = "form-check-input"
            fields[f"item_{n}"] = field
        for metric, label in Metric.choices:
            fields[f"reading_{metric}"] = forms.CharField(
                label=label,
                max_length=20,
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )
        self.fields = {**fields, **self.fields}

    def failed(self) -> list[int]:
        return [n for n in range(len(self.items)) if not self.cleaned_data.get(f"item_{n}")]

    def readings(self) -> dict:
        return {
            metric: self.cleaned_data[f"reading_{metric}"].strip()
            for metric in Metric.values
            if self.cleaned_data.get(f"reading_{metric}", "").strip()
        }

    def reading_fields(self):
        return [self[f"reading_{metric}"] for metric in Metric.values]


# --- temporary parking ----------------------------------------------------------------------


class ParkingEnterForm(ConsoleForm):
    community = forms.ModelChoiceField(queryset=None, label=_("Community"))
    plate = forms.CharField(label=_("Plate"), max_length=20)
    entered_at = forms.CharField(
        label=_("Came in at"),
        required=False,
        max_length=32,
        help_text=_("Leave empty for now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        if len(communities) == 1:
            self.fields["community"].initial = communities[0].pk


class ParkingPayForm(ConsoleForm):
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices)
    payer_name = forms.CharField(label=_("Payer"), max_length=60, required=False)
    idempotency_key = forms.CharField(max_length=80, widget=forms.HiddenInput)


class ParkingRuleForm(ConsoleForm):
    """The community's temporary-parking rule, kept with its billing rules: the form reads the
    figures as typed; billing's policy service checks their ranges and the amounts."""

    temp_parking_free_minutes = forms.IntegerField(
        label=_("A short stay is up to (minutes)"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    temp_parking_short_fee = forms.CharField(
        label=_("A short stay pays (CNY)"),
        max_length=20,
        help_text=_("0 for free."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    temp_parking_block_hours = forms.IntegerField(
        label=_("One fee covers (hours)"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    temp_parking_cap = forms.CharField(
        label=_("The most one stay pays (CNY)"),
        max_length=20,
        help_text=_("0 for no cap."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


# --- fee transparency -----------------------------------------------------------------------


class PublicationForm(ConsoleForm):
    community = forms.ModelChoiceField(queryset=None, label=_("Community"))
    period_from = forms.CharField(label=_("First month"), max_length=10)
    period_to = forms.CharField(label=_("Last month"), max_length=10)
    title = forms.CharField(
        label=_("Title"), max_length=100, required=False, help_text=_("Leave empty for the usual.")
    )

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities


class SpendingForm(ConsoleForm):
    category = forms.CharField(label=_("Category"), max_length=60)
    amount = forms.CharField(label=_("Amount (yuan)"), max_length=20)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class SpendingImportForm(ConsoleForm):
    file = forms.FileField(label=_("Excel file (类别, 金额, 说明)"))
    dry_run = forms.BooleanField(label=_("Only check the file"), required=False, initial=True)


class ReviewForm(ConsoleForm):
    note = forms.CharField(
        label=_("Note"),
        max_length=300,
        required=False,
        help_text=_("Say what to change when you send it back."),
    )


class CorrectionForm(ConsoleForm):
    reason = forms.CharField(label=_("Reason for the correction"), max_length=300)

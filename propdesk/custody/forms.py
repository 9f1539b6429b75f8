"""Console forms of keys, passes and the document register: they parse types, services decide."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from propdesk.core.forms import ConsoleForm
from propdesk.custody.models import DocumentCategory, KeyKind, LoanPurpose


def community_field(communities) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=communities, label=_("Community"), empty_label=None, required=True
    )


class KeyForm(ConsoleForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=KeyKind.choices)
    house_code = forms.CharField(
        label=_("House code"),
        max_length=64,
        required=False,
        help_text=_("For a house key: building-unit-room, e.g. 3-2-1502."),
    )
    label = forms.CharField(label=_("Label"), max_length=40)
    location = forms.CharField(
        label=_("Location"), max_length=60, help_text=_("Cabinet and hook, e.g. A-12.")
    )
    copies = forms.IntegerField(label=_("Copies"), min_value=1, max_value=20, initial=1)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"community": community_field(communities), **self.fields}
        self.fields["community"].widget.attrs["class"] = "form-select"


class KeyEditForm(ConsoleForm):
    location = forms.CharField(label=_("Location"), max_length=60)
    copies = forms.IntegerField(label=_("Copies"), min_value=1, max_value=20)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ReasonForm(ConsoleForm):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class OptionalNoteForm(ConsoleForm):
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class LendForm(ConsoleForm):
    """The fields a loan needs depend on its purpose; the service checks each gate."""

    id_checked = forms.BooleanField(
        label=_("I checked the borrower's ID card against the register"), required=False
    )
    due_at = forms.DateTimeField(
        label=_("Due back"),
        required=False,
        help_text=_("Leave empty for the community's default."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, *args, purpose: str, choices: dict, **kwargs):
        super().__init__(*args, **kwargs)
        fields: dict = {}
        if purpose == LoanPurpose.OWNER:
            fields["owner"] = forms.ChoiceField(label=_("Owner"), choices=choices["owners"])
            fields["id_checked"] = self.fields["id_checked"]
        elif purpose == LoanPurpose.AGENT:
            fields["agent"] = forms.ChoiceField(
                label=_("Entrusted agent"), choices=[("", "—"), *choices["agents"]], required=False
            )
            fields["id_checked"] = self.fields["id_checked"]
            fields["authority_letter"] = forms.ChoiceField(
                label=_("Letter of authority"),
                choices=[("", "—"), *choices["letters"]],
                required=False,
                help_text=_("A power of attorney filed in this house's archive."),
            )
            fields["confirming_owner"] = forms.ChoiceField(
                label=_("Confirmed by owner"),
                choices=[("", "—"), *choices["owners"]],
                required=False,
            )
            fields["owner_confirmation"] = forms.CharField(
                label=_("How the owner confirmed"),
                max_length=200,
                required=False,
                help_text=_("E.g. phone call at 09:50 to the number on file."),
            )
        elif purpose == LoanPurpose.WARRANTY:
            fields["contractor"] = forms.ChoiceField(
                label=_("Warranty contractor"),
                choices=[("", "—"), *choices["contractors"]],
                required=False,
            )
            fields["borrower_name"] = forms.CharField(
                label=_("Borrower's name"), max_length=100, required=False
            )
            fields["borrower_id_number"] = forms.CharField(
                label=_("Borrower's ID number"), max_length=30, required=False
            )
            fields["id_checked"] = self.fields["id_checked"]
            fields["reason"] = forms.CharField(label=_("Repair"), max_length=200, required=False)
        else:
            fields["staff"] = forms.ChoiceField(label=_("Staff member"), choices=choices["staff"])
            fields["witness"] = forms.ChoiceField(
                label=_("Supervised by"), choices=[("", "—"), *choices["staff"]], required=False
            )
            fields["reason"] = forms.CharField(label=_("Reason"), max_length=200, required=False)
        fields["due_at"] = self.fields["due_at"]
        self.fields = fields
        for name, field in self.fields.items():
            if isinstance(field, forms.ChoiceField):
                field.widget.attrs["class"] = "form-select"
            elif isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs["class"] = "form-check-input"
            else:
                field.widget.attrs["class"] = "form-control"
            field.widget.attrs.setdefault("id", f"id_{name}")

    def clean_due_at(self):
        value = self.cleaned_data.get("due_at")
        if value is not None and timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value


class ContractorForm(ConsoleForm):
    company = forms.CharField(label=_("Contractor"), max_length=100)
    responsible_name = forms.CharField(label=_("Responsible person"), max_length=50)
    responsible_mobile = forms.CharField(label=_("Mobile"), max_length=20)
    responsible_id_number = forms.CharField(label=_("ID number"), max_length=30, required=False)

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"community": community_field(communities), **self.fields}
        self.fields["community"].widget.attrs["class"] = "form-select"


class PassForm(ConsoleForm):
    house = forms.IntegerField(widget=forms.HiddenInput)
    applicant = forms.ChoiceField(label=_("Applicant"))
    organisation = forms.CharField(label=_("Shop or company"), max_length=100, required=False)
    items = forms.CharField(
        label=_("Items"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One item per line, with the quantity."),
    )
    release_on = forms.DateField(label=_("Release date"))
    vehicle_plate = forms.CharField(label=_("Vehicle plate"), max_length=12, required=False)

    def __init__(self, *args, applicants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applicant"].choices = applicants


class DocumentForm(ConsoleForm):
    category = forms.ChoiceField(label=_("Category"), choices=DocumentCategory.choices)
    title = forms.CharField(label=_("Title"), max_length=120)
    counterparty = forms.CharField(label=_("From or to"), max_length=100, required=False)
    reference = forms.CharField(label=_("Their reference"), max_length=60, required=False)
    dated = forms.DateField(label=_("Document date"), required=False)
    house_code = forms.CharField(
        label=_("House code"),
        max_length=64,
        required=False,
        help_text=_("For a resident's file: building-unit-room, e.g. 3-2-1502."),
    )
    location = forms.CharField(
        label=_("Archive location"), max_length=60, help_text=_("Cabinet, shelf and box.")
    )
    keywords = forms.CharField(label=_("Keywords"), max_length=120, required=False)
    scan = forms.FileField(label=_("Scan"), required=False)

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"community": community_field(communities), **self.fields}
        self.fields["community"].widget.attrs["class"] = "form-select"


class DocumentMoveForm(ConsoleForm):
    location = forms.CharField(label=_("Archive location"), max_length=60)


class DocumentLendForm(ConsoleForm):
    borrower_name = forms.CharField(label=_("Borrower"), max_length=100)
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    due_on = forms.DateField(label=_("Due back on"))


class SettingsForm(ConsoleForm):
    community = forms.IntegerField(widget=forms.HiddenInput)
    release_needs_fees_paid = forms.BooleanField(
        label=_("Approve a release pass only when the house owes nothing"), required=False
    )
    key_overdue_hours = forms.IntegerField(
        label=_("Key overdue after (hours)"), min_value=1, max_value=720
    )
    pass_validity_hours = forms.IntegerField(
        label=_("Pass valid for (hours)"), min_value=1, max_value=720
    )
    repair_lead = forms.ChoiceField(label=_("Repair lead"), required=False)

    def __init__(self, *args, staff_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["repair_lead"].choices = [("", "—"), *staff_choices]

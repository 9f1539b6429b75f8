"""Forms of the owner's pages and of the desk's link-request page: they parse types only; the
services decide. Every input has a label (accessibility) and large touch targets on the phone."""

from django import forms
from django.utils.translation import gettext_lazy as _

from propdesk.core.forms import ConsoleForm
from propdesk.portal.models import LinkRelation
from propdesk.tickets.satisfaction import satisfaction_choices


class PortalForm(ConsoleForm):
    """Bootstrap classes and invalid marks (ConsoleForm), with phone-sized controls."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if not isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} form-control-lg".strip()
                if isinstance(widget, forms.Select):
                    widget.attrs["class"] = widget.attrs["class"].replace(
                        "form-control-lg", "form-select-lg"
                    )


class SignInForm(PortalForm):
    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": "138 0000 0000"}
        ),
    )
    code = forms.CharField(
        label=_("Code from the SMS"),
        max_length=6,
        required=False,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PasswordForm(PortalForm):
    password = forms.CharField(
        label=_("New password"),
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    confirm = forms.CharField(
        label=_("New password again"),
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class RequestForm(PortalForm):
    house = forms.TypedChoiceField(label=_("House"), coerce=int)
    kind = forms.ChoiceField(label=_("What is it about?"))
    category = forms.ChoiceField(label=_("What kind of problem?"))
    description = forms.CharField(
        label=_("Describe it"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Where, since when, what you see. At most 2,000 characters."),
    )
    emergency = forms.BooleanField(
        label=_(
            "It is dangerous and happening now (water pouring in, no power, trapped in a lift)"
        ),
        required=False,
    )
    preferred_visit_at = forms.DateTimeField(
        label=_("Best time for a visit"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, houses, kinds, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["house"].choices = houses
        self.fields["kind"].choices = kinds
        self.fields["category"].choices = categories


class NoteForm(PortalForm):
    text = forms.CharField(
        label=_("Note"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CancelForm(PortalForm):
    reason = forms.CharField(label=_("Why do you cancel it?"), max_length=500)


class RatingForm(PortalForm):
    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied are you?"),
        coerce=int,
        choices=satisfaction_choices,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["satisfaction"].widget.attrs["class"] = "form-check-input"


class SolutionAnswerForm(PortalForm):
    agreed = forms.TypedChoiceField(
        label=_("Do you agree?"),
        coerce=lambda value: value == "yes",
        choices=[("yes", _("I agree")), ("no", _("I do not agree"))],
    )
    note = forms.CharField(label=_("Comment"), max_length=300, required=False)


class StatementForm(PortalForm):
    date_from = forms.DateField(label=_("From"), required=False)
    date_to = forms.DateField(label=_("To"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


class LinkRequestForm(PortalForm):
    community = forms.TypedChoiceField(label=_("Community"), coerce=int)
    house_code = forms.CharField(
        label=_("House (building-unit-room)"),
        max_length=40,
        widget=forms.TextInput(attrs={"placeholder": "3-2-1502"}),
    )
    relation = forms.ChoiceField(label=_("You are"), choices=LinkRelation.choices)
    name = forms.CharField(label=_("Your name"), max_length=100)
    note = forms.CharField(
        label=_("Anything the service centre should know"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(c.pk, c.name) for c in communities]


class GrantForm(PortalForm):
    mobile = forms.CharField(label=_("Mobile number"), max_length=20, widget=forms.HiddenInput)


class LinkDecisionForm(ConsoleForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve and record in the registry")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    owner = forms.TypedChoiceField(label=_("Owner record"), coerce=int, required=False)
    lease_start = forms.DateField(label=_("Lease start"), required=False)
    lease_end = forms.DateField(label=_("Lease end"), required=False)
    note = forms.CharField(
        label=_("Note (the reason, when rejecting)"), max_length=300, required=False
    )

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "—"), *[(o.pk, o.name) for o in owners]]
        self.fields["decision"].widget.attrs["class"] = "form-check-input"

"""Console forms of service requests. They parse types; the services hold the business rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from propdesk.core.forms import ConsoleForm
from propdesk.tickets import configuration
from propdesk.tickets.models import Channel, FollowUp, OwnerCost, Status


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several files in one input; the service checks what each one is."""

    widget = MultipleFileInput(attrs={"accept": "image/*"})

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(PhotosField, self).clean(f, initial) for f in files if f]


def _codes(rows) -> list[tuple[str, str]]:
    return [(row.code, row.label) for row in rows]


class IntakeForm(ConsoleForm):
    house = forms.IntegerField(widget=forms.HiddenInput, required=False)
    building = forms.IntegerField(widget=forms.HiddenInput, required=False)
    caller_owner = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(label=_("Kind"))
    category = forms.ChoiceField(label=_("Category"))
    urgency = forms.ChoiceField(label=_("Urgency"))
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    caller_name = forms.CharField(label=_("Caller"), max_length=100, required=False)
    caller_mobile = forms.CharField(label=_("Contact number"), max_length=20, required=False)
    location = forms.CharField(label=_("Where exactly"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    preferred_visit_at = forms.DateTimeField(
        label=_("Convenient visit time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    photos = PhotosField(label=_("Photos"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _codes(configuration.active_kinds())
        self.fields["category"].choices = [("", "—")] + _codes(configuration.active_categories())
        self.fields["urgency"].choices = _codes(configuration.active_urgencies())
        self.fields["urgency"].initial = "normal"


class StepForm(ConsoleForm):
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DispatchForm(StepForm):
    department = forms.ModelChoiceField(queryset=None, label=_("Department"), required=False)
    assignee = forms.ModelChoiceField(queryset=None, label=_("Assign to"), required=False)
    round_robin = forms.BooleanField(label=_("Next in turn (round-robin)"), required=False)

    def __init__(self, *args, departments, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["assignee"].queryset = people
        self.fields["assignee"].label_from_instance = lambda u: (
            f"{u.display_name} · {u.department.name if u.department_id else '—'}"
        )


class ResolveForm(StepForm):
    photos = PhotosField(label=_("Photos of the finished work"), required=False)


class FollowUpForm(ConsoleForm):
    satisfaction = forms.TypedChoiceField(
        label=_("Satisfaction"),
        coerce=int,
        choices=[(n, f"{n}") for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    via = forms.ChoiceField(label=_("Via"), choices=FollowUp.Via.choices, initial="phone")


class NoteForm(ConsoleForm):
    text = forms.CharField(
        label=_("Work note"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = PhotosField(label=_("Photos"), required=False)


class CostForm(ConsoleForm):
    item = forms.CharField(label=_("Item"), max_length=200)
    amount = forms.CharField(label=_("Amount (CNY)"), max_length=14)
    payer = forms.ChoiceField(label=_("Paid by"), choices=OwnerCost.Payer.choices)


class CostDecisionForm(ConsoleForm):
    confirmed = forms.TypedChoiceField(
        label=_("The owner"),
        coerce=lambda v: v == "yes",
        choices=[("yes", _("confirms")), ("no", _("declines"))],
    )
    via = forms.ChoiceField(
        label=_("Answered by"),
        choices=[("phone", _("Phone")), ("in_person", _("In person"))],
    )


class LinkCallForm(ConsoleForm):
    note = forms.CharField(
        label=_("What the caller said"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class QueueFilterForm(forms.Form):
    """Parses the queue's query string; bad values are dropped rather than refused."""

    community = forms.IntegerField(required=False)
    building = forms.IntegerField(required=False)
    kind = forms.CharField(required=False, max_length=40)
    category = forms.CharField(required=False, max_length=40)
    status = forms.ChoiceField(required=False, choices=[("", "")] + Status.choices)
    date_from = forms.DateField(required=False)
    date_to = forms.DateField(required=False)
    q = forms.CharField(required=False, max_length=100)

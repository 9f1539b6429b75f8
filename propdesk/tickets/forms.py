"""Console forms of service requests. They parse types; the services hold the business rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from propdesk.core.forms import ConsoleForm, date_in_range
from propdesk.tickets import configuration
from propdesk.tickets.models import Channel, FollowUp, OwnerCost, Status
from propdesk.tickets.satisfaction import satisfaction_choices


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
    # No kind is chosen for a new call: the first in the configured order (a complaint) is not
    # what most calls are, and a kind taken by default would set the wrong procedure and time
    # limit. The agent picks it, or takes the assistant's suggestion.
    kind = forms.ChoiceField(
        label=_("Kind"), error_messages={"required": _("Choose the kind of request.")}
    )
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
        self.fields["kind"].choices = [("", "—")] + _codes(configuration.active_kinds())
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

    def __init__(self, *args, departments, people, routed_to=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["assignee"].queryset = people
        # Nobody chosen: the department takes the work (or the next in turn, when ticked).
        self.fields["department"].empty_label = "—"
        self.fields["assignee"].empty_label = _("Nobody yet: the department takes it")
        self.fields["assignee"].choices = [
            ("", self.fields["assignee"].empty_label),
            *_people_by_department(people, routed_to),
        ]


def _people_by_department(people, routed_to) -> list[tuple[str, list]]:
    """The people grouped under their department's name: the department the request is routed
    to first, then the others, and those of no department last."""
    groups: dict = {}
    for person in people:
        groups.setdefault(person.department, []).append((person.pk, person.display_name))

    def order(department):
        if department is None:
            return (2, 0)
        return (0 if routed_to is not None and department.pk == routed_to.pk else 1, department.pk)

    return [
        (department.name if department else _("No department"), members)
        for department, members in sorted(groups.items(), key=lambda item: order(item[0]))
    ]


class ResolveForm(StepForm):
    photos = PhotosField(label=_("Photos of the finished work"), required=False)


class FollowUpForm(ConsoleForm):
    satisfaction = forms.TypedChoiceField(
        label=_("Satisfaction"),
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


class VisitWindowForm(ConsoleForm):
    day = forms.DateField(
        label=_("Visit on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
    )
    start = forms.TimeField(
        label=_("from"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end = forms.TimeField(
        label=_("until"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def window(self):
        """(start, end) as aware local datetimes."""
        import datetime

        from django.utils import timezone

        day = self.cleaned_data["day"]
        return tuple(
            timezone.make_aware(datetime.datetime.combine(day, self.cleaned_data[name]))
            for name in ("start", "end")
        )


class VerifyForm(ConsoleForm):
    note = forms.CharField(
        label=_("What the check found"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    simple = forms.BooleanField(
        label=_("A simple complaint (handled within the simple-complaint time limit)"),
        required=False,
    )


class SolutionForm(ConsoleForm):
    text = forms.CharField(
        label=_("Proposed solution"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class SolutionDecisionForm(ConsoleForm):
    agreed = forms.TypedChoiceField(
        label=_("The owner"),
        coerce=lambda v: v == "yes",
        choices=[("yes", _("agrees")), ("no", _("does not agree"))],
    )
    via = forms.ChoiceField(
        label=_("Answered by"),
        choices=[("phone", _("Phone")), ("in_person", _("In person"))],
    )
    note = forms.CharField(label=_("What the owner said"), max_length=300, required=False)


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
    date_from = forms.DateField(required=False, validators=[date_in_range])
    date_to = forms.DateField(required=False, validators=[date_in_range])
    q = forms.CharField(required=False, max_length=100)


# --- configuration (kinds, urgencies, categories, routing, the working calendar) --------------


class TaxonomyForm(ConsoleForm):
    """A request kind, urgency or category; the code is given once and never changes."""

    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        help_text=_("Lower-case letters, digits and underscores; integrations and reports use it."),
    )
    name = forms.CharField(label=_("Name"), max_length=60)
    name_en = forms.CharField(label=_("English name"), max_length=60, required=False)
    sort_order = forms.IntegerField(label=_("Order"), min_value=0, max_value=999, initial=0)
    description = forms.CharField(
        label=_("What belongs here"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    department_code = forms.ChoiceField(label=_("Default department"), required=False)
    refers_outside = forms.BooleanField(label=_("Referred outside"), required=False)
    common_area = forms.BooleanField(label=_("Usually a common area"), required=False)
    is_emergency = forms.BooleanField(label=_("Emergency"), required=False)

    EXTRA = {
        "kind": (),
        "urgency": ("description", "is_emergency"),
        "category": ("description", "department_code", "refers_outside", "common_area"),
    }

    def __init__(self, *args, kind: str, editing: bool, **kwargs):
        from propdesk.accounts.models import Department

        super().__init__(*args, **kwargs)
        for name in ("description", "department_code", "refers_outside", "common_area"):
            if name not in self.EXTRA[kind]:
                self.fields.pop(name, None)
        if "is_emergency" not in self.EXTRA[kind]:
            self.fields.pop("is_emergency")
        if "department_code" in self.fields:
            self.fields["department_code"].choices = [("", "—")] + [
                (d.code, d.name) for d in Department.objects.order_by("id")
            ]
        if editing:
            self.fields.pop("code")

    def values(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "code"}


class RoutingRuleForm(ConsoleForm):
    community = forms.ModelChoiceField(
        label=_("Community"),
        queryset=None,
        required=False,
        empty_label=_("Every community (company default)"),
    )
    category = forms.ModelChoiceField(label=_("Category"), queryset=None)
    department = forms.ModelChoiceField(label=_("Department"), queryset=None)
    is_lead = forms.BooleanField(
        label=_("Lead department"),
        required=False,
        initial=True,
        help_text=_("When several departments take a category, the lead one coordinates."),
    )

    def __init__(self, *args, actor, editing: bool, **kwargs):
        from propdesk.accounts.models import Department
        from propdesk.core.permissions import Perm, communities_for
        from propdesk.tickets.models import Category

        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities_for(actor, Perm.REQUEST_CONFIGURE)
        self.fields["category"].queryset = Category.objects.order_by("sort_order", "id")
        self.fields["department"].queryset = Department.objects.order_by("id")
        if editing:
            self.fields.pop("community")
            self.fields.pop("category")


class WorkingHoursForm(ConsoleForm):
    opens_at = forms.TimeField(
        label=_("Opens at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    closes_at = forms.TimeField(
        label=_("Closes at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )


class CalendarOverrideForm(ConsoleForm):
    community = forms.ModelChoiceField(
        label=_("Community"),
        queryset=None,
        required=False,
        empty_label=_("Every community (company default)"),
    )
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    is_working = forms.BooleanField(
        label=_("Working day"),
        required=False,
        help_text=_("Not ticked: a day off. Ticked: a working day, with its own hours if given."),
    )
    opens_at = forms.TimeField(
        label=_("Opens at"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    closes_at = forms.TimeField(
        label=_("Closes at"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    note = forms.CharField(label=_("Note"), max_length=100, required=False)

    def __init__(self, *args, actor, editing: bool, **kwargs):
        from propdesk.core.permissions import Perm, communities_for

        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities_for(actor, Perm.REQUEST_CONFIGURE)
        if editing:
            self.fields.pop("community")

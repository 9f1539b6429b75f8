"""Console forms of the community app: they parse types, the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from propdesk.community.models import ActivityKind, BroadcastKind, IncidentKind, Severity
from propdesk.core.forms import ConsoleForm


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def datetime_field(label, *, required=False, help_text=""):
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=help_text,
    )


class IncidentForm(ConsoleForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=IncidentKind.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial="major")
    place = forms.CharField(
        label=_("Place"), max_length=200, help_text=_("Where it happened, e.g. building 3.")
    )
    whole_community = forms.BooleanField(label=_("The whole community is affected"), required=False)
    buildings = forms.TypedMultipleChoiceField(
        label=_("Affected buildings"), coerce=int, required=False, choices=()
    )
    units = forms.TypedMultipleChoiceField(
        label=_("Affected units"), coerce=int, required=False, choices=()
    )
    expected_restore_at = datetime_field(_("Expected restoration"))
    description = forms.CharField(
        label=_("What happened"),
        max_length=2000,
        required=False,
        widget=forms.Textarea({"rows": 2}),
    )
    is_drill = forms.BooleanField(
        label=_("This is a drill (residents are not told)"), required=False
    )
    broadcast_text = forms.CharField(
        label=_("Notice to residents"),
        max_length=500,
        required=False,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("Leave empty to send the standard notice with the expected restoration time."),
    )

    def __init__(self, *args, buildings=(), units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buildings"].choices = [(b.id, b.label) for b in buildings]
        self.fields["units"].choices = [(u.id, u.label) for u in units]
        for name in ("buildings", "units"):
            self.fields[name].widget.attrs["size"] = 6


class BroadcastForm(ConsoleForm):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (BroadcastKind.UPDATE, BroadcastKind.UPDATE.label),
            (BroadcastKind.RESTORED, BroadcastKind.RESTORED.label),
        ],
    )
    text = forms.CharField(label=_("Text"), max_length=500, widget=forms.Textarea({"rows": 3}))
    expected_restore_at = datetime_field(_("New expected restoration"))


class TaskDoneForm(ConsoleForm):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class LinkForm(ConsoleForm):
    house = forms.IntegerField(required=False, widget=forms.HiddenInput)
    request_number = forms.CharField(label=_("Request number"), max_length=30, required=False)
    house_code = forms.CharField(
        label=_("House code"), max_length=64, required=False, help_text=_("e.g. 3-2-1502")
    )
    caller_name = forms.CharField(label=_("Caller"), max_length=100, required=False)
    note = forms.CharField(label=_("What the caller said"), max_length=500, required=False)
    back = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20)


class NoteForm(ConsoleForm):
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea({"rows": 2})
    )
    photo = forms.FileField(label=_("Photo"), required=False)


class CloseForm(ConsoleForm):
    cause = forms.CharField(label=_("Cause"), max_length=2000, widget=forms.Textarea({"rows": 3}))
    measures = forms.CharField(
        label=_("Measures taken"), max_length=2000, widget=forms.Textarea({"rows": 3})
    )
    prevention = forms.CharField(
        label=_("Prevention items"),
        max_length=6000,
        required=False,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("One item per line; each can then become a request."),
    )
    restored_at = datetime_field(
        _("Restored at"), help_text=_("Leave empty if it was restored just now.")
    )


class DutyShiftForm(ConsoleForm):
    user = forms.TypedChoiceField(label=_("Staff member"), coerce=int, choices=())
    starts_at = datetime_field(_("From"), required=True)
    ends_at = datetime_field(_("Until"), required=True)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [
            (
                u.id,
                f"{u.display_name} · {u.get_role_display()}"
                + (f" · {u.department}" if u.department_id else ""),
            )
            for u in people
        ]


class DeskVisitForm(ConsoleForm):
    community = forms.TypedChoiceField(label=_("Community"), coerce=int, choices=())
    visitor_name = forms.CharField(label=_("Visitor"), max_length=100)
    visitor_mobile = forms.CharField(label=_("Mobile"), max_length=20, required=False)
    house_code = forms.CharField(
        label=_("House code"), max_length=64, required=False, help_text=_("e.g. 3-2-1502")
    )
    purpose = forms.ChoiceField(label=_("Purpose"), choices=())
    details = forms.CharField(
        label=_("What they came about"), max_length=2000, widget=forms.Textarea({"rows": 2})
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=())
    referred_to = forms.CharField(label=_("Referred to"), max_length=100, required=False)
    outcome_note = forms.CharField(label=_("Outcome note"), max_length=500, required=False)
    callback_at = datetime_field(
        _("Promised callback"), help_text=_("For a question a specialist must answer.")
    )
    category = forms.ChoiceField(
        label=_("Request category"),
        required=False,
        choices=(),
        help_text=_("For a callback or a request: where it is routed."),
    )

    def __init__(self, *args, communities=(), categories=(), **kwargs):
        from propdesk.community.models import VisitOutcome, VisitPurpose

        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(c.id, c.name) for c in communities]
        self.fields["purpose"].choices = VisitPurpose.choices
        self.fields["outcome"].choices = VisitOutcome.choices
        self.fields["category"].choices = [("", "—"), *categories]


class CareResidentForm(ConsoleForm):
    house_code = forms.CharField(label=_("House code"), max_length=64, help_text=_("e.g. 3-2-1502"))
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=100)
    mobile = forms.CharField(label=_("Mobile"), max_length=20, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=())
    visit_every_days = forms.IntegerField(
        label=_("Visit every (days)"), min_value=1, max_value=366, initial=30
    )
    emergency_contact = forms.CharField(
        label=_("Emergency contact"), max_length=100, required=False
    )
    emergency_mobile = forms.CharField(
        label=_("Emergency contact's mobile"), max_length=20, required=False
    )
    health_notes = forms.CharField(
        label=_("Health and disability details"),
        max_length=2000,
        required=False,
        widget=forms.Textarea({"rows": 2}),
        help_text=_("Personal data: shown masked; each reveal is logged."),
    )
    notes = forms.CharField(label=_("Notes"), max_length=300, required=False)

    def __init__(self, *args, communities=(), **kwargs):
        from propdesk.community.models import CareCategory

        super().__init__(*args, **kwargs)
        self.fields = {
            "community": forms.TypedChoiceField(
                label=_("Community"), coerce=int, choices=[(c.id, c.name) for c in communities]
            ),
            **self.fields,
        }
        self.fields["community"].widget.attrs["class"] = "form-select"
        self.fields["category"].choices = CareCategory.choices


class CareVisitForm(ConsoleForm):
    visited_on = forms.DateField(label=_("Visited on"))
    findings = forms.CharField(
        label=_("Findings"), max_length=2000, widget=forms.Textarea({"rows": 2})
    )
    help_given = forms.CharField(label=_("Help given"), max_length=500, required=False)
    need = forms.CharField(
        label=_("A need that becomes a help request"),
        max_length=2000,
        required=False,
        widget=forms.Textarea({"rows": 2}),
    )
    need_category = forms.ChoiceField(label=_("Request category"), choices=(), required=False)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["need_category"].choices = list(categories)
        self.fields["need_category"].initial = "service"


class ActivityForm(ConsoleForm):
    community = forms.TypedChoiceField(label=_("Community"), coerce=int, choices=())
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices)
    title = forms.CharField(label=_("Title"), max_length=100)
    place = forms.CharField(label=_("Place"), max_length=200)
    starts_at = datetime_field(_("Starts at"), required=True)
    ends_at = datetime_field(_("Ends at"), required=True)
    capacity = forms.IntegerField(label=_("Places (people)"), min_value=1, max_value=10000)
    max_party = forms.IntegerField(
        label=_("People a house may bring"), min_value=1, max_value=20, initial=4
    )
    signup_opens_at = datetime_field(_("Sign-up opens"), help_text=_("Empty: at once."))
    signup_closes_at = datetime_field(
        _("Sign-up and cancelling close"), help_text=_("Empty: when the activity starts.")
    )
    fee = forms.DecimalField(
        label=_("Fee per person (CNY)"),
        min_value=0,
        max_value=100000,
        decimal_places=2,
        initial=0,
        required=False,
    )
    buildings = forms.TypedMultipleChoiceField(
        label=_("For buildings"),
        coerce=int,
        required=False,
        choices=(),
        help_text=_("None chosen: the whole community."),
    )
    description = forms.CharField(
        label=_("Description"), max_length=2000, required=False, widget=forms.Textarea({"rows": 3})
    )
    announce = forms.BooleanField(
        label=_("Write a notice announcing it (a supervisor publishes it)"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, communities=(), buildings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(c.id, c.name) for c in communities]
        self.fields["buildings"].choices = [
            (b.id, f"{b.community.name} {b.label}") for b in buildings
        ]


class ActivityPhotoForm(ConsoleForm):
    photo = forms.FileField(label=_("Photo"))
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)


class SignupForm(forms.Form):
    """The portal's sign-up: which of the owner's houses, how many people."""

    house = forms.TypedChoiceField(label=_("House"), coerce=int, choices=())
    people = forms.IntegerField(label=_("People coming"), min_value=1, max_value=20, initial=1)

    def __init__(self, *args, houses=(), max_party=4, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["house"].choices = [(h.id, f"{h.community.name} {h.code}") for h in houses]
        self.fields["people"].max_value = max_party
        self.fields["people"].widget.attrs.update(
            {"class": "form-control", "min": 1, "max": max_party, "inputmode": "numeric"}
        )
        self.fields["house"].widget.attrs["class"] = "form-select"


class FeedbackForm(forms.Form):
    house = forms.TypedChoiceField(label=_("House"), coerce=int, choices=())
    rating = forms.TypedChoiceField(
        label=_("How was it?"),
        coerce=int,
        choices=[(n, "★" * n) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Your opinion"),
        max_length=1000,
        required=False,
        widget=forms.Textarea({"rows": 3, "class": "form-control"}),
    )

    def __init__(self, *args, houses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["house"].choices = [(h.id, f"{h.community.name} {h.code}") for h in houses]
        self.fields["house"].widget.attrs["class"] = "form-select"


# --- owner visits, forum opinions, greetings, warnings -------------------------------------------


class VisitPlanForm(ConsoleForm):
    building = forms.TypedChoiceField(label=_("Building"), coerce=int, choices=())
    every_days = forms.IntegerField(
        label=_("Visit every (days)"),
        min_value=1,
        max_value=366,
        initial=90,
        help_text=_("Each visit moves the next one this many days on."),
    )

    def __init__(self, *args, buildings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].choices = [(b.id, b.label) for b in buildings]


class OwnerVisitForm(ConsoleForm):
    community = forms.TypedChoiceField(label=_("Community"), coerce=int, choices=())
    house_code = forms.CharField(
        label=_("House"), max_length=30, help_text=_("Building-unit-number, e.g. 3-2-1502.")
    )
    visited_on = forms.DateField(label=_("Visited on"), widget=forms.DateInput({"type": "date"}))
    opinions = forms.CharField(
        label=_("Opinions"),
        max_length=2000,
        required=False,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("What the owner asked for or suggested: it becomes a suggestion request."),
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(c.id, c.name) for c in communities]


class ForumOpinionForm(ConsoleForm):
    house_code = forms.CharField(
        label=_("Speaker's house"),
        max_length=30,
        help_text=_("Building-unit-number, e.g. 3-2-1502."),
    )
    text = forms.CharField(label=_("Opinion"), max_length=2000, widget=forms.Textarea({"rows": 2}))


class WeatherWarningForm(ConsoleForm):
    communities = forms.TypedMultipleChoiceField(
        label=_("Communities"), coerce=int, choices=(), widget=forms.CheckboxSelectMultiple
    )
    title = forms.CharField(
        label=_("Title"), max_length=60, help_text=_("E.g. 台风橙色预警 (typhoon, orange).")
    )
    text = forms.CharField(
        label=_("Advice"),
        max_length=300,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("What residents should do: close windows, move cars from low ground…"),
    )
    send_at = datetime_field(
        _("Send at"),
        required=True,
        help_text=_("Now or up to 7 days ahead. Quiet hours hold messages to owners' accounts."),
    )

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["communities"].choices = [(c.id, c.name) for c in communities]
        self.fields["communities"].widget.attrs["class"] = ""


class GreetingPersonSearchForm(forms.Form):
    q = forms.CharField(max_length=40, required=False)

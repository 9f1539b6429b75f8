"""Console forms of the procedures: they parse types; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from propdesk.billing.models import PaymentMethod
from propdesk.core.forms import ConsoleForm
from propdesk.frontdesk.models import ApplicantKind, Outcome


class HouseFindForm(ConsoleForm):
    code = forms.CharField(label=_("House code"), max_length=64, help_text=_("e.g. 3-2-1502"))


class MoveInStartForm(ConsoleForm):
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None, empty_label=None)
    applicant_kind = forms.ChoiceField(
        label=_("Who came"), choices=ApplicantKind.choices, widget=forms.RadioSelect
    )
    agent = forms.ModelChoiceField(
        label=_("Entrusted agent"), queryset=None, required=False, empty_label="—"
    )
    person_name = forms.CharField(
        label=_("Name of the person who came"),
        max_length=100,
        required=False,
        help_text=_("Left empty: the owner's or the agent's name."),
    )
    person_mobile = forms.CharField(label=_("Mobile"), max_length=20, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, owners, agents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["agent"].queryset = agents
        self.fields["applicant_kind"].widget.attrs["class"] = "form-check-input"


class StepForm(ConsoleForm):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ScanForm(ConsoleForm):
    file = forms.FileField(label=_("Scan"))


class ReasonForm(ConsoleForm):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ResultForm(ConsoleForm):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(Outcome.PASS, Outcome.PASS.label), (Outcome.FAIL, Outcome.FAIL.label)],
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    photo = forms.FileField(label=_("Photo"), required=False)


class PermitApplyForm(ConsoleForm):
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None, empty_label=None)
    applicant_kind = forms.ChoiceField(
        label=_("Applicant"),
        choices=[
            (ApplicantKind.OWNER, ApplicantKind.OWNER.label),
            (ApplicantKind.AGENT, ApplicantKind.AGENT.label),
        ],
    )
    agent = forms.ModelChoiceField(
        label=_("Entrusted agent"), queryset=None, required=False, empty_label="—"
    )
    contractor_name = forms.CharField(label=_("Contractor"), max_length=120)
    contractor_leader = forms.CharField(label=_("Contractor's responsible person"), max_length=60)
    contractor_mobile = forms.CharField(label=_("Contractor's mobile"), max_length=20)
    workers = forms.IntegerField(label=_("Workers"), min_value=1, max_value=200, initial=1)
    scope = forms.CharField(
        label=_("Scope of the works"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    starts_on = forms.DateField(label=_("Works start on"))
    ends_on = forms.DateField(label=_("Works end on"))
    plan = forms.FileField(label=_("Decoration plan"), required=False)

    def __init__(self, *args, owners, agents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["agent"].queryset = agents


class PlanReviewForm(ConsoleForm):
    note = forms.CharField(label=_("Review note"), max_length=300, required=False)


class PatrolForm(ConsoleForm):
    found_issue = forms.BooleanField(label=_("Issue found"), required=False)
    findings = forms.CharField(label=_("Findings"), max_length=500, required=False)


class AcceptForm(ConsoleForm):
    note = forms.CharField(label=_("Acceptance note"), max_length=300, required=False)


class DepositRefundForm(ConsoleForm):
    method = forms.ChoiceField(
        label=_("Refund method"), choices=[("", "—"), *PaymentMethod.choices], required=False
    )
    reason = forms.CharField(label=_("Note"), max_length=200, required=False)


class RulesForm(ConsoleForm):
    work_start = forms.TimeField(label=_("Works start"))
    break_start = forms.TimeField(label=_("Midday break from"))
    break_end = forms.TimeField(label=_("Midday break until"))
    work_end = forms.TimeField(label=_("Works end"))
    quiet_on_rest_days = forms.BooleanField(
        label=_("No noisy works on weekends and holidays"), required=False
    )
    prohibitions = forms.CharField(
        label=_("Prohibitions (one a line)"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    deposit_required = forms.BooleanField(label=_("Decoration deposit required"), required=False)
    deposit = forms.DecimalField(
        label=_("Deposit (yuan)"), min_value=0, max_digits=10, decimal_places=2
    )
    max_days = forms.IntegerField(label=_("Longest permit (days)"), min_value=1, max_value=730)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("work_start", "break_start", "break_end", "work_end"):
            self.fields[name].widget.input_type = "time"


class InspectionItemForm(ConsoleForm):
    name = forms.CharField(
        label=_("Item"),
        max_length=80,
        widget=forms.TextInput(attrs={"placeholder": _("New item"), "aria-label": _("Item")}),
    )
    category_code = forms.ChoiceField(label=_("Repair category"), choices=())

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category_code"].choices = categories

"""Console forms of service quality. They parse types; the services hold the business rules."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from propdesk.core.errors import AppError
from propdesk.core.forms import ConsoleForm
from propdesk.quality.models import (
    AssessmentDimension,
    CallDirection,
    CallOutcome,
    CallState,
    ExamQuestionKind,
    ExamTopic,
    TrainingKind,
)
from propdesk.tickets import configuration


class StartCallForm(ConsoleForm):
    community = forms.TypedChoiceField(label=_("Community"), coerce=int)
    number = forms.CharField(label=_("Caller's number"), max_length=30)
    direction = forms.ChoiceField(
        label=_("Direction"), choices=CallDirection.choices, initial=CallDirection.INBOUND
    )

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(c.pk, c.name) for c in communities]
        self.fields["number"].widget.attrs.update(
            {"autofocus": True, "inputmode": "tel", "autocomplete": "off"}
        )


class FinishForm(ConsoleForm):
    outcome = forms.ChoiceField(label=_("Outcome"))
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, outbound: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [CallOutcome.ON_THE_SPOT, CallOutcome.WRONG_NUMBER]
        if outbound:
            choices.append(CallOutcome.UNREACHABLE)
        self.fields["outcome"].choices = [(c.value, c.label) for c in choices]


class MessageForm(ConsoleForm):
    house = forms.IntegerField(widget=forms.HiddenInput, required=False)
    category = forms.ChoiceField(label=_("About"))
    caller_name = forms.CharField(label=_("Caller"), max_length=100, required=False)
    message = forms.CharField(
        label=_("Message for the colleague"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—")] + [
            (row.code, row.label) for row in configuration.active_categories()
        ]


class LinkForm(ConsoleForm):
    number = forms.CharField(label=_("Request number"), max_length=30)
    note = forms.CharField(
        label=_("What the caller said"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NoteForm(ConsoleForm):
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    recording_url = forms.CharField(label=_("Recording (link)"), max_length=500, required=False)
    recording_file = forms.FileField(
        label=_("Recording (file)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "audio/*"}),
    )


class CallFilterForm(ConsoleForm):
    community = forms.TypedChoiceField(
        label=_("Community"), coerce=int, required=False, empty_value=None
    )
    q = forms.CharField(label=_("Phone number"), max_length=20, required=False)
    state = forms.ChoiceField(label=_("State"), required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), required=False)
    date_from = forms.DateField(label=_("From"), required=False)
    date_to = forms.DateField(label=_("To"), required=False)

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [("", _("All my communities"))] + [
            (c.pk, c.name) for c in communities
        ]
        self.fields["state"].choices = [("", _("Any state"))] + list(CallState.choices)
        self.fields["outcome"].choices = [("", _("Any outcome")), ("none", _("Not recorded"))] + [
            (value, label) for value, label in CallOutcome.choices if value
        ]


class FiguresForm(ConsoleForm):
    community = forms.TypedChoiceField(
        label=_("Community"), coerce=int, required=False, empty_value=None
    )
    date_from = forms.DateField(label=_("From"))
    date_to = forms.DateField(label=_("To"))
    period = forms.ChoiceField(
        label=_("Per"),
        choices=[("day", _("Day")), ("week", _("Week")), ("month", _("Month"))],
        initial="day",
    )
    group = forms.ChoiceField(
        label=_("Group by"),
        choices=[
            ("total", _("All together")),
            ("community", _("Community")),
            ("agent", _("Agent")),
        ],
        initial="total",
    )

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [("", _("All my communities"))] + [
            (c.pk, c.name) for c in communities
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if end < start:
                self.add_error("date_to", _("The end comes before the start."))
            elif end - start > datetime.timedelta(days=366):
                self.add_error("date_to", _("At most a year at a time."))
        return data


class ImportForm(ConsoleForm):
    file = forms.FileField(
        label=_("Call-detail file (CSV)"), widget=forms.ClearableFileInput(attrs={"accept": ".csv"})
    )


# --- surveys ------------------------------------------------------------------------------------


class RoundOpenForm(ConsoleForm):
    community = forms.TypedChoiceField(label=_("Community"), coerce=int)
    period = forms.DateField(label=_("Month surveyed"), help_text=_("Any day of the month."))
    sample_size = forms.IntegerField(
        label=_("Houses asked (empty: all)"), required=False, min_value=1, max_value=1_000_000
    )
    closes_on = forms.DateField(label=_("Closes on"))

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(c.pk, c.name) for c in communities]


class SurveyAnswerForm(ConsoleForm):
    """One field per question (`q<id>`); the service checks what is required and allowed."""

    def __init__(self, *args, questions, staff: bool = False, **kwargs):
        from propdesk.quality.models import AnswerChannel, QuestionKind

        super().__init__(*args, **kwargs)
        if staff:
            self.fields["channel"] = forms.ChoiceField(
                label=_("Answered by"),
                choices=[
                    (AnswerChannel.PHONE.value, AnswerChannel.PHONE.label),
                    (AnswerChannel.VISIT.value, AnswerChannel.VISIT.label),
                ],
                widget=forms.Select(attrs={"class": "form-select"}),
            )
            self.fields["respondent_name"] = forms.CharField(
                label=_("Respondent"),
                max_length=100,
                required=False,
                widget=forms.TextInput(attrs={"class": "form-control"}),
            )
        for question in questions:
            name = f"q{question.pk}"
            label = question.text
            if question.kind == QuestionKind.SCALE:
                field = forms.ChoiceField(
                    label=label,
                    choices=[(str(n), str(n)) for n in range(5, 0, -1)],
                    widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                    required=False,
                )
            elif question.kind == QuestionKind.SINGLE:
                field = forms.ChoiceField(
                    label=label,
                    choices=[(o, o) for o in question.options],
                    widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                    required=False,
                )
            elif question.kind == QuestionKind.MULTIPLE:
                field = forms.MultipleChoiceField(
                    label=label,
                    choices=[(o, o) for o in question.options],
                    widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
                    required=False,
                )
            else:
                field = forms.CharField(
                    label=label,
                    max_length=1000,
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
                )
            field.question = question
            self.fields[name] = field

    def answers(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name.startswith("q")}


class FollowUpDecideForm(ConsoleForm):
    choice = forms.ChoiceField(label=_("Follow-up action"))
    assignee = forms.TypedChoiceField(
        label=_("Colleague who follows up"), coerce=int, required=False, empty_value=None
    )
    note = forms.CharField(
        label=_("Note"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, colleagues, **kwargs):
        from propdesk.quality.models import FollowUpChoice

        super().__init__(*args, **kwargs)
        self.fields["choice"].choices = [
            (c.value, c.label)
            for c in (FollowUpChoice.TASK, FollowUpChoice.COMPLAINT, FollowUpChoice.NONE)
        ]
        self.fields["assignee"].choices = [("", "—")] + [(u.pk, u.display_name) for u in colleagues]


class FollowUpDoneForm(ConsoleForm):
    note = forms.CharField(
        label=_("What the owner said"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


# --- quality reviews ----------------------------------------------------------------------------


class ReviewCreateForm(ConsoleForm):
    """One points field and one note per checklist item (`item<id>`, `note<id>`)."""

    note = forms.CharField(
        label=_("Overall note"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"item{item.pk}"] = forms.IntegerField(
                label=item.text,
                min_value=0,
                max_value=item.points,
                initial=0,
                required=False,
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
                help_text=_("0 to %(n)d points deducted") % {"n": item.points},
            )
            self.fields[f"note{item.pk}"] = forms.CharField(
                label=_("Why"),
                max_length=300,
                required=False,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )

    def rows(self):
        return [(item, self[f"item{item.pk}"], self[f"note{item.pk}"]) for item in self.items]

    def marks(self) -> dict:
        return {
            item.pk: (
                self.cleaned_data.get(f"item{item.pk}") or 0,
                self.cleaned_data.get(f"note{item.pk}", ""),
            )
            for item in self.items
        }


class AppealForm(ConsoleForm):
    reason = forms.CharField(
        label=_("Why you disagree"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class DecideForm(ConsoleForm):
    granted = forms.TypedChoiceField(
        label=_("Decision"),
        coerce=lambda v: v == "yes",
        choices=[
            ("no", _("Refuse the appeal: the review stands")),
            ("yes", _("Grant the appeal: the review no longer counts")),
        ],
    )
    note = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


# --- training and exams -------------------------------------------------------------------------


def _community_choices(communities, *, company: bool) -> list[tuple]:
    choices = [(c.pk, c.name) for c in communities]
    return ([("", _("The whole company"))] if company else []) + choices


class ExamForm(ConsoleForm):
    """An exam: its title, where it is taken, the time, the pass mark, the attempts and how many
    questions of each topic."""

    title = forms.CharField(label=_("Title"), max_length=100)
    community = forms.TypedChoiceField(
        label=_("Community"), coerce=int, empty_value=None, required=False
    )
    duration_minutes = forms.IntegerField(
        label=_("Time allowed (minutes)"), min_value=1, max_value=240, initial=30
    )
    pass_percent = forms.IntegerField(
        label=_("Pass mark (%)"), min_value=1, max_value=100, initial=80
    )
    max_attempts = forms.IntegerField(
        label=_("Attempts allowed"), min_value=1, max_value=20, initial=3
    )

    def __init__(self, *args, communities, company: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = _community_choices(communities, company=company)
        for topic in ExamTopic:
            self.fields[f"topic_{topic.value}"] = forms.IntegerField(
                label=topic.label, min_value=0, max_value=50, initial=0, required=False
            )
            self.fields[f"topic_{topic.value}"].widget.attrs["class"] = "form-control"

    def topic_fields(self):
        return [self[f"topic_{topic.value}"] for topic in ExamTopic]

    def topic_counts(self) -> dict[str, int]:
        return {
            topic.value: self.cleaned_data.get(f"topic_{topic.value}") or 0 for topic in ExamTopic
        }


class ExamQuestionForm(ConsoleForm):
    community = forms.TypedChoiceField(
        label=_("Bank"), coerce=int, empty_value=None, required=False
    )
    topic = forms.ChoiceField(label=_("Topic"), choices=ExamTopic.choices)
    kind = forms.ChoiceField(label=_("Question type"), choices=ExamQuestionKind.choices)
    text = forms.CharField(
        label=_("Question"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    options = forms.CharField(
        label=_("Options, one a line (none for true or false)"),
        max_length=1300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    answer = forms.CharField(
        label=_("Right answer (letters such as A or AC; for true or false: T or F)"),
        max_length=10,
    )
    explanation = forms.CharField(
        label=_("Explanation"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    source = forms.CharField(label=_("Source"), max_length=60, required=False)

    def __init__(self, *args, communities, company: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = _community_choices(communities, company=company)

    def clean_answer(self) -> list[int]:
        from propdesk.quality.services.exams import answer_letters

        try:
            return answer_letters(self.cleaned_data["answer"])
        except AppError as exc:
            raise forms.ValidationError(str(exc.message)) from exc

    def clean_options(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["options"].splitlines() if line.strip()]


class TrainingForm(ConsoleForm):
    community = forms.TypedChoiceField(label=_("Community"), coerce=int)
    kind = forms.ChoiceField(label=_("Kind"), choices=TrainingKind.choices)
    title = forms.CharField(label=_("Title"), max_length=100)
    held_on = forms.DateField(label=_("Held on"), widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.DecimalField(
        label=_("Hours"), min_value=0.5, max_value=24, decimal_places=1, initial=1
    )
    trainer = forms.CharField(label=_("Trainer"), max_length=50, required=False)
    attendees = forms.TypedMultipleChoiceField(label=_("Attended"), coerce=int)
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, communities, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(c.pk, c.name) for c in communities]
        self.fields["attendees"].choices = [(p.pk, p.display_name) for p in staff]
        self.fields["attendees"].widget.attrs["size"] = 8


class QuestionImportForm(ConsoleForm):
    file = forms.FileField(label=_("Excel workbook (.xlsx)"))
    community = forms.TypedChoiceField(
        label=_("Bank"), coerce=int, empty_value=None, required=False
    )
    dry_run = forms.BooleanField(
        label=_("Only check, import nothing"), required=False, initial=True
    )

    def __init__(self, *args, communities, company: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = _community_choices(communities, company=company)


class AdjustForm(ConsoleForm):
    dimension = forms.ChoiceField(label=_("Dimension"), choices=AssessmentDimension.choices)
    score = forms.DecimalField(
        label=_("Score"), min_value=0, max_value=100, decimal_places=1, max_digits=4
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)


def _rules_field(name: str):
    from propdesk.quality.models import AssessmentRules

    label = AssessmentRules._meta.get_field(name).verbose_name
    if name == "entry_error_target_percent":
        return forms.DecimalField(
            label=label, min_value=0, max_value=20, decimal_places=1, max_digits=4
        )
    return forms.IntegerField(label=label, min_value=0, max_value=100)


class RulesForm(ConsoleForm):
    """The six weights (adding up to 100) and the deductions; the service checks them again."""

    def __init__(self, *args, **kwargs):
        from propdesk.quality.services.rules import FIELDS

        super().__init__(*args, **kwargs)
        for name in FIELDS:
            self.fields[name] = _rules_field(name)
        for field in self.fields.values():
            css = "form-control"
            field.widget.attrs["class"] = f"{field.widget.attrs.get('class', '')} {css}".strip()
        self.fields["weight_attitude"].help_text = _("The six weights add up to 100.")


class EntryCheckForm(ConsoleForm):
    agent = forms.TypedChoiceField(label=_("Agent"), coerce=int)
    records_checked = forms.IntegerField(
        label=_("Records checked"), min_value=1, max_value=1_000_000
    )
    fields_checked = forms.IntegerField(label=_("Fields checked"), min_value=1, max_value=1_000_000)
    field_errors = forms.IntegerField(label=_("Fields wrong"), min_value=0, max_value=1_000_000)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, agents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].choices = [(a.pk, a.display_name) for a in agents]

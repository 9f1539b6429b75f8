"""Forms of the notices pages: they parse types; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from propdesk.core.forms import ConsoleForm
from propdesk.estates.models import Building, Community
from propdesk.notices.events import event_choices
from propdesk.notices.models import Announcement, NotificationTemplate


class AnnouncementForm(ConsoleForm):
    community = forms.ModelChoiceField(Community.objects.none(), label=_("Community"))
    buildings = forms.ModelMultipleChoiceField(
        Building.objects.none(),
        label=_("Buildings"),
        required=False,
        help_text=_("None chosen: the whole community."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    title = forms.CharField(label=_("Title"), max_length=100)
    body = forms.CharField(
        label=_("Text"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8})
    )
    urgent = forms.BooleanField(label=_("Emergency: send at once, even at night"), required=False)

    def __init__(self, *args, communities, announcement: Announcement | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.fields["buildings"].queryset = Building.objects.filter(
            community__in=communities
        ).select_related("community")
        self.fields["buildings"].label_from_instance = lambda b: f"{b.community.name} {b}"
        if announcement is not None:
            self.fields["community"].disabled = True


class PublishForm(ConsoleForm):
    publish_at = forms.DateTimeField(
        label=_("Publish at"),
        required=False,
        help_text=_("Empty: publish now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class TemplateForm(ConsoleForm):
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    body = forms.CharField(
        label=_("Text"), max_length=1000, widget=forms.Textarea(attrs={"rows": 5})
    )


class TemplateNewForm(ConsoleForm):
    event = forms.ChoiceField(label=_("Event"), choices=event_choices)
    channel = forms.ChoiceField(label=_("Channel"), choices=NotificationTemplate.Channel.choices)
    community = forms.ModelChoiceField(
        Community.objects.none(),
        label=_("Community"),
        required=False,
        empty_label=_("Default"),
    )

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities


class TemplatePreviewForm(TemplateForm):
    event = forms.ChoiceField(label=_("Event"), choices=event_choices)


class PreferenceForm(ConsoleForm):
    sms_enabled = forms.BooleanField(label=_("SMS"), required=False)
    email_enabled = forms.BooleanField(label=_("Email"), required=False)
    email = forms.CharField(label=_("Email address"), max_length=200, required=False)
    quiet_hours_enabled = forms.BooleanField(label=_("Do not disturb at night"), required=False)
    quiet_start = forms.TimeField(
        label=_("Quiet from"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    quiet_end = forms.TimeField(
        label=_("Quiet until"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

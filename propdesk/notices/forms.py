"""Forms of the notices pages: they parse types; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from propdesk.core.forms import ConsoleForm
from propdesk.estates.models import Building, Community
from propdesk.notices.events import event_choices
from propdesk.notices.models import Announcement, NotificationTemplate, SmsGateway


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
    wechat_enabled = forms.BooleanField(label=_("WeChat"), required=False)
    email_enabled = forms.BooleanField(label=_("Email"), required=False)
    email = forms.CharField(label=_("Email address"), max_length=200, required=False)
    quiet_hours_enabled = forms.BooleanField(label=_("Do not disturb at night"), required=False)
    quiet_start = forms.TimeField(
        label=_("Quiet from"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    quiet_end = forms.TimeField(
        label=_("Quiet until"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )


class SecretInput(forms.PasswordInput):
    """A credential field: never rendered with a value, so a saved secret is never shown."""

    def __init__(self, attrs=None):
        super().__init__(
            attrs={"autocomplete": "new-password", **(attrs or {})}, render_value=False
        )


TEMPLATES_HELP = _(
    "One message kind a line: kind = TEMPLATE_CODE: parameter=variable, … "
    "(* for every other kind; the variable text is the whole message)."
)


class SmsGatewayForm(ConsoleForm):
    provider = forms.ChoiceField(
        label=_("SMS service provider"), choices=SmsGateway.Provider.choices
    )
    access_key_id = forms.CharField(
        label=_("AccessKey ID / SecretId"),
        required=False,
        max_length=200,
        widget=SecretInput,
        help_text=_("Stored encrypted and never shown again. Leave empty to keep the saved one."),
    )
    access_key_secret = forms.CharField(
        label=_("AccessKey secret / SecretKey"),
        required=False,
        max_length=200,
        widget=SecretInput,
        help_text=_("Stored encrypted and never shown again. Leave empty to keep the saved one."),
    )
    sign_name = forms.CharField(label=_("signature"), max_length=40)
    sdk_app_id = forms.CharField(label=_("SDK AppID (Tencent)"), max_length=20, required=False)
    region = forms.CharField(label=_("region"), max_length=30, required=False)
    endpoint = forms.CharField(
        label=_("API host"),
        max_length=200,
        required=False,
        help_text=_("Empty: the provider's public address."),
    )
    use_tls = forms.BooleanField(label=_("HTTPS"), required=False, initial=True)
    per_minute = forms.IntegerField(label=_("per number per minute"), min_value=0, initial=1)
    per_hour = forms.IntegerField(label=_("per number per hour"), min_value=0, initial=5)
    per_day = forms.IntegerField(label=_("per number per day"), min_value=0, initial=10)
    enabled = forms.BooleanField(label=_("in use"), required=False, initial=True)
    templates = forms.CharField(
        label=_("templates"),
        required=False,
        max_length=10000,
        help_text=TEMPLATES_HELP,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class WechatAccountForm(ConsoleForm):
    app_id = forms.CharField(label=_("AppID"), max_length=32)
    app_secret = forms.CharField(
        label=_("AppSecret"),
        required=False,
        max_length=200,
        widget=SecretInput,
        help_text=_("Stored encrypted and never shown again. Leave empty to keep the saved one."),
    )
    api_base = forms.CharField(
        label=_("API address"), max_length=200, initial="https://api.weixin.qq.com"
    )
    oauth_base = forms.CharField(
        label=_("sign-in address"), max_length=200, initial="https://open.weixin.qq.com"
    )
    portal_url = forms.CharField(label=_("portal address"), max_length=200, required=False)
    enabled = forms.BooleanField(label=_("in use"), required=False, initial=True)
    templates = forms.CharField(
        label=_("templates"),
        required=False,
        max_length=10000,
        help_text=TEMPLATES_HELP,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

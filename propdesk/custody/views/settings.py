"""The community's rules for keys and passes (supervisors)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from propdesk.accounts.models import User
from propdesk.core.permissions import Perm, communities_for
from propdesk.core.views import console_view, form_page
from propdesk.custody import forms
from propdesk.custody.services.config import custody_settings_for, custody_settings_update
from propdesk.custody.views._common import as_int, community_of, staff_choices


@console_view
def settings_page(request):
    user = request.user
    chosen = request.POST.get("community") or request.GET.get("community")
    community = community_of(user, as_int(chosen), Perm.FRONTDESK_CONFIGURE)
    config = custody_settings_for(community.id)
    form = forms.SettingsForm(
        request.POST or None,
        staff_choices=staff_choices(community.id),
        initial={
            "community": community.id,
            "release_needs_fees_paid": config.release_needs_fees_paid,
            "key_overdue_hours": config.key_overdue_hours,
            "pass_validity_hours": config.pass_validity_hours,
            "repair_lead": str(config.repair_lead_id or ""),
        },
    )

    def save(data):
        lead_id = as_int(data["repair_lead"])
        return custody_settings_update(
            actor=user,
            community=community,
            release_needs_fees_paid=data["release_needs_fees_paid"],
            key_overdue_hours=data["key_overdue_hours"],
            pass_validity_hours=data["pass_validity_hours"],
            repair_lead=User.objects.filter(pk=lead_id).first() if lead_id else None,
        )

    url = f"{reverse('custody_settings')}?community={community.id}"
    return form_page(
        request,
        form=form,
        title=_("Keys and passes rules: %(community)s") % {"community": community.name},
        save=save,
        success_url=url,
        cancel_url=reverse("custody_home"),
        success_message=_("Saved."),
        template="custody/pages/settings.html",
        extra={"communities": communities_for(user), "community": community},
    )

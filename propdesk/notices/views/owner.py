"""The owner's pages (/m/notices/, /m/inbox/, /m/profile/): phone-sized, their own data only.

Every object is fetched through the owner selectors, which start from the signed-in owner's
houses or address: another community's announcement or another person's message is a 404.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from propdesk.core import errors
from propdesk.core.views import form_error, owner_view
from propdesk.notices import selectors
from propdesk.notices.forms import PreferenceForm
from propdesk.notices.services import reading
from propdesk.notices.services.preferences import contact_preference_save

PAGE_SIZE = 20


def _page(request, rows):
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


@owner_view
def notice_list(request):
    page = _page(request, selectors.announcements_for_owner(request.user))
    return render(request, "notices/owner/notice_list.html", {"page": page, "tab": "notices"})


@owner_view
def notice_detail(request, announcement_id: int):
    notice = selectors.announcement_for_owner(request.user, announcement_id)
    reading.announcement_mark_read(user=request.user, announcement=notice)
    return render(request, "notices/owner/notice_detail.html", {"notice": notice, "tab": "notices"})


@owner_view
def inbox(request):
    page = _page(request, selectors.inbox_for(request.user))
    return render(request, "notices/owner/inbox.html", {"page": page, "tab": "inbox"})


@owner_view
def inbox_detail(request, message_id: int):
    message = selectors.inbox_message_for(request.user, message_id)
    reading.inbox_mark_read(user=request.user, message=message)
    return render(request, "notices/owner/inbox_detail.html", {"item": message, "tab": "inbox"})


@owner_view
def profile(request):
    pref = selectors.preference_for(request.user)
    initial = {
        "sms_enabled": pref.sms_enabled,
        "wechat_enabled": pref.wechat_enabled,
        "email_enabled": pref.email_enabled,
        "email": pref.email,
        "quiet_hours_enabled": pref.quiet_hours_enabled,
        "quiet_start": pref.quiet_start,
        "quiet_end": pref.quiet_end,
    }
    form = PreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            contact_preference_save(actor=request.user, **form.cleaned_data)
        except errors.AppError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Your contact preferences are saved."))
            return redirect("notices_owner_profile")
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "notices/owner/profile.html", {"form": form, "tab": "profile"}, status=status
    )

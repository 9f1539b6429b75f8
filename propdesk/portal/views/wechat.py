"""WeChat on the portal: link an owner account's openid, and sign in with a linked WeChat.

Both go through WeChat's web sign-in (OAuth 2, `snsapi_base`: silent inside WeChat, no consent
screen). The flow starts with a POST from a portal page (so another site cannot start it), goes
to WeChat with a signed, single-use `state` bound to this browser's session
(`notices.wechat.oauth_state_issue`), and comes back to `/m/wechat/callback/` with a code this
server exchanges for the openid. A forged, altered, stale or replayed state changes nothing.
"""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from propdesk.core.errors import AppError
from propdesk.core.permissions import is_owner_account
from propdesk.notices.services.wechat import (
    wechat_link_remove,
    wechat_link_save,
    wechat_openid_from_code,
)
from propdesk.notices.wechat import (
    oauth_state_consume,
    oauth_state_issue,
    wechat_account_by_app_id,
    wechat_account_for_user,
    wechat_account_only,
    wechat_client,
    wechat_openid_for,
    wechat_user_for_openid,
)
from propdesk.portal.views._common import portal_view

BACKEND = "django.contrib.auth.backends.ModelBackend"


def _callback_uri(request, *, app_id: str, purpose: str) -> str:
    path = reverse("portal:wechat_callback") + "?" + urlencode({"app": app_id, "p": purpose})
    return request.build_absolute_uri(path)


def _go_to_wechat(request, *, account, purpose: str, user_id: int):
    state = oauth_state_issue(
        session=request.session, purpose=purpose, user_id=user_id, app_id=account.app_id
    )
    url = wechat_client(account).authorize_url(
        redirect_uri=_callback_uri(request, app_id=account.app_id, purpose=purpose), state=state
    )
    return redirect(url)


@portal_view
def wechat_page(request):
    account = wechat_account_for_user(request.user)
    context = {
        "account": account,
        "linked": bool(account and wechat_openid_for(request.user, account.app_id)),
        "tab": "profile",
    }
    return render(request, "portal/wechat.html", context)


@require_POST
@portal_view
def wechat_link_start(request):
    account = wechat_account_for_user(request.user)
    if account is None:
        messages.error(request, _("Your property company has no WeChat service account set up."))
        return redirect("portal:wechat")
    return _go_to_wechat(request, account=account, purpose="link", user_id=request.user.pk)


@require_POST
@portal_view
def wechat_unlink(request):
    wechat_link_remove(actor=request.user)
    messages.success(request, _("WeChat is no longer linked. You will not get WeChat messages."))
    return redirect("portal:wechat")


@require_POST
def wechat_signin_start(request):
    account = wechat_account_only()
    if account is None:
        messages.error(request, _("Signing in with WeChat is not available here."))
        return redirect("portal:login")
    return _go_to_wechat(request, account=account, purpose="signin", user_id=0)


def _refused(request, message: str, *, status: int = 400):
    return render(
        request, "portal/wechat_refused.html", {"message": message, "tab": "profile"}, status=status
    )


@require_GET
def wechat_callback(request):
    """Where WeChat sends the browser back: `?app=&p=&code=&state=`."""
    purpose = request.GET.get("p", "")
    app_id = request.GET.get("app", "")[:32]
    account = wechat_account_by_app_id(app_id) if app_id else None
    linking = purpose == "link"
    if purpose not in ("link", "signin") or account is None:
        return _refused(request, _("This WeChat sign-in is not valid. Please start again."))
    if linking and not is_owner_account(request.user):
        return redirect(f"{reverse('portal:login')}?next={reverse('portal:wechat')}")
    user_id = request.user.pk if linking else 0
    if not oauth_state_consume(
        session=request.session,
        state=request.GET.get("state", ""),
        purpose=purpose,
        user_id=user_id,
        app_id=account.app_id,
    ):
        return _refused(
            request, _("This WeChat sign-in is not valid or was already used. Please start again.")
        )
    try:
        openid = wechat_openid_from_code(account=account, code=request.GET.get("code", ""))
        if linking:
            wechat_link_save(actor=request.user, account=account, openid=openid)
    except AppError as exc:
        return _refused(request, str(exc.message))
    if linking:
        messages.success(request, _("WeChat is linked: messages will also reach you there."))
        return redirect("portal:wechat")
    user = wechat_user_for_openid(app_id=account.app_id, openid=openid)
    if user is None:
        messages.info(
            request,
            _(
                "This WeChat is not linked to an owner account yet. Sign in with your mobile "
                "once, then link WeChat on your profile."
            ),
        )
        return redirect("portal:login")
    login(request, user, backend=BACKEND)
    return redirect("portal:home")

"""Linking an owner account to WeChat, and the company's service account settings.

The openid comes only from WeChat's web sign-in (`wechat_link_from_code`: the code WeChat hands
to the portal, exchanged by this server for the openid): nobody types one in, so nobody can
point another person's messages, or their payments, at their own WeChat.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from propdesk.core import audit
from propdesk.core.errors import PermissionDenied, ValidationFailed
from propdesk.core.permissions import is_owner_account
from propdesk.core.transports import TransportError
from propdesk.core.transports.wechat import WechatConfigError
from propdesk.notices import error_codes
from propdesk.notices.models import WechatAccount, WechatLink
from propdesk.notices.wechat import wechat_client


def wechat_openid_from_code(*, account: WechatAccount, code: str) -> str:
    """Exchange the sign-in code for the openid (WeChat's `sns/oauth2/access_token`)."""
    code = (code or "").strip()
    if not code or len(code) > 128 or not code.isascii() or not code.isprintable():
        raise ValidationFailed(
            _("WeChat did not pass a sign-in code."), field="code", code=error_codes.WECHAT_REFUSED
        )
    try:
        return wechat_client(account).openid_for_code(code)
    except WechatConfigError as exc:
        raise ValidationFailed(
            _("The WeChat service account is not set up correctly. Please tell the office."),
            field="code",
            code=error_codes.WECHAT_NOT_CONFIGURED,
        ) from exc
    except TransportError as exc:
        raise ValidationFailed(
            _("WeChat did not confirm the sign-in. Please try again."),
            field="code",
            code=error_codes.WECHAT_REFUSED,
        ) from exc


@transaction.atomic
def wechat_link_save(*, actor, account: WechatAccount, openid: str) -> WechatLink:
    """Link the actor's owner account to `openid` under the account's app (replacing an earlier
    WeChat of the same person). An openid already linked to another owner account is refused:
    that person unlinks there first."""
    if not is_owner_account(actor):
        raise PermissionDenied(_("Only owners link WeChat here."))
    taken = (
        WechatLink.objects.filter(app_id=account.app_id, openid=openid)
        .exclude(user_id=actor.pk)
        .exists()
    )
    if taken:
        raise ValidationFailed(
            _("This WeChat is already linked to another owner account."),
            field="openid",
            code=error_codes.WECHAT_OPENID_TAKEN,
        )
    link = WechatLink.objects.select_for_update().filter(user=actor, app_id=account.app_id).first()
    try:
        with transaction.atomic():
            if link is None:
                link = WechatLink.objects.create(user=actor, app_id=account.app_id, openid=openid)
                action = "create"
            elif link.openid != openid:
                link.openid, link.linked_at = openid, timezone.now()
                link.save(update_fields=["openid", "linked_at"])
                action = "update"
            else:
                return link
    except IntegrityError as exc:  # the same openid linked by another account meanwhile
        raise ValidationFailed(
            _("This WeChat is already linked to another owner account."),
            field="openid",
            code=error_codes.WECHAT_OPENID_TAKEN,
        ) from exc
    audit.record_change(
        actor=actor, instance=link, action=action, object_repr=_("WeChat link"), note=account.app_id
    )
    return link


@transaction.atomic
def wechat_link_remove(*, actor) -> int:
    """The owner unlinks WeChat: no more WeChat messages, and WeChat sign-in stops working."""
    if not is_owner_account(actor):
        raise PermissionDenied(_("Only owners link WeChat here."))
    links = list(WechatLink.objects.filter(user=actor))
    for link in links:
        audit.record_change(
            actor=actor, instance=link, action="delete", object_repr=_("WeChat link")
        )
    WechatLink.objects.filter(id__in=[link.id for link in links]).delete()
    return len(links)

"""WeChat service account: which account serves an owner, the owner's openid, sign-in states.

- `wechat_openid_for(user, app_id=None)` — **the** way to read an owner account's openid (the
  WeChat messages here, JSAPI payments in the portal): the openid linked under `app_id`, or under
  the service account of the company whose houses the owner has; None when not linked.
- `wechat_account_for_user(user)` / `wechat_account_by_app_id(app_id)` — the configured account.
- `oauth_state_issue` / `oauth_state_consume` — the `state` of WeChat's web sign-in, against
  CSRF: signed (HMAC-SHA256 under a key derived from SECRET_KEY) over its nonce, purpose, the
  account id asking (0 for a sign-in) and time; bound to the browser's session; single-use (the
  nonce leaves the session and the shared cache at the first callback); 10 minutes at most.
  WeChat allows `[a-zA-Z0-9]{,128}` in `state`, so it is hex: nonce + time + MAC (88 characters).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from django.conf import settings
from django.core.cache import caches

from propdesk.core.permissions import is_owner_account
from propdesk.core.transports.wechat import (
    DEFAULT_API_BASE,
    WechatAccountConfig,
    WechatClient,
)
from propdesk.estates import owner_access
from propdesk.estates.models import Community
from propdesk.notices.models import WechatAccount, WechatLink

STATE_MAX_AGE = 600
SESSION_KEY = "wechat_oauth_nonces"
PURPOSES = ("link", "signin")


def _company_ids_for(user) -> list[int]:
    community_ids = {right.community_id for right in owner_access.house_rights(user)}
    if not community_ids:
        return []
    return list(
        Community.objects.filter(id__in=community_ids)
        .order_by("company_id")
        .values_list("company_id", flat=True)
        .distinct()
    )


def wechat_account_by_app_id(app_id: str) -> WechatAccount | None:
    return WechatAccount.objects.filter(app_id=app_id, enabled=True).first()


def wechat_account_for_company(company_id: int | None) -> WechatAccount | None:
    if company_id is None:
        return None
    return WechatAccount.objects.filter(company_id=company_id, enabled=True).first()


def wechat_account_only() -> WechatAccount | None:
    """The site's one service account, when exactly one is in use (the usual install)."""
    accounts = list(WechatAccount.objects.filter(enabled=True)[:2])
    return accounts[0] if len(accounts) == 1 else None


def wechat_account_for_user(user) -> WechatAccount | None:
    """The service account of the first company (by id) whose houses this owner has that has
    one in use; the site's only account when the owner has no house yet."""
    if not is_owner_account(user):
        return None
    company_ids = _company_ids_for(user)
    if company_ids:
        found = {
            a.company_id: a
            for a in WechatAccount.objects.filter(company_id__in=company_ids, enabled=True)
        }
        for company_id in company_ids:
            if company_id in found:
                return found[company_id]
        return None
    return wechat_account_only()


def wechat_openid_for(user, app_id: str | None = None) -> str | None:
    """The openid this owner account linked under `app_id` (default: its company's service
    account), or None. Only linked through WeChat's own sign-in (`wechat_link_save`)."""
    if user is None or not getattr(user, "pk", None) or not is_owner_account(user):
        return None
    if app_id is None:
        account = wechat_account_for_user(user)
        if account is None:
            return None
        app_id = account.app_id
    return (
        WechatLink.objects.filter(user_id=user.pk, app_id=app_id)
        .values_list("openid", flat=True)
        .first()
    )


def wechat_openids_for(users, community_id: int | None) -> dict[int, str]:
    """{user id: openid} of these owner accounts linked under the service account of the
    community's company (one query each): the senders add a WeChat message for them."""
    company_id = (
        Community.objects.filter(id=community_id).values_list("company_id", flat=True).first()
        if community_id is not None
        else None
    )
    account = (
        wechat_account_for_company(company_id) if company_id is not None else wechat_account_only()
    )
    ids = [u.pk for u in users if u is not None and is_owner_account(u)]
    if account is None or not ids:
        return {}
    return dict(
        WechatLink.objects.filter(app_id=account.app_id, user_id__in=ids).values_list(
            "user_id", "openid"
        )
    )


def wechat_user_for_openid(*, app_id: str, openid: str):
    link = WechatLink.objects.select_related("user").filter(app_id=app_id, openid=openid).first()
    if link is None or not link.user.is_active or not is_owner_account(link.user):
        return None
    return link.user


def wechat_client(account: WechatAccount) -> WechatClient:
    return WechatClient(account_config(account))


def account_config(account: WechatAccount) -> WechatAccountConfig:
    templates = {
        t.event: (t.template_id, [tuple(pair) for pair in t.fields or []])
        for t in account.templates.all()
    }
    return WechatAccountConfig(
        app_id=account.app_id,
        app_secret=account.app_secret,
        api_base=account.api_base or DEFAULT_API_BASE,
        oauth_base=account.oauth_base,
        timeout=float(getattr(settings, "WECHAT_TIMEOUT", 10)),
        templates=templates,
        link_url=(account.portal_url.rstrip("/") + "/inbox/") if account.portal_url else "",
    )


# -- the sign-in's state -------------------------------------------------------------------------


def _mac(nonce: str, issued: str, purpose: str, user_id: int, app_id: str) -> str:
    key = hashlib.sha256(b"propdesk.wechat.oauth-state|" + settings.SECRET_KEY.encode()).digest()
    text = f"{nonce}|{issued}|{purpose}|{user_id}|{app_id}".encode()
    return hmac.new(key, text, hashlib.sha256).hexdigest()[:48]


def _used_key(nonce: str) -> str:
    return f"wechat:oauth-state:{nonce}"


def oauth_state_issue(*, session, purpose: str, user_id: int, app_id: str) -> str:
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    nonce = secrets.token_hex(16)
    issued = f"{int(time.time()):08x}"
    pending = [n for n in session.get(SESSION_KEY, []) if isinstance(n, str)][-4:]
    session[SESSION_KEY] = [*pending, nonce]
    caches["shared"].set(_used_key(nonce), "open", timeout=STATE_MAX_AGE)
    return nonce + issued + _mac(nonce, issued, purpose, user_id, app_id)


def oauth_state_consume(*, session, state: str, purpose: str, user_id: int, app_id: str) -> bool:
    """True once for a state this browser was given for this purpose, account and app, within
    ten minutes; False for a forged, altered, stale, foreign or replayed one."""
    if not isinstance(state, str) or len(state) != 88 or not state.isalnum():
        return False
    nonce, issued, mac = state[:32], state[32:40], state[40:]
    expected = _mac(nonce, issued, purpose, user_id, app_id)
    if not hmac.compare_digest(mac, expected):
        return False
    try:
        age = time.time() - int(issued, 16)
    except ValueError:
        return False
    pending = [n for n in session.get(SESSION_KEY, []) if isinstance(n, str)]
    if nonce not in pending:
        return False
    session[SESSION_KEY] = [n for n in pending if n != nonce]
    # The shared cache makes it single-use across web processes too: only one delete wins.
    if not caches["shared"].delete(_used_key(nonce)):
        return False
    return 0 <= age <= STATE_MAX_AGE

"""WeChat service account (微信服务号): template messages and the web OAuth (snsapi_base).

Plain HTTPS JSON on the documented endpoints, under a configurable base URL (a stand-in in the
tests, `https://api.weixin.qq.com` in production):

- `GET /cgi-bin/token?grant_type=client_credential&appid=&secret=` → `{access_token, expires_in}`.
  The token is shared by every web and worker process through the `shared` cache (Redis in
  production), encrypted there, refreshed five minutes before it expires by one process at a
  time (a lock in the cache): WeChat invalidates the previous token when a new one is taken, so
  processes fetching their own would log each other out.
- `POST /cgi-bin/message/template/send?access_token=` with `{touser, template_id, url, data,
  client_msg_id}` → `{errcode: 0, msgid}`; `client_msg_id` (the outbox dedupe key) lets WeChat
  drop a retried send.
- `GET /sns/oauth2/access_token?appid=&secret=&code=&grant_type=authorization_code` → `{openid}`.

Errors are classified as the outbox needs them: an expired or revoked token is refreshed and the
send tried once more; "busy" (-1), quota (45009) and transport failures are retried; a person who
does not follow the account (43004) or an openid that is not the account's (40003) is
unreachable; a bad template or argument is permanent. The app secret and tokens never reach a
log line or an exception message.
"""

from __future__ import annotations

import datetime
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from django.core.cache import caches
from django.utils import timezone

from propdesk.core.secrets import Secret, decrypt_text, encrypt_text
from propdesk.core.transports.base import Transport, TransportDeferred, TransportError
from propdesk.core.transports.log import log_sent
from propdesk.core.transports.sources import provider_source

logger = logging.getLogger("propdesk.outbox")

DEFAULT_API_BASE = "https://api.weixin.qq.com"
DEFAULT_OAUTH_BASE = "https://open.weixin.qq.com"
TOKEN_EXPIRED = {40001, 40014, 42001}
NOT_DELIVERABLE = {
    43004: "the person does not follow the account",
    40003: "not this account's openid",
}
RETRY = {-1, 45009, 45047}
CONFIGURATION = {40013, 40125, 40164, 41002, 41004, 40002}
REFRESH_MARGIN = 300  # seconds before expiry a token is taken again
LOCK_WAIT = 5.0


class WechatConfigError(TransportError):
    """The account's settings are wrong (app id, secret, IP allow-list): no message can go."""

    def __init__(self, message: str):
        super().__init__(message, permanent=True)


def token_cache():
    return caches["shared"]


@dataclass(frozen=True)
class WechatAccountConfig:
    app_id: str
    app_secret: Secret
    api_base: str = DEFAULT_API_BASE
    oauth_base: str = DEFAULT_OAUTH_BASE
    timeout: float = 10.0
    templates: dict = field(default_factory=dict)  # event → (template_id, [(key, variable)])
    link_url: str = ""  # where a message opens (the portal's inbox)


class WechatClient:
    def __init__(self, config: WechatAccountConfig):
        self.config = config

    # -- transport --------------------------------------------------------------------------
    def _call(self, method: str, path: str, query: dict, body: dict | None = None) -> dict:
        url = self.config.api_base.rstrip("/") + path + "?" + urllib.parse.urlencode(query)
        if not url.startswith(("https://", "http://")):
            raise WechatConfigError("the WeChat API address is not an http(s) address")
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        request = urllib.request.Request(  # noqa: S310 (scheme checked above)
            url,
            data=data,
            method=method,
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.config.timeout) as response:  # noqa: S310
                raw = response.read(65536)
        except urllib.error.HTTPError as exc:
            raise TransportError(f"WeChat answered HTTP {exc.code} on {path}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise TransportError(f"WeChat unreachable on {path}: {type(exc).__name__}") from None
        try:
            answer = json.loads(raw)
        except ValueError:
            raise TransportError(f"WeChat answered something other than JSON on {path}") from None
        if not isinstance(answer, dict):
            raise TransportError(f"WeChat answered an unexpected document on {path}")
        return answer

    @staticmethod
    def _errcode(answer: dict) -> int:
        try:
            return int(answer.get("errcode") or 0)
        except (TypeError, ValueError):
            return -1

    # -- access token -----------------------------------------------------------------------
    def _token_key(self) -> str:
        return f"wechat:token:{self.config.app_id}"

    def access_token(self, *, refresh: bool = False, stale: str = "") -> str:
        """The account's access token from the shared cache, taken from WeChat when missing,
        near its expiry or rejected (`stale`: the token WeChat just refused)."""
        cache = token_cache()
        cached = decrypt_text(cache.get(self._token_key()) or "").reveal()
        if cached and not refresh and cached != stale:
            return cached
        lock = f"wechat:token-lock:{self.config.app_id}"
        deadline = time.monotonic() + LOCK_WAIT
        while not cache.add(lock, "1", timeout=30):
            # Another process is taking a token: use it when it arrives.
            time.sleep(0.05)
            fresh = decrypt_text(cache.get(self._token_key()) or "").reveal()
            if fresh and fresh != stale and fresh != cached:
                return fresh
            if time.monotonic() > deadline:
                break
        try:
            fresh = decrypt_text(cache.get(self._token_key()) or "").reveal()
            if fresh and fresh != stale and fresh != cached:
                return fresh  # taken by another process while this one waited for the lock
            return self._fetch_token()
        finally:
            cache.delete(lock)

    def _fetch_token(self) -> str:
        answer = self._call(
            "GET",
            "/cgi-bin/token",
            {
                "grant_type": "client_credential",
                "appid": self.config.app_id,
                "secret": self.config.app_secret.reveal(),
            },
        )
        code = self._errcode(answer)
        if code in CONFIGURATION:
            raise WechatConfigError(f"WeChat refused the account's app id or secret ({code})")
        token = answer.get("access_token")
        if code or not isinstance(token, str) or not token:
            raise TransportError(f"WeChat gave no access token ({code})")
        try:
            expires_in = max(int(answer.get("expires_in") or 7200) - REFRESH_MARGIN, 60)
        except (TypeError, ValueError):
            expires_in = 7200 - REFRESH_MARGIN
        token_cache().set(self._token_key(), encrypt_text(token), timeout=expires_in)
        return token

    def check_credentials(self) -> None:
        """Take a token now (the settings page's test): WechatConfigError when refused."""
        self.access_token(refresh=True)

    # -- template messages ------------------------------------------------------------------
    def send_template(
        self, *, openid: str, template_id: str, data: dict, url: str = "", client_msg_id: str = ""
    ) -> str:
        body = {
            "touser": openid,
            "template_id": template_id,
            "data": {key: {"value": str(value)[:200]} for key, value in data.items()},
        }
        if url:
            body["url"] = url
        if client_msg_id:
            body["client_msg_id"] = client_msg_id[:64]
        token = self.access_token()
        answer = self._call("POST", "/cgi-bin/message/template/send", {"access_token": token}, body)
        code = self._errcode(answer)
        if code in TOKEN_EXPIRED:
            token = self.access_token(refresh=True, stale=token)
            answer = self._call(
                "POST", "/cgi-bin/message/template/send", {"access_token": token}, body
            )
            code = self._errcode(answer)
        if code == 0:
            return str(answer.get("msgid") or "")
        if code in NOT_DELIVERABLE:  # they may follow again: not marked unreachable
            raise TransportError(f"WeChat {code}: {NOT_DELIVERABLE[code]}", permanent=True)
        if code == 45009:  # the account's daily quota: tomorrow
            tomorrow = timezone.localtime() + datetime.timedelta(days=1)
            raise TransportDeferred(
                "WeChat 45009: the daily quota is used up",
                retry_at=tomorrow.replace(hour=8, minute=0, second=0, microsecond=0),
            )
        if code in RETRY or code in TOKEN_EXPIRED:
            raise TransportError(f"WeChat {code}: busy, try again")
        if code in CONFIGURATION:
            raise WechatConfigError(f"WeChat refused the account's credentials ({code})")
        raise TransportError(f"WeChat refused the message ({code})", permanent=True)

    # -- web OAuth (snsapi_base) ------------------------------------------------------------
    def authorize_url(self, *, redirect_uri: str, state: str) -> str:
        query = urllib.parse.urlencode(
            {
                "appid": self.config.app_id,
                "redirect_uri": redirect_uri,
                "response_type": "code",
                "scope": "snsapi_base",
                "state": state,
            }
        )
        return (
            f"{self.config.oauth_base.rstrip('/')}/connect/oauth2/authorize?{query}#wechat_redirect"
        )

    def openid_for_code(self, code: str) -> str:
        """The openid WeChat gives for the code of a sign-in; TransportError when refused."""
        answer = self._call(
            "GET",
            "/sns/oauth2/access_token",
            {
                "appid": self.config.app_id,
                "secret": self.config.app_secret.reveal(),
                "code": code,
                "grant_type": "authorization_code",
            },
        )
        errcode = self._errcode(answer)
        if errcode in CONFIGURATION:
            raise WechatConfigError(f"WeChat refused the account's app id or secret ({errcode})")
        openid = answer.get("openid")
        if errcode or not isinstance(openid, str) or not openid:
            raise TransportError(f"WeChat refused the sign-in code ({errcode})", permanent=True)
        return openid


class WechatTransport(Transport):
    """The outbox's WeChat channel: a template message through the company's service account
    (`recipient` is the openid). Without a configured account it writes the masked log line, as
    the log stand-in did."""

    def send(self, message) -> str | None:
        source = provider_source("wechat")
        client = source.for_message(message) if source is not None else None
        if client is None:
            log_sent(
                message.channel, message.recipient, message.event, message.dedupe_key, message.body
            )
            return None
        templates = client.config.templates
        template = templates.get(message.event) or templates.get("*")
        if template is None:
            raise TransportError(
                f"no WeChat template is registered for {message.event!r}", permanent=True
            )
        template_id, fields = template
        variables = {**(message.params or {}), "text": message.body}
        data = {key: variables.get(variable, "") for key, variable in fields}
        return client.send_template(
            openid=message.recipient,
            template_id=template_id,
            data=data,
            url=client.config.link_url,
            client_msg_id=message.dedupe_key,
        )

    def delivers(self) -> bool:
        source = provider_source("wechat")
        return bool(source is not None and source.deploy_problems()[0])

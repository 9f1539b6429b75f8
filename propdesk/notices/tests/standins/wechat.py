"""WeChat's side (官方文档: 获取 access_token, 模板消息发送, 网页授权 snsapi_base).

- `/cgi-bin/token`: the app id and secret must match; each call issues a new token and the
  previous one stops working (as WeChat does, after its grace period, here at once).
- `/cgi-bin/message/template/send`: the token must be the current one (40001), the template must
  exist (40037), the openid must be this account's (40003) and follow it (43004); scripted
  errors (`fail_next`) answer -1 (busy), 45009 (quota) or anything else; `client_msg_id` seen
  before sends nothing again.
- `/sns/oauth2/access_token`: a code WeChat handed out, once (40163 for a used one, 40029 for an
  unknown one).
"""

import itertools
import json

from propdesk.notices.tests.standins import StandIn


class WechatStandIn(StandIn):
    def __init__(self, *, app_id="wx0123456789abcdef", app_secret="wechat-app-secret-0001"):
        super().__init__()
        self.app_id = app_id
        self.app_secret = app_secret
        self.tokens = itertools.count(1)
        self.token = None
        self.token_fetches = 0
        self.templates = {"TPL-REQUEST", "TPL-BILL", "TPL-ANNOUNCE"}
        self.openids: set[str] = set()
        self.followers: set[str] = set()
        self.codes: dict[str, str] = {}
        self.used_codes: set[str] = set()
        self.fail_next: list[int] = []
        self.sent: list[dict] = []
        self.seen_client_ids: dict[str, int] = {}
        self.msgids = itertools.count(200228332)

    def follower(self, openid: str, *, following: bool = True) -> str:
        self.openids.add(openid)
        if following:
            self.followers.add(openid)
        return openid

    def code_for(self, openid: str) -> str:
        code = f"code{len(self.codes) + 1:04d}"
        self.codes[code] = openid
        self.openids.add(openid)
        return code

    def handle(self, method, path, query, headers, body):
        if path == "/cgi-bin/token" and method == "GET":
            if query.get("appid") != self.app_id:
                return self.json(200, {"errcode": 40013, "errmsg": "invalid appid"})
            if query.get("secret") != self.app_secret:
                return self.json(200, {"errcode": 40125, "errmsg": "invalid appsecret"})
            if query.get("grant_type") != "client_credential":
                return self.json(200, {"errcode": 40002, "errmsg": "invalid grant_type"})
            self.token_fetches += 1
            self.token = f"ACCESS_TOKEN_{next(self.tokens)}"
            return self.json(200, {"access_token": self.token, "expires_in": 7200})
        if path == "/cgi-bin/message/template/send" and method == "POST":
            if not self.token or query.get("access_token") != self.token:
                return self.json(200, {"errcode": 40001, "errmsg": "invalid credential"})
            try:
                message = json.loads(body)
            except ValueError:
                return self.json(200, {"errcode": 47001, "errmsg": "data format error"})
            if self.fail_next:
                code = self.fail_next.pop(0)
                return self.json(200, {"errcode": code, "errmsg": "scripted"})
            if message.get("template_id") not in self.templates:
                return self.json(200, {"errcode": 40037, "errmsg": "invalid template_id"})
            openid = message.get("touser")
            if openid not in self.openids:
                return self.json(200, {"errcode": 40003, "errmsg": "invalid openid"})
            if openid not in self.followers:
                return self.json(200, {"errcode": 43004, "errmsg": "require subscribe"})
            client_id = message.get("client_msg_id")
            if client_id and client_id in self.seen_client_ids:
                return self.json(
                    200, {"errcode": 0, "errmsg": "ok", "msgid": self.seen_client_ids[client_id]}
                )
            msgid = next(self.msgids)
            if client_id:
                self.seen_client_ids[client_id] = msgid
            self.sent.append(message)
            return self.json(200, {"errcode": 0, "errmsg": "ok", "msgid": msgid})
        if path == "/sns/oauth2/access_token" and method == "GET":
            if query.get("appid") != self.app_id or query.get("secret") != self.app_secret:
                return self.json(200, {"errcode": 40125, "errmsg": "invalid appsecret"})
            code = query.get("code", "")
            if code in self.used_codes:
                return self.json(200, {"errcode": 40163, "errmsg": "code been used"})
            if code not in self.codes:
                return self.json(200, {"errcode": 40029, "errmsg": "invalid code"})
            self.used_codes.add(code)
            return self.json(
                200,
                {
                    "access_token": "OAUTH_TOKEN",
                    "expires_in": 7200,
                    "refresh_token": "REFRESH",
                    "openid": self.codes[code],
                    "scope": "snsapi_base",
                },
            )
        return self.json(404, {"errcode": 404, "errmsg": "no such endpoint"})

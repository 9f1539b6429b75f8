"""API authentication: an integration's bearer token, or a logged-in session (with CSRF).

A request that presents a bearer token is judged by that token alone: a revoked, unknown or
malformed token is refused with 401 even when a session cookie comes along. Without a token the
console's session is used, and unsafe methods must carry the CSRF token, as on the pages.
"""

import re

from django.conf import settings
from ninja.errors import AuthenticationError
from ninja.security import APIKeyCookie, HttpBearer

from propdesk.accounts.models import ApiToken, hash_token
from propdesk.accounts.token_cache import token_user

# ApiToken.generate_key(): the prefix and 43 URL-safe characters; a little slack for the future.
TOKEN_RE = re.compile(rf"^{re.escape(ApiToken.PREFIX)}[A-Za-z0-9_-]{{20,100}}$")


class TokenAuth(HttpBearer):
    def __call__(self, request):
        header = request.headers.get(self.header)
        if not header:
            return None  # no token presented: let the session decide
        scheme, _sep, token = header.partition(" ")
        if scheme.lower() != self.openapi_scheme or not token:
            raise AuthenticationError()
        return self.authenticate(request, token.strip())

    def authenticate(self, request, token):
        if not TOKEN_RE.match(token):
            raise AuthenticationError()
        # Remembered per process for a few seconds, cleared on any change (accounts.token_cache).
        user = token_user(hash_token(token))
        if user is None:
            raise AuthenticationError()
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The console's own session; unsafe methods need the CSRF token, as on the pages."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None  # anonymous: a 401, not a CSRF complaint
        return super()._get_key(request)  # checks CSRF on unsafe methods

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if key and user is not None and user.is_authenticated:
            return user
        return None


api_auth = [TokenAuth(), SessionAuth(csrf=True)]

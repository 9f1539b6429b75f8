"""Language choice for the console: Chinese unless the user picked another language.

Django's LocaleMiddleware follows the browser's Accept-Language, which would show English to staff
whose office PCs happen to be set up in English. Here the explicit choice (the language cookie
set by the switcher) wins, and otherwise the site's default language (zh-hans) applies.
"""

from django.conf import settings
from django.shortcuts import render
from django.utils import translation
from django.utils.deprecation import MiddlewareMixin
from django.utils.translation import gettext as _

from propdesk.core.permissions import is_owner_account


class ChosenLanguageMiddleware(MiddlewareMixin):
    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


# What an owner account may open outside the owner pages: the API (which answers by its own
# rules), language switching, sign-in and sign-out, files and the health check.
# The assistant's ask-a-question page and the report form's suggestions serve owners too.
OWNER_PATHS = (
    "/m/",
    "/api/",
    "/i18n/",
    "/static/",
    "/media/",
    "/healthz",
    "/accounts/log",
    "/assistant/ask/",
    "/assistant/suggest/",
)


class StaffPagesMiddleware:
    """Every console page is for staff: an owner account is refused on all of them at once
    (one check, whatever the view does), with a sentence sending it to the owner pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        # The console's home ("/") sends an owner on to the owner portal with a sentence saying
        # why (estates' home view); every other console page refuses an owner here.
        if (
            is_owner_account(user)
            and request.path_info != "/"
            and not request.path_info.startswith(OWNER_PATHS)
        ):
            message = _(
                "These pages are for the service centre's staff. As an owner, use the owner "
                "pages at /m/ on your phone or computer."
            )
            return render(request, "portal/403.html", {"message": message}, status=403)
        return self.get_response(request)


def _nul_field(request) -> str | None:
    """The name of the first parameter holding a NUL character, or None.

    PostgreSQL refuses NUL in text, so a search for it would end in a database error; no person
    types one, so such a request is refused before any view sees it. Checked: the path, the query
    string and a URL-encoded form body (multipart bodies carry files, which may hold any byte, and
    their text fields go through forms that refuse NUL themselves).
    """
    if "\x00" in request.path:
        return "path"
    params = [request.GET]
    if request.content_type == "application/x-www-form-urlencoded" and request.method == "POST":
        params.append(request.POST)
    for query in params:
        for key, values in query.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return key.replace("\x00", "")
    return None


class RefuseNulMiddleware:
    """A NUL character anywhere a person types is refused with 400, never a database error:
    JSON `{code, message, field}` for the API, a page for the console and the portal."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            field = _nul_field(request)
        except Exception:  # an unreadable body: Django answers it in the view's own way
            field = None
        if field is None:
            return self.get_response(request)
        from django.http import JsonResponse
        from django.shortcuts import render
        from django.utils.translation import gettext as _

        message = _("This field holds characters that are not allowed.")
        if request.path.startswith("/api/"):
            body = {"code": "bad_characters", "message": message, "field": field}
            return JsonResponse(body, status=400)
        return render(request, "400.html", {"message": message}, status=400)

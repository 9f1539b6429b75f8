"""Language choice for the console: Chinese unless the user picked another language.

Django's LocaleMiddleware follows the browser's Accept-Language, which would show English to staff
whose office PCs happen to be set up in English. Here the explicit choice (the language cookie
set by the switcher) wins, and otherwise the site's default language (zh-hans) applies.
"""

from django.conf import settings
from django.utils import translation
from django.utils.deprecation import MiddlewareMixin


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

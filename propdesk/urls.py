from django.contrib import admin
from django.urls import include, path

from propdesk.api.urls import api
from propdesk.core.health import healthz
from propdesk.core.views import favicon
from propdesk.quality.webhook import receive_call_event

urlpatterns = [
    # The telephone system's events, the API's busiest path, as a plain view (quality.webhook).
    path("api/calls/events", receive_call_event, name="call-events"),
    # The API first: its requests (machines', many a second) then skip every page's pattern;
    # a page's path fails the "api/" prefix at once.
    path("api/", api.urls),
    path("", include("propdesk.estates.urls")),
    path("accounts/", include("propdesk.accounts.urls")),
    path("requests/", include("propdesk.tickets.urls")),
    path("billing/", include("propdesk.billing.urls")),
    path("frontdesk/", include("propdesk.frontdesk.urls")),
    path("custody/", include("propdesk.custody.urls")),
    path("notices/", include("propdesk.notices.urls")),
    path("exports/", include("propdesk.core.urls")),
    path("quality/", include("propdesk.quality.urls")),
    path("assistant/", include("propdesk.assistant.urls")),
    path("community/", include("propdesk.community.urls")),
    path("operations/", include("propdesk.operations.urls")),
    path("m/", include("propdesk.notices.owner_urls")),
    path("m/surveys/", include("propdesk.quality.portal_urls")),
    path("m/activities/", include("propdesk.community.portal_urls")),
    path("m/fees/published/", include("propdesk.operations.portal_urls")),
    path("m/", include("propdesk.portal.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
]

handler500 = "propdesk.core.unavailable.server_error"

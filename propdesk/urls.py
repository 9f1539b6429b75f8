from django.contrib import admin
from django.urls import include, path

from propdesk.api.urls import api
from propdesk.core.health import healthz

urlpatterns = [
    path("", include("propdesk.estates.urls")),
    path("accounts/", include("propdesk.accounts.urls")),
    path("requests/", include("propdesk.tickets.urls")),
    path("billing/", include("propdesk.billing.urls")),
    path("frontdesk/", include("propdesk.frontdesk.urls")),
    path("custody/", include("propdesk.custody.urls")),
    path("notices/", include("propdesk.notices.urls")),
    path("exports/", include("propdesk.core.urls")),
    path("m/", include("propdesk.notices.owner_urls")),
    path("m/", include("propdesk.portal.urls")),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]

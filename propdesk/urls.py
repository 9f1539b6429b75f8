from django.contrib import admin
from django.urls import include, path

from propdesk.api.urls import api

urlpatterns = [
    path("", include("propdesk.estates.urls")),
    path("accounts/", include("propdesk.accounts.urls")),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

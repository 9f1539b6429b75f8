from django.urls import include, path

from propdesk.estates import views

urlpatterns = [
    path("", views.home, name="home"),
    path("communities/", views.community_list, name="community_list"),
    path("houses/", views.house_list, name="house_list"),
    path("houses/<int:house_id>/", views.house_detail, name="house_detail"),
    path("owners/", views.owner_list, name="owner_list"),
    path("owners/<int:owner_id>/", views.owner_detail, name="owner_detail"),
    path("reveal/<str:subject>/<int:subject_id>/<str:field>/", views.reveal, name="reveal"),
    path("access-log/", views.access_log, name="access_log"),
    path("documents/<int:document_id>/", views.document_download, name="document_download"),
    path("", include("propdesk.estates.excel.urls")),
]

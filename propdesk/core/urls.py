from django.urls import path

from propdesk.core import export_views

urlpatterns = [
    path("", export_views.export_list, name="export_list"),
    path("<int:job_id>/", export_views.export_detail, name="export_detail"),
    path("<int:job_id>/file", export_views.export_download, name="export_download"),
]

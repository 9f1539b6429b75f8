"""Excel roster import and registry exports."""

from django.urls import path

from propdesk.estates.excel import views

urlpatterns = [
    path("registry/import/", views.roster_import, name="roster_import"),
    path("registry/import/jobs/<str:job_id>/", views.roster_import_job, name="roster_import_job"),
    path("registry/import/template.xlsx", views.roster_template_download, name="roster_template"),
    path("houses/export.xlsx", views.house_export, name="house_export"),
    path("owners/export.xlsx", views.owner_export, name="owner_export"),
    path("buildings/export.xlsx", views.building_export, name="building_export"),
    path("parking/export.xlsx", views.parking_export, name="parking_export"),
]

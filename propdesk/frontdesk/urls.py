"""Console pages of the front-desk procedures (/frontdesk/…)."""

from django.urls import path

from propdesk.frontdesk.views import config, inspections, move_ins, permits

urlpatterns = [
    path("", move_ins.move_in_list, name="frontdesk_home"),
    path("move-ins/", move_ins.move_in_list, name="frontdesk_move_ins"),
    path("move-ins/new/", move_ins.move_in_new, name="frontdesk_move_in_new"),
    path("move-ins/<int:move_in_id>/", move_ins.move_in_detail, name="frontdesk_move_in_detail"),
    path(
        "move-ins/<int:move_in_id>/items/<slug:group>/<slug:code>/",
        move_ins.move_in_item,
        name="frontdesk_move_in_item",
    ),
    path(
        "move-ins/<int:move_in_id>/scan/<slug:code>/",
        move_ins.move_in_scan,
        name="frontdesk_move_in_scan",
    ),
    path(
        "move-ins/<int:move_in_id>/steps/<slug:code>/",
        move_ins.move_in_step,
        name="frontdesk_move_in_step",
    ),
    path(
        "move-ins/<int:move_in_id>/cancel/",
        move_ins.move_in_cancel,
        name="frontdesk_move_in_cancel",
    ),
    path(
        "move-ins/<int:move_in_id>/record.pdf", move_ins.move_in_pdf, name="frontdesk_move_in_pdf"
    ),
    path("inspections/", inspections.inspection_list, name="frontdesk_inspections"),
    path("inspections/new/", inspections.inspection_new, name="frontdesk_inspection_new"),
    path(
        "inspections/<int:inspection_id>/",
        inspections.inspection_detail,
        name="frontdesk_inspection_detail",
    ),
    path(
        "inspections/<int:inspection_id>/results/<int:result_id>/",
        inspections.inspection_result,
        name="frontdesk_inspection_result",
    ),
    path(
        "inspections/<int:inspection_id>/submit/",
        inspections.inspection_submit,
        name="frontdesk_inspection_submit",
    ),
    path(
        "inspections/<int:inspection_id>/reinspection/",
        inspections.reinspection_start,
        name="frontdesk_reinspection",
    ),
    path(
        "inspections/photos/<int:result_id>/",
        inspections.inspection_photo,
        name="frontdesk_inspection_photo",
    ),
    path("permits/", permits.permit_list, name="frontdesk_permits"),
    path("permits/new/", permits.permit_new, name="frontdesk_permit_new"),
    path("permits/<int:permit_id>/", permits.permit_detail, name="frontdesk_permit_detail"),
    path(
        "permits/<int:permit_id>/<slug:action>/",
        permits.permit_action,
        name="frontdesk_permit_action",
    ),
    path("permits/<int:permit_id>/permit.pdf", permits.permit_pdf, name="frontdesk_permit_pdf"),
    path("configuration/", config.config_page, name="frontdesk_config"),
    path("configuration/items/", config.config_item_add, name="frontdesk_config_item_add"),
    path(
        "configuration/items/<int:item_id>/toggle/",
        config.config_item_toggle,
        name="frontdesk_config_item_toggle",
    ),
]

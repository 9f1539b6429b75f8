"""Console pages of operations (/operations/…)."""

from django.urls import path

from propdesk.operations.views import equipment as views
from propdesk.operations.views import maintenance, parking, patrol, publication

urlpatterns = [
    path("", views.equipment_list, name="operations_home"),
    path("equipment/new/", views.equipment_new, name="operations_equipment_new"),
    path("equipment/<int:equipment_id>/", views.equipment_detail, name="operations_equipment"),
    path(
        "equipment/<int:equipment_id>/edit/", views.equipment_edit, name="operations_equipment_edit"
    ),
    path(
        "equipment/<int:equipment_id>/status/",
        views.equipment_status,
        name="operations_equipment_status",
    ),
    path(
        "equipment/<int:equipment_id>/link/", views.equipment_link, name="operations_equipment_link"
    ),
    path("alerts/", views.alert_list, name="operations_alerts"),
    path("rules/", views.rule_list, name="operations_rules"),
    path("maintenance/", maintenance.maintenance_home, name="operations_maintenance"),
    path("maintenance/plans/new/", maintenance.plan_new, name="operations_maintenance_plan_new"),
    path(
        "maintenance/orders/<int:order_id>/",
        maintenance.work_order_detail,
        name="operations_work_order",
    ),
    path("patrol/", patrol.patrol_home, name="operations_patrol"),
    path("patrol/mine/", patrol.my_rounds, name="operations_patrol_mine"),
    path("patrol/setup/", patrol.patrol_setup, name="operations_patrol_setup"),
    path("patrol/points/new/", patrol.point_new, name="operations_patrol_point_new"),
    path("patrol/points/<int:point_id>/qr.svg", patrol.point_qr, name="operations_patrol_qr"),
    path("patrol/routes/new/", patrol.route_new, name="operations_patrol_route_new"),
    path("patrol/plans/new/", patrol.plan_new, name="operations_patrol_plan_new"),
    path("patrol/rounds/<int:round_id>/", patrol.round_detail, name="operations_patrol_round"),
    path("patrol/rounds/<int:round_id>/check/", patrol.round_check, name="operations_patrol_check"),
    path("patrol/rounds/<int:round_id>/skip/", patrol.round_skip, name="operations_patrol_skip"),
    path(
        "patrol/rounds/<int:round_id>/finish/",
        patrol.round_finish,
        name="operations_patrol_finish",
    ),
    path("parking/", parking.parking_gate, name="operations_parking"),
    path("parking/in/", parking.parking_enter, name="operations_parking_enter"),
    path("parking/rule/<int:community_id>/", parking.parking_rule, name="operations_parking_rule"),
    path("parking/<int:stay_id>/", parking.parking_stay, name="operations_parking_stay"),
    path("parking/<int:stay_id>/leave/", parking.parking_leave, name="operations_parking_leave"),
    path("parking/<int:stay_id>/pay/", parking.parking_pay, name="operations_parking_pay"),
    path(
        "parking/<int:stay_id>/receipt.pdf",
        parking.parking_receipt,
        name="operations_parking_receipt",
    ),
    path("publications/", publication.publication_list, name="operations_publications"),
    path("publications/new/", publication.publication_new, name="operations_publication_new"),
    path(
        "publications/<int:publication_id>/",
        publication.publication_detail,
        name="operations_publication",
    ),
    path(
        "publications/<int:publication_id>/spending/",
        publication.publication_spending,
        name="operations_publication_spending",
    ),
    path(
        "publications/<int:publication_id>/import/",
        publication.publication_import,
        name="operations_publication_import",
    ),
    path(
        "publications/<int:publication_id>/refresh/",
        publication.publication_refresh,
        name="operations_publication_refresh",
    ),
    path(
        "publications/<int:publication_id>/submit/",
        publication.publication_submit,
        name="operations_publication_submit",
    ),
    path(
        "publications/<int:publication_id>/review/",
        publication.publication_review,
        name="operations_publication_review",
    ),
    path(
        "publications/<int:publication_id>/correct/",
        publication.publication_correct,
        name="operations_publication_correct",
    ),
    path(
        "publications/<int:publication_id>/spending/<int:line_id>/remove/",
        publication.publication_spending_remove,
        name="operations_publication_spending_remove",
    ),
]

"""Console pages of fees and collection (/billing/…)."""

from django.urls import path

from propdesk.billing.views import desk, finance

urlpatterns = [
    path("", desk.desk, name="billing_desk"),
    path("houses/<int:house_id>/", desk.desk_house, name="billing_desk_house"),
    path("houses/<int:house_id>/pay/", desk.payment_take, name="billing_payment_take"),
    path("houses/<int:house_id>/top-up/", desk.meter_top_up, name="billing_top_up"),
    path(
        "houses/<int:house_id>/statement.<str:fmt>",
        desk.statement,
        name="billing_statement",
    ),
    path("houses/<int:house_id>/correction/", desk.adjustment_new, name="billing_adjustment_new"),
    path("houses/<int:house_id>/vacancy/", finance.vacancy_new, name="billing_vacancy_new"),
    path("payments/<int:payment_id>/", desk.payment_done, name="billing_payment_done"),
    path("receipts/<int:receipt_id>/pdf/", desk.receipt_pdf, name="billing_receipt_pdf"),
    path("bills/", finance.bill_list, name="billing_bills"),
    path("runs/", finance.run_list, name="billing_runs"),
    path("runs/preview/", finance.run_preview, name="billing_run_preview"),
    path("runs/start/", finance.run_start, name="billing_run_start"),
    path("runs/<int:run_id>/", finance.run_detail, name="billing_run_detail"),
    path("runs/<int:run_id>/resume/", finance.run_resume, name="billing_run_resume"),
    path("arrears/", finance.arrears, name="billing_arrears"),
    path("arrears/remind/", finance.reminders_send, name="billing_reminders_send"),
    path("cash/", finance.cash, name="billing_cash"),
    path("cash.xlsx", finance.cash_xlsx, name="billing_cash_xlsx"),
    path("cash/close/", finance.cash_up_close, name="billing_cash_up_close"),
    path("dashboard/", finance.dashboard, name="billing_dashboard"),
    path("dashboard/refresh/", finance.dashboard_refresh, name="billing_dashboard_refresh"),
    path("schedule/", finance.fee_schedule_page, name="billing_schedule"),
    path("schedule/items/<int:item_id>/rates/", finance.rate_add, name="billing_rate_add"),
    path(
        "schedule/<int:community_id>/policy/", finance.policy_update, name="billing_policy_update"
    ),
    path(
        "schedule/<int:community_id>/settlements/",
        finance.settlement_create,
        name="billing_settlement_create",
    ),
    path("corrections/", finance.adjustment_queue, name="billing_adjustments"),
    path(
        "corrections/<int:adjustment_id>/<str:decision>/",
        finance.adjustment_decide,
        name="billing_adjustment_decide",
    ),
    path("vacancy/", finance.vacancy_list, name="billing_vacancy"),
    path(
        "vacancy/<int:application_id>/<str:decision>/",
        finance.vacancy_decide,
        name="billing_vacancy_decide",
    ),
]

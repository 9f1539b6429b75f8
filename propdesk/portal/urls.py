"""The owners' mobile web app (/m/…), and the desk's link-request page."""

from django.urls import path

from propdesk.portal.views import auth, bills, pages, payments_staff, refunds_staff, staff, wechat

app_name = "portal"

urlpatterns = [
    path("", pages.home, name="home"),
    path("login/", auth.sign_in, name="login"),
    path("logout/", auth.sign_out, name="logout"),
    path("password/", auth.password, name="password"),
    path("link/", pages.link_request, name="link_request"),
    path("houses/<int:house_id>/", pages.house_detail, name="house"),
    path("houses/<int:house_id>/grants/", pages.grant_add, name="grant_add"),
    path(
        "houses/<int:house_id>/grants/<int:grant_id>/revoke/",
        pages.grant_revoke,
        name="grant_revoke",
    ),
    path("requests/", pages.request_list, name="requests"),
    path("requests/new/", pages.request_new, name="request_new"),
    path("requests/<int:request_id>/", pages.request_detail, name="request"),
    path("requests/<int:request_id>/note/", pages.request_note, name="request_note"),
    path("requests/<int:request_id>/cancel/", pages.request_cancel, name="request_cancel"),
    path("requests/<int:request_id>/rate/", pages.request_rate, name="request_rate"),
    path(
        "requests/<int:request_id>/solutions/<int:solution_id>/",
        pages.solution_answer,
        name="solution_answer",
    ),
    path("f/<str:token>/", pages.follow_up_link, name="follow_up_link"),
    path(
        "requests/<int:request_id>/photos/<int:photo_id>/",
        pages.request_photo,
        name="request_photo",
    ),
    path("bills/", bills.bills, name="bills"),
    path("bills/pay/", bills.pay, name="pay"),
    path("bills/houses/<int:house_id>/statement/", bills.statement, name="statement"),
    path("bills/receipts/<int:receipt_id>/", bills.receipt_pdf, name="receipt"),
    path("bills/orders/<int:order_id>/", bills.order_detail, name="order"),
    path("pay/sandbox/<str:number>/", bills.sandbox_pay, name="sandbox_pay"),
    path("wechat/", wechat.wechat_page, name="wechat"),
    path("wechat/link/", wechat.wechat_link_start, name="wechat_link"),
    path("wechat/unlink/", wechat.wechat_unlink, name="wechat_unlink"),
    path("wechat/sign-in/", wechat.wechat_signin_start, name="wechat_signin"),
    path("wechat/callback/", wechat.wechat_callback, name="wechat_callback"),
    path("pay/wechat/<str:number>/", bills.wechat_pay, name="wechat_pay"),
    path("pay/wechat/<str:number>/qr.svg", bills.wechat_qr, name="wechat_qr"),
    path("pay/alipay/<str:number>/", bills.alipay_pay, name="alipay_pay"),
    path("staff/link-requests/", staff.link_requests, name="staff_link_requests"),
    path(
        "staff/payments/providers/",
        payments_staff.providers,
        name="staff_payment_providers",
    ),
    path(
        "staff/payments/reconciliation/",
        payments_staff.reconciliation_list,
        name="staff_reconciliation",
    ),
    path(
        "staff/payments/reconciliation/<int:day_id>/",
        payments_staff.reconciliation_day,
        name="staff_reconciliation_day",
    ),
    path("staff/payments/refunds/", refunds_staff.refund_list, name="staff_refunds"),
    path(
        "staff/payments/orders/<int:order_id>/",
        refunds_staff.order_refunds,
        name="staff_refund_order",
    ),
    path(
        "staff/payments/by-payment/<int:payment_id>/",
        refunds_staff.payment_refunds,
        name="staff_payment_refunds",
    ),
    path(
        "staff/payments/corrections/<int:adjustment_id>/refund/",
        refunds_staff.refund_confirm,
        name="staff_refund_confirm",
    ),
    path(
        "staff/link-requests/<int:link_request_id>/",
        staff.link_request_detail,
        name="staff_link_request",
    ),
]

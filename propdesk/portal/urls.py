"""The owners' mobile web app (/m/…), and the desk's link-request page."""

from django.urls import path

from propdesk.portal.views import auth, bills, pages, staff

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
    path("staff/link-requests/", staff.link_requests, name="staff_link_requests"),
    path(
        "staff/link-requests/<int:link_request_id>/",
        staff.link_request_detail,
        name="staff_link_request",
    ),
]

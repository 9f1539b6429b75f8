"""Console pages of announcements and notification templates (/notices/…)."""

from django.urls import path

from propdesk.notices.views import console, providers, receipts

urlpatterns = [
    path("", console.announcement_list, name="notices_announcement_list"),
    path("new/", console.announcement_create, name="notices_announcement_create"),
    path("<int:announcement_id>/", console.announcement_detail, name="notices_announcement_detail"),
    path(
        "<int:announcement_id>/edit/", console.announcement_edit, name="notices_announcement_edit"
    ),
    path(
        "<int:announcement_id>/delivery/",
        console.announcement_delivery,
        name="notices_announcement_delivery",
    ),
    path(
        "<int:announcement_id>/publish/",
        console.announcement_publish,
        name="notices_announcement_publish",
    ),
    path(
        "<int:announcement_id>/withdraw/",
        console.announcement_withdraw,
        name="notices_announcement_withdraw",
    ),
    path("templates/", console.template_list, name="notices_template_list"),
    path("templates/new/", console.template_new, name="notices_template_new"),
    path("templates/<int:template_id>/", console.template_edit, name="notices_template_edit"),
    path("templates/preview/", console.template_preview, name="notices_template_preview"),
    path("providers/", providers.provider_list, name="notices_provider_list"),
    path("providers/<int:company_id>/sms/", providers.sms_gateway_edit, name="notices_sms_gateway"),
    path(
        "providers/<int:company_id>/sms/receipt-address/",
        providers.sms_receipt_renew,
        name="notices_sms_receipt_renew",
    ),
    path(
        "providers/<int:company_id>/wechat/",
        providers.wechat_account_edit,
        name="notices_wechat_account",
    ),
    path(
        "providers/<int:company_id>/wechat/check/",
        providers.wechat_account_check,
        name="notices_wechat_check",
    ),
    path(
        "receipts/sms/<str:provider>/<int:gateway_id>/<str:token>/",
        receipts.sms_receipt,
        name="notices_sms_receipt",
    ),
]

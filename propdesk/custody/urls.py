"""Console pages of keys, goods release passes and the document register (/custody/…)."""

from django.urls import path

from propdesk.custody.views import documents, home, keys, passes, settings

urlpatterns = [
    path("", home.overview, name="custody_home"),
    path("keys/", keys.key_list, name="custody_keys"),
    path("keys/new/", keys.key_new, name="custody_key_new"),
    path("keys/<int:key_id>/", keys.key_detail, name="custody_key_detail"),
    path("keys/<int:key_id>/lend/", keys.key_lend, name="custody_key_lend"),
    path("keys/<int:key_id>/return/", keys.key_return, name="custody_key_return"),
    path("keys/<int:key_id>/edit/", keys.key_edit, name="custody_key_edit"),
    path("keys/<int:key_id>/retire/", keys.key_retire, name="custody_key_retire"),
    path("contractors/", keys.contractor_list, name="custody_contractors"),
    path("contractors/new/", keys.contractor_new, name="custody_contractor_new"),
    path(
        "contractors/<int:contractor_id>/toggle/",
        keys.contractor_toggle,
        name="custody_contractor_toggle",
    ),
    path("passes/", passes.pass_list, name="custody_passes"),
    path("passes/new/", passes.pass_new, name="custody_pass_new"),
    path("passes/<int:pass_id>/", passes.pass_detail, name="custody_pass_detail"),
    path("passes/<int:pass_id>/approve/", passes.pass_approve, name="custody_pass_approve"),
    path("passes/<int:pass_id>/reject/", passes.pass_reject, name="custody_pass_reject"),
    path("passes/<int:pass_id>/cancel/", passes.pass_cancel, name="custody_pass_cancel"),
    path("passes/<int:pass_id>/pdf/", passes.pass_print, name="custody_pass_pdf"),
    path("gate/", passes.gate, name="custody_gate"),
    path("gate/use/", passes.gate_use, name="custody_gate_use"),
    path("documents/", documents.document_list, name="custody_documents"),
    path("documents/new/", documents.document_new, name="custody_document_new"),
    path("documents/<int:document_id>/", documents.document_detail, name="custody_document_detail"),
    path(
        "documents/<int:document_id>/move/", documents.document_move, name="custody_document_move"
    ),
    path(
        "documents/<int:document_id>/lend/", documents.document_lend, name="custody_document_lend"
    ),
    path(
        "documents/<int:document_id>/return/",
        documents.document_return,
        name="custody_document_return",
    ),
    path(
        "documents/<int:document_id>/scan/", documents.document_scan, name="custody_document_scan"
    ),
    path("settings/", settings.settings_page, name="custody_settings"),
]

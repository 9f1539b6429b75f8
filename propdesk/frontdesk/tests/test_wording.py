"""The decoration contractor is 施工单位 (the firm doing the works), not 保修单位 (warranty)."""

from django.utils import translation

from propdesk.frontdesk.forms import PermitApplyForm


def test_the_permit_names_the_contractor_as_the_firm_doing_the_works():
    with translation.override("zh-hans"):
        label = str(PermitApplyForm.base_fields["contractor_name"].label)
        assert label == "施工单位"
        assert str(translation.gettext("contractor")) == "施工单位"

"""Input forms of the monitoring pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ecredit.monitoring.models import BatchKind
from ecredit.policy.packs import active_pack


def category_choices() -> list[tuple[str, str]]:
    rules = active_pack().returns
    return [(c.code, c.label) for c in rules.categories] if rules else []


class ReturnsCheckForm(forms.Form):
    category = forms.ChoiceField(label=_("商品品类"), choices=category_choices)
    received = forms.DateField(label=_("签收日期"), widget=forms.DateInput(attrs={"type": "date"}))
    requested = forms.DateField(label=_("申请退货日期"), widget=forms.DateInput(attrs={"type": "date"}))
    not_intact = forms.BooleanField(label=_("商品已不完好（如吊牌被剪、密封包装已拆）"), required=False)
    custom_made = forms.BooleanField(label=_("消费者定作的商品"), required=False)
    perishable = forms.BooleanField(label=_("鲜活易腐的商品"), required=False)
    digital_opened = forms.BooleanField(label=_("已下载或已拆封的音像制品、软件等数字化商品"), required=False)
    periodical = forms.BooleanField(label=_("已交付的报纸、期刊"), required=False)
    confirmed_non_returnable = forms.BooleanField(label=_("购买时已确认该商品不宜退货"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        received, requested = data.get("received"), data.get("requested")
        if received and requested and requested < received:
            self.add_error("requested", _("退货申请日期不能早于签收日期。"))
        return data


class BatchUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("数据类型"), choices=BatchKind.choices)
    batch_id = forms.CharField(
        label=_("批次编号"), max_length=100, help_text=_("同一批次编号只导入一次；重复提交不会改变任何数据。")
    )
    file = forms.FileField(label=_("文件"), help_text=_("CSV（UTF-8）、JSONL 或 XLSX，第一行为表头。"))


class DismissForm(forms.Form):
    reason = forms.CharField(label=_("排除理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)


class ConfirmForm(forms.Form):
    note = forms.CharField(label=_("确认说明（可选）"), required=False, max_length=1000)
    refer_to_enforcement = forms.BooleanField(label=_("同时移交执法线索"), required=False)
    capture_requested = forms.BooleanField(label=_("同时固定商品页面证据"), required=False)


class PublicComplaintForm(forms.Form):
    seller_name = forms.CharField(label=_("被投诉的经营者或店铺"), max_length=200)
    subject = forms.CharField(label=_("投诉事由"), max_length=200)
    description = forms.CharField(label=_("具体情况"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
    received_on = forms.DateField(label=_("发生日期"), widget=forms.DateInput(attrs={"type": "date"}))
    complainant = forms.CharField(label=_("您的姓名"), max_length=100)
    complainant_phone = forms.CharField(label=_("联系电话"), max_length=20)
    # A field people do not see (hidden by CSS and from assistive technology); bots fill it in.
    website = forms.CharField(label=_("网站（请留空）"), required=False, max_length=200)


class OfficerComplaintForm(forms.Form):
    seller_name = forms.CharField(label=_("被投诉经营者"), max_length=200)
    seller_code = forms.CharField(label=_("统一社会信用代码（可选）"), max_length=18, required=False)
    subject = forms.CharField(label=_("投诉事由"), max_length=200)
    description = forms.CharField(label=_("投诉内容"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    received_on = forms.DateField(label=_("收到日期"), widget=forms.DateInput(attrs={"type": "date"}))


class ComplaintOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("处理结果"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from ecredit.monitoring.models import ComplaintOutcome

        field = self.fields["outcome"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - narrows the type for mypy
        field.choices = [(value, label) for value, label in ComplaintOutcome.choices if value]


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("答复"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class IncidentForm(forms.Form):
    entity = forms.TypedChoiceField(label=_("经营主体"), coerce=int)
    what = forms.CharField(label=_("事故情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    goods = forms.CharField(label=_("涉及商品"), max_length=200)
    occurred_on = forms.DateField(label=_("发生日期"), widget=forms.DateInput(attrs={"type": "date"}))
    measures = forms.CharField(label=_("已采取的补救措施"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args: Any, entities: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["entity"]
        assert isinstance(field, forms.TypedChoiceField)  # noqa: S101 - narrows the type for mypy
        field.choices = entities


class FoundIncidentForm(forms.Form):
    entity_code = forms.CharField(label=_("经营主体统一社会信用代码"), max_length=18)
    what = forms.CharField(label=_("事故情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    goods = forms.CharField(label=_("涉及商品"), max_length=200)
    occurred_on = forms.DateField(label=_("发生日期"), widget=forms.DateInput(attrs={"type": "date"}))

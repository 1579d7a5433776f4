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

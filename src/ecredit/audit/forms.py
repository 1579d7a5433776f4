from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("操作者"), required=False, max_length=100)
    action = forms.CharField(label=_("操作"), required=False, max_length=80, help_text=_("前缀匹配，如 accounts."))
    target_type = forms.CharField(label=_("对象类型"), required=False, max_length=80)
    target_id = forms.CharField(label=_("对象 ID"), required=False, max_length=64)
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("起始日期不能晚于截止日期。"))
        return data

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ecredit.accounts.roles import API_SCOPES


class TokenForm(forms.Form):
    name = forms.CharField(label=_("令牌名称"), max_length=100, help_text=_("例如：平台数据对接"))
    scopes = forms.MultipleChoiceField(
        label=_("权限范围"),
        choices=[(scope.value, scope.value) for scope in sorted(API_SCOPES)],
        widget=forms.CheckboxSelectMultiple,
    )
    days = forms.IntegerField(label=_("有效期（天）"), min_value=1, max_value=3650, initial=365)

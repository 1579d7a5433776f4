"""Input forms of the evidence pages. Forms only shape input; services validate and decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ecredit.evidence.models import AttestationKind, EvidenceKind
from ecredit.registry.models import Entity


class EntityField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.code}）" if obj.code else str(obj.name)


def _entity_field() -> EntityField:
    return EntityField(
        label=_("当事人"), queryset=Entity.objects.order_by("name"), required=False, empty_label=_("（未指定）")
    )


class CaptureForm(forms.Form):
    url = forms.CharField(label=_("网址"), max_length=2000, help_text=_("以 http:// 或 https:// 开头"))
    entity = _entity_field()
    case_ref = forms.CharField(label=_("案件编号"), max_length=100, required=False)
    inspection_ref = forms.CharField(label=_("抽查编号"), max_length=100, required=False)
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    accept_invalid_certificates = forms.BooleanField(
        label=_("证书无效时仍固定"),
        required=False,
        help_text=_("网站的 HTTPS 证书过期或自签名时，浏览器默认拒绝打开；勾选后仍固定，并在提取记录中注明。"),
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("证据类型"), choices=[c for c in EvidenceKind.choices if c[0] != EvidenceKind.CAPTURE]
    )
    title = forms.CharField(label=_("证据名称"), max_length=300)
    uploads = MultipleFileField(label=_("文件"), help_text=_("可选择多个文件；每个文件上限 200 MB"))
    entity = _entity_field()
    case_ref = forms.CharField(label=_("案件编号"), max_length=100, required=False)
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AttachForm(forms.Form):
    case_ref = forms.CharField(label=_("案件编号"), max_length=100)


class AttestationForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("确认方式"), choices=[c for c in AttestationKind.choices if c[0] != AttestationKind.PARTY]
    )
    authority = forms.CharField(
        label=_("出具机构"), max_length=200, help_text=_("如：南安市公证处、公安网监部门、通信管理部门、平台名称")
    )
    reference = forms.CharField(label=_("文书编号"), max_length=200, required=False)
    statement = forms.CharField(label=_("确认内容"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    document = forms.FileField(label=_("文书文件"))


class ConfirmForm(forms.Form):
    statement = forms.CharField(label=_("确认意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    agree = forms.BooleanField(label=_("本单位确认上述电子数据真实、完整"))


class VerifyForm(forms.Form):
    bundle = forms.FileField(label=_("证据包（ZIP）"), required=False)
    sha256 = forms.CharField(label=_("SHA-256"), max_length=64, required=False)

    def clean_sha256(self) -> str:
        value: str = self.cleaned_data["sha256"].strip().lower()
        if value and (len(value) != 64 or any(c not in "0123456789abcdef" for c in value)):
            raise forms.ValidationError(_("SHA-256 应为 64 位十六进制字符。"))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("bundle") and not data.get("sha256") and not self.errors:
            raise forms.ValidationError(_("请上传证据包或填写 SHA-256。"))
        return data

"""Input forms of the objection, repair and warning pages. Forms only shape input;
``credit.procedures`` validates (attachment types and sizes included) and decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from ecredit.credit.forms import DATE
from ecredit.credit.procedures import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS

ACCEPT = ".pdf,.jpg,.jpeg,.png"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def _attachments() -> MultipleFileField:
    limit = MAX_ATTACHMENT_BYTES // 1024 // 1024
    return MultipleFileField(
        label=_("附件"),
        required=False,
        help_text=_("PDF、JPG 或 PNG，最多 %(n)s 个，每个不超过 %(mb)s MB") % {"n": MAX_ATTACHMENTS, "mb": limit},
    )


class ObjectionForm(forms.Form):
    reasons = forms.CharField(
        label=_("异议理由"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text=_("说明该事件哪里有误，并列出证明材料"),
    )
    attachments = _attachments()


class RepairForm(forms.Form):
    proof = forms.CharField(
        label=_("整改情况"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text=_("说明已完成的整改及其证明"),
    )
    attachments = _attachments()


class ObjectionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("决定"),
        widget=forms.RadioSelect,
        choices=[("upheld", _("异议成立（撤销该事件）")), ("dismissed", _("异议不成立"))],
    )
    reasons = forms.CharField(label=_("决定理由"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)


class RepairDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("决定"), widget=forms.RadioSelect, choices=[("granted", _("准予修复")), ("refused", _("不予修复"))]
    )
    from_date = forms.DateField(label=_("修复生效日期"), required=False, widget=DATE, help_text=_("留空则自今天起"))
    reasons = forms.CharField(label=_("决定理由"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)

"""Input forms of the registry pages. Forms only shape input; services validate and decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from ecredit.registry.models import EntityKind, EntityRole, FilingStatus, PermitKind, WebsiteKind
from ecredit.registry.services import EntityData, FilingData

DATE = forms.DateInput(attrs={"type": "date"})


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=200,
        help_text=_("名称、统一社会信用代码、网站域名、ICP 备案号或店铺网址"),
    )
    role = forms.ChoiceField(label=_("角色"), required=False, choices=[("", _("全部")), *EntityRole.choices])
    kind = forms.ChoiceField(label=_("主体类型"), required=False, choices=[("", _("全部")), *EntityKind.choices])
    status = forms.ChoiceField(
        label=_("备案状态"), required=False, choices=[("", _("全部")), ("none", _("未备案")), *FilingStatus.choices]
    )
    jurisdiction = forms.ChoiceField(
        label=_("登记地"),
        required=False,
        choices=[("", _("全部")), ("in", _("本辖区")), ("out", _("辖区外登记"))],
    )


class EntityForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=200)
    kind = forms.ChoiceField(label=_("主体类型"), choices=EntityKind.choices)
    roles = forms.MultipleChoiceField(
        label=_("角色"), choices=EntityRole.choices, widget=forms.CheckboxSelectMultiple, initial=["seller"]
    )
    uscc = forms.CharField(
        label=_("统一社会信用代码"), required=False, max_length=40, help_text=_("法人、其他组织和个体工商户填写")
    )
    resident_id = forms.CharField(
        label=_("居民身份证号码"), required=False, max_length=40, help_text=_("仅自然人填写；加密保存，页面只显示部分")
    )
    address = forms.CharField(label=_("地址"), required=False, max_length=300)
    industry = forms.CharField(
        label=_("行业"), required=False, max_length=60, help_text=_("例如：卫浴水暖、石材、茶叶")
    )
    township = forms.CharField(label=_("乡镇（街道）"), required=False, max_length=60)
    sells_permit_goods = forms.BooleanField(label=_("经营范围涉及需要前置许可的商品"), required=False)
    trades_in_enterprise_name = forms.BooleanField(label=_("以企业或个体工商户名义从事网上经营"), required=False)
    uscc_override_reason = forms.CharField(
        label=_("校验位例外理由（仅信用管理员）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("登记机关核发的代码校验位确有错误时，写明核实依据后可登记；此操作记入审计日志。"),
    )

    def __init__(self, *args: Any, may_override: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_override:
            del self.fields["uscc_override_reason"]

    def data_object(self) -> EntityData:
        data = self.cleaned_data
        return EntityData(
            name=data["name"],
            kind=data["kind"],
            roles=list(data["roles"]),
            uscc=data["uscc"],
            resident_id=data["resident_id"],
            address=data["address"],
            industry=data["industry"],
            township=data["township"],
            sells_permit_goods=data["sells_permit_goods"],
            trades_in_enterprise_name=data["trades_in_enterprise_name"],
            uscc_override_reason=data.get("uscc_override_reason", ""),
        )


class FilingForm(forms.Form):
    subject_name = forms.CharField(label=_("主体名称"), max_length=200)
    subject_kind = forms.ChoiceField(label=_("主体类型"), choices=EntityKind.choices)
    contact_name = forms.CharField(label=_("联系人"), required=False, max_length=60)
    contact_phone = forms.CharField(
        label=_("联系电话"), required=False, max_length=40, help_text=_("手机或带区号的固定电话，如 0595-86381234")
    )
    contact_email = forms.CharField(label=_("电子邮箱"), required=False, max_length=254)
    address = forms.CharField(label=_("住所（经营场所）"), required=False, max_length=300)
    other_items = forms.CharField(
        label=_("其它登记事项"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一项，格式：事项：内容"),
    )

    def clean_other_items(self) -> dict[str, str]:
        items: dict[str, str] = {}
        for number, line in enumerate(self.cleaned_data["other_items"].splitlines(), start=1):
            if not line.strip():
                continue
            key, sep, value = line.replace("：", ":").partition(":")
            if not sep or not key.strip():
                raise forms.ValidationError(_("第 %(n)s 行应为“事项：内容”。") % {"n": number})
            items[key.strip()] = value.strip()
        return items


class WebsiteForm(forms.Form):
    name = forms.CharField(label=_("网站名称"), max_length=200)
    domain = forms.CharField(label=_("网站域名"), max_length=253)
    ip = forms.CharField(label=_("IP地址"), required=False, max_length=45)
    kind = forms.ChoiceField(label=_("网站类型"), choices=WebsiteKind.choices)
    icp_filing = forms.CharField(
        label=_("ICP备案号"), required=False, max_length=40, help_text=_("如 闽ICP备2020021857号-1")
    )
    icp_licence = forms.CharField(
        label=_("ICP许可证号"), required=False, max_length=40, help_text=_("如 闽B2-20201234")
    )
    isp = forms.CharField(label=_("ISP提供商"), required=False, max_length=200)
    server_room = forms.CharField(label=_("服务器机房地址"), required=False, max_length=300)


WebsiteFormSet = formset_factory(WebsiteForm, extra=1, max_num=10, validate_max=True)


def filing_data(form: FilingForm, websites: Any) -> FilingData:
    data = form.cleaned_data
    sites = [dict(site) for site in websites.cleaned_data if site and not site.get("DELETE")]
    return FilingData(
        subject_name=data["subject_name"],
        subject_kind=data["subject_kind"],
        contact_name=data["contact_name"],
        contact_phone=data["contact_phone"],
        contact_email=data["contact_email"],
        address=data["address"],
        websites=sites,
        other_items=data["other_items"],
    )


def filing_initial(data: FilingData) -> tuple[dict[str, Any], list[dict[str, str]]]:
    initial = {
        "subject_name": data.subject_name,
        "subject_kind": data.subject_kind,
        "contact_name": data.contact_name,
        "contact_phone": data.contact_phone,
        "contact_email": data.contact_email,
        "address": data.address,
        "other_items": "\n".join(f"{k}：{v}" for k, v in data.other_items.items()),
    }
    return initial, list(data.websites)


class DeclarationForm(forms.Form):
    declaration = forms.BooleanField(
        label=_("本单位承诺以上备案信息真实、准确、完整，并对其真实性负责（第八条）。"), required=True
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("审核结果"), choices=[("approve", _("通过")), ("return", _("退回修改"))])
    reasons = forms.CharField(
        label=_("审核意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text=_("退回时必填")
    )


class StatusForm(forms.Form):
    action = forms.ChoiceField(
        label=_("操作"),
        choices=[
            ("suspend", _("暂停")),
            ("reinstate", _("恢复")),
            ("revoke", _("撤销")),
            ("deregister", _("注销")),
        ],
    )
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))


class RevealForm(forms.Form):
    reason = forms.CharField(label=_("查看理由"), max_length=300, help_text=_("例如：案件编号、核查事由；记入审计日志"))


class StorefrontForm(forms.Form):
    platform = forms.TypedChoiceField(label=_("平台"), coerce=int)
    shop_name = forms.CharField(label=_("店铺名称"), max_length=200)
    shop_url = forms.CharField(label=_("店铺网址"), max_length=500)
    shop_id = forms.CharField(label=_("店铺编号"), max_length=100)

    def __init__(self, *args: Any, platforms: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["platform"].choices = platforms  # type: ignore[attr-defined]


class PermitForm(forms.Form):
    kind = forms.ChoiceField(label=_("许可类型"), choices=PermitKind.choices)
    number = forms.CharField(label=_("许可证编号"), max_length=60)
    issuer = forms.CharField(label=_("发证机关"), max_length=200)
    valid_from = forms.DateField(label=_("有效期自"), widget=DATE)
    valid_until = forms.DateField(label=_("有效期至"), widget=DATE)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("导入文件（CSV 或 XLSX）"))
    dry_run = forms.BooleanField(label=_("只校验，不导入"), required=False, initial=True)

"""Input of the inspection pages. Forms parse; services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ecredit.accounts.models import Organisation
from ecredit.accounts.roles import OrgKind
from ecredit.inspections.models import Inspector, PlanLevel
from ecredit.inspections.services import ItemData, PlanData
from ecredit.registry.models import Entity, EntityRole

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ITEM_ROWS = 6


def _lines(raw: str) -> list[str]:
    return [line.strip() for line in raw.replace("，", ",").splitlines() if line.strip()]


def _words(raw: str) -> list[str]:
    return [word.strip() for word in raw.replace("，", ",").replace("、", ",").split(",") if word.strip()]


class PlanForm(forms.Form):
    name = forms.CharField(label=_("计划名称"), max_length=200)
    level = forms.TypedChoiceField(label=_("计划层级"), choices=PlanLevel.choices, coerce=int, initial=PlanLevel.COUNTY)
    period_start = forms.DateField(label=_("起始日期"), widget=DATE)
    period_end = forms.DateField(label=_("截止日期"), widget=DATE)
    cites = forms.CharField(
        label=_("法律依据"),
        initial="5, 16.1, 产品质量法 第十五条",
        help_text=_("用逗号分隔，如：5, 16.1, 产品质量法 第十五条"),
    )
    standards = forms.CharField(
        label=_("产品类别与检验标准"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一项：产品类别 | 标准编号 | 条款，如：儿童服装 | GB/T 31701-2015 | 4.1"),
    )
    scope_roles = forms.MultipleChoiceField(
        label=_("范围：经营角色"),
        choices=[(EntityRole.SELLER.value, _("网络商品经营者")), (EntityRole.PLATFORM.value, _("平台服务经营者"))],
        initial=[EntityRole.SELLER.value],
        widget=forms.CheckboxSelectMultiple,
    )
    scope_townships = forms.CharField(
        label=_("范围：乡镇（街道）"), required=False, help_text=_("用逗号分隔；留空为全部")
    )
    scope_industries = forms.CharField(label=_("范围：经营类别"), required=False, help_text=_("用逗号分隔；留空为全部"))
    scope_platforms = forms.ModelMultipleChoiceField(
        label=_("范围：平台"), queryset=Entity.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    labs = forms.ModelMultipleChoiceField(
        label=_("检验机构"), queryset=Organisation.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    pool = forms.ModelMultipleChoiceField(
        label=_("执法人员库"), queryset=Inspector.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    same_township_barred = forms.BooleanField(label=_("回避同乡镇（街道）的执法人员"), required=False)
    severe = forms.BooleanField(label=_("不合格属情节严重，建议移送司法"), required=False)
    sampling_deadline = forms.DateField(label=_("抽样完成期限"), required=False, widget=DATE)
    report_deadline = forms.DateField(label=_("检验报告期限"), required=False, widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scope_platforms"].queryset = Entity.objects.filter(is_platform=True).order_by("name")  # type: ignore[attr-defined]
        self.fields["labs"].queryset = Organisation.objects.filter(kind=OrgKind.LABORATORY).order_by("name")  # type: ignore[attr-defined]
        self.fields["pool"].queryset = Inspector.objects.filter(active=True).order_by("code")  # type: ignore[attr-defined]

    def clean_standards(self) -> list[dict[str, str]]:
        rows = []
        for number, line in enumerate(_lines(self.cleaned_data["standards"]), start=1):
            parts = [part.strip() for part in line.replace("｜", "|").split("|")]
            if len(parts) < 2 or not parts[0] or not parts[1]:
                raise forms.ValidationError(
                    _("第 %(n)s 行应写作“产品类别 | 标准编号 | 条款”。") % {"n": number}, code="format"
                )
            rows.append({"category": parts[0], "standard": parts[1], "clause": parts[2] if len(parts) > 2 else ""})
        return rows

    def data_for_service(self) -> PlanData:
        data = self.cleaned_data
        return PlanData(
            name=data["name"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            standards=data["standards"],
            cites=_words(data["cites"]),
            level=data["level"],
            scope_roles=list(data["scope_roles"]),
            scope_townships=_words(data["scope_townships"]),
            scope_industries=_words(data["scope_industries"]),
            scope_platform_ids=[entity.pk for entity in data["scope_platforms"]],
            lab_ids=[lab.pk for lab in data["labs"]],
            inspector_ids=[inspector.pk for inspector in data["pool"]],
            same_township_barred=data["same_township_barred"],
            severe=data["severe"],
            sampling_deadline=data["sampling_deadline"],
            report_deadline=data["report_deadline"],
        )


class FixedInclusionForm(forms.Form):
    code = forms.CharField(label=_("统一社会信用代码"), max_length=18)
    reason = forms.CharField(label=_("定向抽查理由"), max_length=200)


class SampleForm(forms.Form):
    code = forms.CharField(label=_("样品编号"), max_length=40)
    backup_code = forms.CharField(label=_("备用样品编号"), max_length=40)
    product = forms.CharField(label=_("商品名称"), max_length=200)
    category = forms.CharField(label=_("产品类别"), max_length=100)
    standard = forms.CharField(label=_("检验标准"), max_length=100)
    storefront = forms.TypedChoiceField(label=_("店铺"), required=False, coerce=int, empty_value=None)
    listing_url = forms.URLField(label=_("商品链接"), max_length=500, assume_scheme="https")
    order_no = forms.CharField(label=_("订单号"), max_length=60)
    price = forms.DecimalField(label=_("实付金额（元）"), min_value=0, max_digits=10, decimal_places=2)
    purchased_on = forms.DateField(label=_("购买日期"), widget=DATE)
    received_on = forms.DateField(label=_("收货日期"), widget=DATE)
    seals = forms.CharField(label=_("封条编号"), max_length=100)
    lab = forms.TypedChoiceField(label=_("检验机构"), coerce=int)
    listing_evidence = forms.FileField(label=_("商品页面证据（截图或网页存档）"))
    evidence_ref = forms.CharField(label=_("电子证据编号（如有）"), max_length=60, required=False)


class CustodyForm(forms.Form):
    item = forms.ChoiceField(label=_("样品"), choices=[("sample", _("检验样品")), ("backup", _("备用样品"))])
    handed_on = forms.DateField(label=_("交接日期"), widget=DATE)
    from_party = forms.CharField(label=_("移交方"), max_length=100)
    to_party = forms.CharField(label=_("接收方"), max_length=100)
    seal_intact = forms.BooleanField(label=_("封条完好"), required=False, initial=True)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class ReportForm(forms.Form):
    number = forms.CharField(label=_("报告编号"), max_length=60)
    tested_on = forms.DateField(label=_("检验日期"), widget=DATE)
    signed_file = forms.FileField(label=_("签章报告（PDF）"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for row in range(1, ITEM_ROWS + 1):
            required = False  # rows are checked whole in items(); at least one is needed
            self.fields[f"item{row}_name"] = forms.CharField(label=_("项目 %(n)s") % {"n": row}, required=required)
            self.fields[f"item{row}_clause"] = forms.CharField(label=_("条款 %(n)s") % {"n": row}, required=required)
            self.fields[f"item{row}_measured"] = forms.CharField(
                label=_("实测值 %(n)s") % {"n": row}, required=required
            )
            self.fields[f"item{row}_limit"] = forms.CharField(label=_("标准要求 %(n)s") % {"n": row}, required=required)
            self.fields[f"item{row}_result"] = forms.ChoiceField(
                label=_("判定 %(n)s") % {"n": row},
                choices=[("", "—"), ("pass", _("合格")), ("fail", _("不合格"))],
                required=required,
            )
        self._label_widgets()

    def _label_widgets(self) -> None:
        for name, field in self.fields.items():
            if name.startswith("item"):
                field.widget.attrs["aria-label"] = str(field.label)

    def item_rows(self) -> list[list[forms.BoundField]]:
        names = ("name", "clause", "measured", "limit", "result")
        return [[self[f"item{row}_{name}"] for name in names] for row in range(1, ITEM_ROWS + 1)]

    def items(self) -> list[ItemData]:
        found = []
        for row in range(1, ITEM_ROWS + 1):
            values = [
                self.cleaned_data.get(f"item{row}_{name}") or "" for name in ("name", "clause", "measured", "limit")
            ]
            result = self.cleaned_data.get(f"item{row}_result") or ""
            if not any(values) and not result:
                continue
            if not all(values) or not result:
                raise forms.ValidationError(_("第 %(n)s 个检验项目须填写完整并作出判定。") % {"n": row})
            name, clause, measured, limit = values
            found.append(ItemData(name, clause, measured, limit, passed=result == "pass"))
        if not found:
            raise forms.ValidationError(_("请至少录入一个检验项目。"))
        return found


class RetestForm(forms.Form):
    reason = forms.CharField(label=_("复检理由"), widget=forms.Textarea(attrs={"rows": 3}))


class RectificationForm(forms.Form):
    report = forms.CharField(label=_("整改情况"), widget=forms.Textarea(attrs={"rows": 4}))
    file = forms.FileField(label=_("整改材料"))


class DecisionForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("决定"),
        choices=[("yes", _("通过／采纳")), ("no", _("不通过／不予采纳"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

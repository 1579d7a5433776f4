"""Input forms of the credit pages. Forms only shape input; ``credit.services`` validates and decides."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecredit.credit.models import SourceKind
from ecredit.policy.model import Pack

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
GRADE_UNRATED = "none"


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("搜索"), required=False, max_length=200, help_text=_("名称、统一社会信用代码、网站域名或店铺网址")
    )
    grade = forms.ChoiceField(label=_("最近等级"), required=False)

    def __init__(self, *args: Any, grades: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["grade"]).choices = [
            ("", _("全部")),
            *(grades or []),
            (GRADE_UNRATED, _("尚未评价")),
        ]


class EvaluateForm(forms.Form):
    as_of = forms.DateField(label=_("评价日期"), widget=DATE)

    def __init__(self, *args: Any, pack: Pack | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"as_of": timezone.localdate()})
        super().__init__(*args, **kwargs)
        if pack is not None:
            period = {"start": pack.in_force_from, "end": pack.in_force_until}
            self.fields["as_of"].help_text = (
                _("政策包有效期为 %(start)s 至 %(end)s；此外的日期须有系统管理员记录的延期。") % period
            )


def indicator_choices(pack: Pack, roles: list[str]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The indicators an officer may record for an entity with ``roles``: grouped by effect, each
    labelled with its points; those the engine grants itself (a clean record) are left out."""
    groups: dict[str, list[tuple[str, str]]] = {"minus": [], "plus": [], "zero": []}
    for code, rule in pack.indicators.items():
        if rule.kind == "clean_record" or not rule.roles & set(roles):
            continue
        points = f"{rule.points:+g}" if rule.points else "0"
        group = "minus" if rule.points < 0 else "plus" if rule.points > 0 else "zero"
        groups[group].append((code, f"{rule.label}（{points} 分，{code}）"))
    titles = {"minus": _("扣分项"), "plus": _("加分项"), "zero": _("记录项（不计分）")}
    return [(str(titles[key]), items) for key, items in groups.items() if items]


class EventForm(forms.Form):
    indicator = forms.ChoiceField(label=_("指标"))
    occurred_on = forms.DateField(label=_("发生日期"), widget=DATE)
    source_kind = forms.ChoiceField(label=_("来源"), choices=SourceKind.choices, initial=SourceKind.MANUAL)
    source_ref = forms.CharField(
        label=_("来源编号"),
        required=False,
        max_length=100,
        help_text=_("抽查、案件、投诉或备案的编号；人工录入可不填"),
    )
    evidence = forms.CharField(
        label=_("证据"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("文书编号、材料或链接；人工录入必填"),
    )
    reason = forms.CharField(
        label=_("理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=_("人工录入必填")
    )

    def __init__(self, *args: Any, pack: Pack, roles: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["indicator"]).choices = [("", _("请选择")), *indicator_choices(pack, roles)]


class PublicSearchForm(forms.Form):
    q = forms.CharField(
        label=_("经营者名称或统一社会信用代码"),
        required=False,
        max_length=100,
        help_text=_("可输入名称中的几个字"),
    )

"""Input forms of the enforcement pages. Forms only shape input; ``enforcement.services`` validates and decides."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from ecredit.accounts.models import User
from ecredit.enforcement.issuing import PENALTY_TYPES, SEVERITIES
from ecredit.enforcement.models import Case, CaseState, Document, DocumentKind, EvidenceLink, LeadSource, RecordKind
from ecredit.policy.model import Pack
from ecredit.registry.models import Entity

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TEXT = forms.Textarea(attrs={"rows": 3})


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=100, help_text=_("案件编号、案由或当事人名称"))
    state = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部")), *CaseState.choices])
    due = forms.ChoiceField(
        label=_("期限"),
        required=False,
        choices=[("", _("全部")), ("overdue", _("已逾期")), ("near", _("临近期限"))],
    )


class LeadForm(forms.Form):
    source_kind = forms.ChoiceField(label=_("线索来源"), choices=LeadSource.choices)
    source_ref = forms.CharField(label=_("来源编号"), required=False, max_length=100)
    entity_code = forms.CharField(
        label=_("涉及主体的统一社会信用代码"), required=False, max_length=18, help_text=_("可不填")
    )
    summary = forms.CharField(label=_("线索内容"), widget=TEXT)
    received_on = forms.DateField(label=_("收到日期"), widget=DATE, required=False)


class LeadDecisionForm(forms.Form):
    reason = forms.CharField(label=_("理由"), widget=TEXT)
    to = forms.CharField(label=_("移送部门"), required=False, max_length=200)


class ProposeForm(forms.Form):
    title = forms.CharField(label=_("案由"), max_length=200)
    party_code = forms.CharField(label=_("当事人统一社会信用代码"), max_length=18)
    provider_code = forms.CharField(
        label=_("平台或基础服务经营者统一社会信用代码"), max_length=18, required=False, help_text=_("可不填")
    )
    conduct = forms.MultipleChoiceField(
        label=_("违法行为（第十四条）"), required=False, widget=forms.CheckboxSelectMultiple
    )
    other_duties = forms.CharField(
        label=_("违反的其他义务条款"), required=False, max_length=200, help_text=_("如 10.2、12.2，用顿号或逗号分隔")
    )
    legal_basis = forms.CharField(label=_("法律依据"), required=False, widget=TEXT)
    officers = forms.ModelMultipleChoiceField(
        label=_("承办人员（至少两名）"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    commercial_secrets = forms.CharField(label=_("商业秘密（每行一项，公示时隐去）"), required=False, widget=TEXT)

    def __init__(self, *args: Any, pack: Pack, officers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["conduct"]).choices = [
            (ref, f"{pack.articles[ref].title if ref in pack.articles else ref} {label}")
            for ref, label in pack.conduct.items()
        ]
        cast(forms.ModelMultipleChoiceField, self.fields["officers"]).queryset = officers


class TransitionForm(forms.Form):
    transition = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("理由"), required=False, widget=TEXT)
    decision = forms.CharField(label=_("处理决定"), required=False, widget=TEXT)


class ExtendForm(forms.Form):
    days = forms.IntegerField(label=_("延长天数"), min_value=1)
    reason = forms.CharField(label=_("延期理由"), widget=TEXT)


class RecordForm(forms.Form):
    kind = forms.ChoiceField(label=_("笔录类型"), choices=RecordKind.choices)
    started_at = forms.DateTimeField(label=_("开始时间"), widget=DATETIME)
    ended_at = forms.DateTimeField(label=_("结束时间"), widget=DATETIME)
    place = forms.CharField(label=_("地点"), max_length=200)
    officers = forms.CharField(label=_("执法人员及证号"), max_length=200)
    subject = forms.CharField(label=_("被询问人或现场负责人"), max_length=200)
    examined = forms.CharField(label=_("检查的计算机、网络设备及资料"), required=False, widget=TEXT)
    content = forms.CharField(label=_("笔录内容"), widget=TEXT)
    party_statement = forms.CharField(label=_("当事人陈述"), required=False, widget=TEXT)
    party_confirmed = forms.BooleanField(label=_("当事人已核对笔录并签字确认"), required=False)
    refusal_note = forms.CharField(label=_("未确认的情况"), required=False, max_length=200)


class EvidenceForm(forms.Form):
    title = forms.CharField(label=_("证据名称"), max_length=200)
    file = forms.FileField(label=_("证据文件"), required=False)
    evidence_ref = forms.CharField(
        label=_("证据库编号"), required=False, max_length=100, help_text=_("或填写电子证据库中的编号")
    )
    note = forms.CharField(label=_("说明"), required=False, widget=TEXT)


class NoncooperationForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("情形"),
        choices=[("obstruction", _("拒绝、阻挠调查取证（第十七条）")), ("untruthful", _("不如实说明情况（第十九条）"))],
    )
    party: forms.ModelChoiceField[Entity] = forms.ModelChoiceField(label=_("当事人"), queryset=Entity.objects.none())
    evidence: forms.ModelChoiceField[EvidenceLink] = forms.ModelChoiceField(
        label=_("证据"), queryset=EvidenceLink.objects.none()
    )
    description = forms.CharField(label=_("具体情况"), widget=TEXT)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["party"]).queryset = Entity.objects.filter(
            pk__in=case.parties.values("entity")
        )
        cast(forms.ModelChoiceField, self.fields["evidence"]).queryset = case.evidence.all()


def _party_field(case: Case) -> forms.ModelChoiceField[Entity]:
    return forms.ModelChoiceField(
        label=_("当事人"), queryset=Entity.objects.filter(pk__in=case.parties.values("entity")), empty_label=None
    )


class SuspensionForm(forms.Form):
    comply_by = forms.DateField(label=_("执行期限"), widget=DATE)
    measures = forms.CharField(label=_("需暂停的服务"), widget=TEXT)


class PenaltyForm(forms.Form):
    facts = forms.CharField(label=_("违法事实"), widget=forms.Textarea(attrs={"rows": 5}))
    legal_basis = forms.CharField(label=_("处罚依据"), widget=TEXT)
    penalties = forms.MultipleChoiceField(
        label=_("处罚种类"), choices=list(PENALTY_TYPES.items()), widget=forms.CheckboxSelectMultiple
    )
    fine_amount = forms.CharField(label=_("罚款金额（元）"), required=False, max_length=20)
    other_penalty = forms.CharField(label=_("其他处罚内容"), required=False, max_length=200)
    severity = forms.ChoiceField(label=_("情节"), choices=list(SEVERITIES.items()))
    food_drug = forms.BooleanField(label=_("属于食品、药品领域"), required=False)
    corrects: forms.ModelChoiceField[Document] = forms.ModelChoiceField(
        label=_("更正的文书"), required=False, queryset=Document.objects.none()
    )


class ClosureForm(forms.Form):
    operator_name = forms.CharField(label=_("电信运营商"), max_length=200)
    website = forms.CharField(label=_("需关闭的网站"), max_length=200)


class TransferForm(forms.Form):
    receiver = forms.CharField(label=_("接收的司法机关"), max_length=200)
    grounds = forms.CharField(label=_("移送理由"), widget=TEXT)
    file_list = forms.CharField(label=_("案卷材料清单（每行一项）"), widget=forms.Textarea(attrs={"rows": 5}))


DOCUMENT_FORMS: dict[str, type[forms.Form]] = {
    DocumentKind.SUSPENSION: SuspensionForm,
    DocumentKind.PENALTY: PenaltyForm,
    DocumentKind.CLOSURE_PROPOSAL: ClosureForm,
    DocumentKind.JUDICIAL_TRANSFER: TransferForm,
}


def document_form(kind: str, case: Case, data: Any = None) -> forms.Form:
    form = DOCUMENT_FORMS[kind](data)
    if kind != DocumentKind.JUDICIAL_TRANSFER:
        form.fields = {"party": _party_field(case), **form.fields}
    if kind == DocumentKind.PENALTY:
        cast(forms.ModelChoiceField, form.fields["corrects"]).queryset = case.documents.filter(kind=kind)
    return form


class ComplianceForm(forms.Form):
    report = forms.CharField(label=_("执行情况"), widget=TEXT)


class FlagForm(forms.Form):
    reason = forms.CharField(label=_("认定未执行的理由"), widget=TEXT)


class ExecutedForm(forms.Form):
    executed_on = forms.DateField(label=_("实施日期"), widget=DATE)

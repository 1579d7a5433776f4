"""The policy pack in memory: plain frozen dataclasses, no Django, no I/O.

``policy/loader.py`` turns a YAML file into a :class:`Pack` (strict schema, messages naming the file,
key path and line); ``credit/engine.py`` and the rest of ecredit read only these classes.
Every rule carries ``cites``: article references written ``"10.4"`` for 第十条第（四）项.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

ROLES = ("seller", "platform", "infrastructure")
DUTY_NATURES = ("duty", "prohibition", "power")
NATURES = (*DUTY_NATURES, "purpose", "definition", "organisation", "scope", "interpretation")


@dataclass(frozen=True)
class Article:
    """One article or item of the regulation, verbatim."""

    ref: str  # "8", "10.4", "14.10"
    title: str  # 第八条 / 第十条第（四）项
    text: str
    # What the item does: duty | prohibition | power (those must be implemented: coverage fails
    # when nothing cites them) | purpose | definition | organisation | scope | interpretation.
    nature: str
    note: str = ""  # for purpose/definition/...: why nothing implements it
    items: tuple[str, ...] = ()  # the refs of its items ("10.1" … "10.9"), set by the loader

    @property
    def duty_bearing(self) -> bool:
        """A duty, prohibition or power: something must cite it (``ecredit policy coverage``)."""
        return self.nature in DUTY_NATURES


@dataclass(frozen=True)
class Grade:
    code: str  # A B C D
    label: str  # 诚信 …
    min: int  # lowest score of the grade


@dataclass(frozen=True)
class Scale:
    base: int  # score of a registered entity with no events
    floor: int
    ceiling: int
    bonus_cap: int  # positive indicators together add at most this much
    grades: tuple[Grade, ...]  # highest first
    notice: str  # shown with every grade: 本评分标准为默认方案，可由主管部门调整

    def grade_for(self, score: float) -> Grade:
        for grade in self.grades:
            if score >= grade.min:
                return grade
        return self.grades[-1]


@dataclass(frozen=True)
class Indicator:
    """One line of the scoring scheme. Negative indicators count events of their own code; positive
    ones too, except ``clean_record`` ones, which the engine grants when no negative event happened
    in the window."""

    code: str  # "quality.sample_failed"
    label: str  # 网销商品抽查不合格
    cites: tuple[str, ...]
    roles: frozenset[str]  # the roles it applies to
    points: float  # per event; negative for a negative indicator
    cap: float | None  # total of this indicator over the window (same sign as points); None = no cap
    window_months: int | None  # an event counts this long after it occurred; None = while not ended
    full_weight_months: int | None  # full weight this long, then half weight until the window ends
    kind: str = "event"  # event | clean_record
    ended_by: tuple[str, ...] = ()  # a later event of one of these codes ends an earlier one (filing lapsed)
    repair_months: int | None = None  # earliest repair application: months after the event; None = no repair
    public: bool = False  # may be shown to the public as a reason (penalty decisions, inspection results)
    severity: str = "general"  # light | general | severe (documentation and repair defaults)
    advice: str = ""  # for the operator: what to do about it (plain Chinese)

    @property
    def positive(self) -> bool:
        return self.points > 0


@dataclass(frozen=True)
class Veto:
    """一票否决: an event of one of ``triggers`` forces ``grade`` for ``window_months``."""

    code: str
    label: str
    cites: tuple[str, ...]
    triggers: tuple[str, ...]  # indicator codes
    grade: str
    window_months: int


@dataclass(frozen=True)
class Period:
    """A figure with its citation, and where national law is stricter, that figure too.
    ``applied`` is the stricter of the two."""

    value: int
    unit: str  # days | working_days | months | years
    cites: tuple[str, ...]
    national_value: int | None = None
    national_cites: tuple[str, ...] = ()
    # The regulation sets no figure (``cites`` name the articles the rule serves); ``value`` then
    # equals ``national_value`` and only the national citation is the figure's source.
    regulation_silent: bool = False
    note: str = ""

    @property
    def applied(self) -> int:
        return max(self.value, self.national_value or 0)

    @property
    def applied_cites(self) -> tuple[str, ...]:
        if self.regulation_silent or (self.national_value is not None and self.national_value > self.value):
            return self.national_cites
        return self.cites

    @property
    def all_cites(self) -> tuple[str, ...]:
        return (*self.cites, *self.national_cites)


@dataclass(frozen=True)
class Retention:
    what: str  # transaction_records | licence_or_identity | user_access_logs
    period: Period
    start: str  # completed | deregistered | recorded

    @property
    def years(self) -> int:
        return self.period.applied if self.period.unit == "years" else 0

    @property
    def days(self) -> int:
        return self.period.applied if self.period.unit == "days" else 0

    @property
    def cites(self) -> tuple[str, ...]:
        return self.period.applied_cites

    def until(self, start: dt.date) -> dt.date:
        """The first day the record may be discarded: ``start`` plus the applied period."""
        try:
            end = start.replace(year=start.year + self.years)
        except ValueError:  # 29 February into a common year
            end = start.replace(year=start.year + self.years, day=28)
        return end + dt.timedelta(days=self.days)


@dataclass(frozen=True)
class Procedure:
    """Deadlines of the credit archive's procedures."""

    objection_decision: Period  # working days for an officer to decide an objection
    repair_decision: Period
    warning_grades: tuple[str, ...]  # falling into one of these grades raises a warning
    warning_drop: int  # a drop of this many grades raises a warning


@dataclass(frozen=True)
class Case:
    """An executable example: the events, the date, what the engine must answer."""

    name: str
    role: str
    as_of: dt.date
    events: tuple[dict[str, object], ...]
    expect: dict[str, object]


@dataclass(frozen=True)
class DrawWeight:
    """The random draw's risk weight of an entity: 1 + its negative credit events in the last
    ``lookback_months`` months, at most ``max`` (the regulation gives no figure: a default proposal)."""

    max: int
    lookback_months: int
    cites: tuple[str, ...]
    note: str = ""

    def weight(self, negative_events: int) -> int:
        return min(self.max, 1 + negative_events)


@dataclass(frozen=True)
class Sampling:
    """网销商品抽查 (Art. 5, 16 (1)): how much of each grade is drawn a year, and the deadlines."""

    cites: tuple[str, ...]
    annual_ratio: dict[str, float]  # grade code or "unrated" → share of those entities drawn per year
    retest: Period  # a sampled party may ask for a re-test within this period of receiving the result
    publish: Period  # results are published within this period
    note: str = ""
    rectification: Period | None = None  # a final fail's rectification order is due within this period
    repeat_failure: Period | None = None  # a second final fail within this period is 屡教不改 (Art. 16 (1))
    draw_weight: DrawWeight | None = None  # the random draw's risk weight of an entity


@dataclass(frozen=True)
class ReturnException:
    code: str  # custom_made | perishable | digital_opened | newspapers | confirmed_unsuitable …
    label: str
    needs_confirmation: bool  # excluded only when the consumer confirmed it at purchase
    cites: tuple[str, ...] = ()  # national citations of the exception (消费者权益保护法 第二十五条 …)


@dataclass(frozen=True)
class ReturnCategory:
    """A kind of goods for the 7-day rule: which exceptions may apply to it, which apply by its nature
    alone, and what 完好 means for it (网络购买商品七日无理由退货暂行办法, 2017)."""

    code: str  # general | clothing | electronics | food | fresh | …
    label: str
    exceptions: tuple[str, ...]  # exception codes that may apply to goods of this category
    inherent: tuple[str, ...]  # exception codes that apply by the category's nature, without a flag
    intact: str  # what makes goods of this category not 完好
    intact_cites: tuple[str, ...]


@dataclass(frozen=True)
class Returns:
    """七日无理由退货 (Art. 10 (4))."""

    cites: tuple[str, ...]
    national_cites: tuple[str, ...]
    window: Period
    start: str  # received: the day the consumer received the goods
    refund: Period | None
    exceptions: tuple[ReturnException, ...]
    note: str = ""
    categories: tuple[ReturnCategory, ...] = ()
    intact: str = ""  # what 完好 means in general
    intact_cites: tuple[str, ...] = ()

    def category(self, code: str) -> ReturnCategory | None:
        return next((category for category in self.categories if category.code == code), None)

    def exception(self, code: str) -> ReturnException | None:
        return next((exception for exception in self.exceptions if exception.code == code), None)


@dataclass(frozen=True)
class Disclosure:
    """What a listing must say before the sale (Art. 10 (3))."""

    cites: tuple[str, ...]
    national_cites: tuple[str, ...]
    required: dict[str, str]  # field code → Chinese label, in the regulation's order
    free_shipping: tuple[str, ...] = ()  # words that make a shipping fee plausible without a figure


@dataclass(frozen=True)
class Term:
    text: str
    except_categories: frozenset[str] = frozenset()  # return categories where the term is lawful


@dataclass(frozen=True)
class TermList:
    """A list of phrases the monitoring scan looks for, with its basis and the indicator an officer
    records when a finding of it is confirmed."""

    code: str  # absolute_claims | fake_marks | …
    label: str
    cites: tuple[str, ...]
    national_cites: tuple[str, ...]
    indicator: str
    terms: tuple[Term, ...]
    denies_returns: bool = False  # its phrases deny the statutory 7-day right

    @property
    def all_cites(self) -> tuple[str, ...]:
        return (*self.cites, *self.national_cites)


@dataclass(frozen=True)
class Complaints:
    cites: tuple[str, ...]
    accept: Period  # working days to decide whether to accept a complaint
    respond: Period  # working days to settle it after acceptance
    indicator: str  # recorded when a complaint is found substantiated


@dataclass(frozen=True)
class Incidents:
    cites: tuple[str, ...]
    report: Period  # days from the incident to its report
    indicator: str  # recorded when an incident is reported late or found unreported


@dataclass(frozen=True)
class Enforcement:
    """执法办案 (Art. 15-19, 22-24): the case and publication periods, and the indicators outcomes record."""

    cites: tuple[str, ...]
    decision: Period  # decide within this period of filing the case
    extension: Period  # one approved extension adds this much
    publish: Period  # a penalty decision is published within this period of the decision
    published_light: Period  # how long a light penalty stays published
    published_other: Period  # how long any other published penalty stays published
    review: Period  # the party may ask for administrative review within this period
    litigation: Period  # the party may sue within this period
    not_published: tuple[str, ...]  # penalty types that alone are not published (warning)
    not_published_cites: tuple[str, ...]
    penalty_indicators: dict[str, str]  # severity (light / general / severe) → indicator code
    food_drug_indicator: str
    obstruction_indicator: str
    untruthful_indicator: str
    suspension_ignored_indicator: str
    website_closed_indicator: str
    transfer_indicator: str
    note: str = ""


@dataclass(frozen=True)
class Pack:
    id: str
    title: str
    issuer: str
    jurisdiction_name: str
    division_code: str
    in_force_from: dt.date
    in_force_until: dt.date
    articles: dict[str, Article]
    scale: Scale
    indicators: dict[str, Indicator]
    vetoes: tuple[Veto, ...]
    retention: tuple[Retention, ...]
    procedure: Procedure
    sections: dict[str, object] = field(default_factory=dict)  # sampling, returns, listing_disclosure, conduct …
    sha256: str = ""
    path: str = ""
    sampling: Sampling | None = None
    returns: Returns | None = None
    listing_disclosure: Disclosure | None = None
    conduct: dict[str, str] = field(default_factory=dict)  # "14.1" → short label (Art. 14 taxonomy)
    cases: tuple[Case, ...] = ()  # cases written inside the pack file; see loader.load_cases for the rest
    in_force_cites: tuple[str, ...] = ()  # the article fixing the period in force (Art. 25)
    enforcement: Enforcement | None = None
    term_lists: tuple[TermList, ...] = ()  # the monitoring scan's lists (issue 8)
    complaints: Complaints | None = None
    incidents: Incidents | None = None

    def retention_for(self, what: str) -> Retention:
        for item in self.retention:
            if item.what == what:
                return item
        raise KeyError(f"policy pack {self.id} has no retention rule for {what!r}")

    def in_force(self, day: dt.date) -> bool:
        return self.in_force_from <= day <= self.in_force_until

    def article_texts(self, cites: tuple[str, ...] | list[str]) -> tuple[str, ...]:
        """The text of each cited article, in order; a national citation stands for itself."""
        return tuple(self.articles[ref].text if ref in self.articles else ref for ref in cites)

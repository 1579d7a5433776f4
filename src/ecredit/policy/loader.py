"""Strict loading of a policy pack file into :class:`ecredit.policy.model.Pack`.

The file is composed into YAML nodes (each keeps its line), walked with the declared schema
(``policy/schema.py``, by ``policy/checker.py``), cross-checked (every citation names an article of
the pack, every trigger an indicator, grades descend …) and only then turned into the frozen model. Every problem is reported,
each as ``<file>:<line>: <key path>: <message>``; a pack with any problem does not load.

Citations: ``cites`` hold article refs of this pack ("8", "10.4"); a national law is cited only in
``national_cites`` ("电子商务法 第三十一条"), which need no article.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import Node

from ecredit.policy import checker as s
from ecredit.policy.model import (
    Article,
    Case,
    Complaints,
    Disclosure,
    DrawWeight,
    Enforcement,
    Grade,
    Incidents,
    Indicator,
    Pack,
    Period,
    Procedure,
    Retention,
    ReturnCategory,
    ReturnException,
    Returns,
    Sampling,
    Scale,
    Term,
    TermList,
    Veto,
)
from ecredit.policy.schema import CASES, PACK


class PackError(ValueError):
    """A pack (or cases file) that does not load. ``file``, ``path``, ``line`` and ``message`` are
    those of the first problem; ``errors`` holds every problem, and ``str()`` shows them one a line."""

    def __init__(self, file: str, path: str, line: int, message: str, errors: Iterable[PackError] = ()) -> None:
        self.file = file
        self.path = path
        self.line = line
        self.message = message
        self.errors: tuple[PackError, ...] = tuple(errors) or (self,)
        super().__init__("\n".join(error.line_text() for error in self.errors))

    def line_text(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{self.file}:{self.line}: {where}{self.message}"

    def __str__(self) -> str:
        return "\n".join(error.line_text() for error in self.errors)


DUTY_BEARING_NOTE = "该性质的条文须说明理由（note）：为何没有规则或代码实施它"


# --- cross-checks -----------------------------------------------------------------------------------


def _ref_key(ref: str) -> tuple[int, int]:
    major, _, minor = ref.partition(".")
    return int(major), int(minor or 0)


def _resolve(c: s.Checker, natures: dict[str, str]) -> None:
    """Every name used is defined: cited articles (``natures``: ref → nature, "" when unknown),
    indicators, grades, vetoes."""
    known_articles = set(natures)
    defined = {kind: set(names) for kind, names in c.defined.items()}
    for ref, path, line in c.refs.get("article", []):
        if ref in known_articles:
            continue
        if not s.REF.fullmatch(ref):
            c.problem(path, line, f"“{ref}”不是本制度的条文编号；国家法律法规的引用只能写在 national_cites 中")
        else:
            c.problem(path, line, f"引用的条文“{ref}”不存在（articles 中没有）")
    for ref, path, line in c.refs.get("national", []):
        if s.REF.fullmatch(ref):
            c.problem(
                path,
                line,
                f"national_cites 只写国家法律法规（如“电子商务法 第三十一条”）；本制度条文“{ref}”写在 cites 中",
            )
    for kind, what in (
        ("indicator", "指标"),
        ("grade", "等级"),
        ("veto", "否决项"),
        ("return_exception", "退货例外"),
        ("return_category", "退货品类"),
    ):
        for name, path, line in c.refs.get(kind, []):
            if name not in defined.get(kind, set()):
                c.problem(path, line, f"{what}“{name}”不存在于政策包")
    grades = defined.get("grade", set())
    for name, path, line in c.refs.get("grade_or_unrated", []):
        if name not in grades and name != "unrated":
            c.problem(path, line, f"“{name}”不是等级代码（也可写 unrated 表示未评级）")
    for ref, path, line in c.refs.get("conduct", []):
        if ref not in known_articles:
            c.problem(path, line, f"引用的条文“{ref}”不存在（articles 中没有）")
        elif natures[ref] and ("." not in ref or natures[ref] != "prohibition"):
            c.problem(path, line, f'conduct 只列禁止性条文的各项（如 "14.1"），“{ref}”不是')


def _check_period(c: s.Checker, period: dict[str, Any], path: str) -> None:
    has_value = "value" in period
    has_national = "national_value" in period
    if has_national != ("national_cites" in period):
        c.problem(path, c.line(path), "national_value 与 national_cites 须同时写出")
    if not has_value and not has_national:
        c.problem(
            join(path, "value"), c.line(path), "缺少必填项（本制度未规定期限时，写出 national_value 与 national_cites）"
        )


ENFORCEMENT_PERIODS = ("decision", "extension", "publish", "published_light", "published_other", "review", "litigation")


def _enforcement(raw: dict[str, Any]) -> Enforcement:
    return Enforcement(
        cites=tuple(raw["cites"]),
        note=raw.get("note", ""),
        **{name: _period(raw[name]) for name in ENFORCEMENT_PERIODS},
        not_published=tuple(raw["not_published"]),
        not_published_cites=tuple(raw["not_published_cites"]),
        penalty_indicators=dict(raw["penalty_indicators"]),
        food_drug_indicator=raw["food_drug_indicator"],
        obstruction_indicator=raw["obstruction_indicator"],
        untruthful_indicator=raw["untruthful_indicator"],
        suspension_ignored_indicator=raw["suspension_ignored_indicator"],
        website_closed_indicator=raw["website_closed_indicator"],
        transfer_indicator=raw["transfer_indicator"],
    )


def join(path: str, key: str) -> str:
    return s.join(path, key)


def _check_pack(c: s.Checker, doc: dict[str, Any], stem: str) -> None:
    if doc["id"] != stem:
        c.problem("id", c.line("id"), f"政策包 id“{doc['id']}”须与文件名“{stem}.yaml”一致")
    if doc["in_force"]["from"] > doc["in_force"]["until"]:
        c.problem("in_force.until", c.line("in_force.until"), "有效期截止日不能早于起始日")

    articles: dict[str, Any] = doc["articles"]
    for ref, article in articles.items():
        path = s.join("articles", ref)
        if "." in ref and ref.split(".")[0] not in articles:
            c.problem(path, c.line(path), f"条文“{ref}”所属的第 {ref.split('.')[0]} 条不存在")
        if article["nature"] not in ("duty", "prohibition", "power") and not article.get("note", "").strip():
            c.problem(
                join(path, "nature"), c.line(join(path, "nature")), f"性质为 {article['nature']} {DUTY_BEARING_NOTE}"
            )

    score = doc["score"]
    if not score["floor"] <= score["base"] <= score["ceiling"]:
        c.problem("score.base", c.line("score.base"), "须满足 floor ≤ base ≤ ceiling")
    previous: dict[str, Any] | None = None
    for index, grade in enumerate(doc["grades"]):
        path = f"grades[{index}].min"
        if previous is not None and grade["min"] >= previous["min"]:
            c.problem(
                path,
                c.line(path),
                f"等级须按最低分从高到低排列：{grade['code']} 的 min {grade['min']} 不低于上一等级 {previous['code']} 的 {previous['min']}",
            )
        previous = grade
    if doc["grades"][-1]["min"] > score["floor"]:
        path = f"grades[{len(doc['grades']) - 1}].min"
        c.problem(path, c.line(path), f"最低等级的 min 不能高于 score.floor（{score['floor']}），否则有的分数没有等级")

    for index, indicator in enumerate(doc["indicators"]):
        path = f"indicators[{index}]"
        points, cap = indicator["points"], indicator["cap"]
        if cap is not None and (points > 0 > cap or points < 0 < cap):
            c.problem(join(path, "cap"), c.line(join(path, "cap")), "上限须与每次分值同号")
        window, full = indicator["window_months"], indicator["full_weight_months"]
        if window is not None and full is not None and full > window:
            c.problem(
                join(path, "full_weight_months"), c.line(join(path, "full_weight_months")), "全权重期不能长于计分窗口"
            )
        if indicator.get("kind") == "clean_record" and points <= 0:
            c.problem(join(path, "points"), c.line(join(path, "points")), "clean_record 指标须为加分")

    for index, item in enumerate(doc["retention"]):
        _check_period(c, item["period"], f"retention[{index}].period")
    for name in ("objection_decision", "repair_decision"):
        _check_period(c, doc["procedure"][name], f"procedure.{name}")
    if "sampling" in doc:
        missing = [g["code"] for g in doc["grades"] if g["code"] not in doc["sampling"]["annual_ratio"]]
        missing += [] if "unrated" in doc["sampling"]["annual_ratio"] else ["unrated"]
        if missing:
            c.problem(
                "sampling.annual_ratio", c.line("sampling.annual_ratio"), f"缺少等级 {'、'.join(missing)} 的抽查比例"
            )
        for name in ("retest", "publish", "rectification", "repeat_failure"):
            if name in doc["sampling"]:
                _check_period(c, doc["sampling"][name], f"sampling.{name}")
    if "enforcement" in doc:
        for name in ENFORCEMENT_PERIODS:
            _check_period(c, doc["enforcement"][name], f"enforcement.{name}")
    if "returns" in doc:
        for name in ("window", "refund"):
            if name in doc["returns"]:
                _check_period(c, doc["returns"][name], f"returns.{name}")
        for index, category in enumerate(doc["returns"].get("categories", ())):
            stray = [code for code in category["inherent"] if code not in category["exceptions"]]
            if stray:
                path = f"returns.categories[{index}].inherent"
                c.problem(path, c.line(path), f"inherent 中的 {'、'.join(stray)} 须同时列在 exceptions 中")
    for section in ("complaints", "incidents"):
        if section in doc:
            for name in ("accept", "respond", "report"):
                if name in doc[section]:
                    _check_period(c, doc[section][name], f"{section}.{name}")
    for index, term_list in enumerate(doc.get("term_lists", ())):
        seen: set[str] = set()
        for number, term in enumerate(term_list["terms"]):
            text = term if isinstance(term, str) else term["term"]
            if text in seen:
                path = f"term_lists[{index}].terms[{number}]"
                c.problem(path, c.line(path), f"词语“{text}”在本词表中重复")
            seen.add(text)


def _check_cases(c: s.Checker, cases: list[dict[str, Any]], prefix: str) -> None:
    names: dict[str, int] = {}
    for index, case in enumerate(cases):
        path = f"{prefix}[{index}]"
        line = c.line(path)
        if case["name"] in names:
            c.problem(
                join(path, "name"), c.line(join(path, "name")), f"案例名称重复（第 {names[case['name']]} 行已有）"
            )
        names.setdefault(case["name"], line)
        ids: set[int] = set()
        for number, event in enumerate(case["events"], start=1):
            event_path = f"{path}.events[{number - 1}]"
            event_id = event.get("id", number)
            if event_id in ids:
                c.problem(join(event_path, "id"), c.line(event_path), f"事件编号 {event_id} 重复")
            ids.add(event_id)
            for later in ("withdrawn_on", "repaired_from"):
                if later in event and event[later] < event["occurred_on"]:
                    c.problem(join(event_path, later), c.line(join(event_path, later)), "不能早于 occurred_on")


# --- building the model -----------------------------------------------------------------------------


def _period(data: dict[str, Any]) -> Period:
    silent = "value" not in data
    return Period(
        value=int(data["national_value"] if silent else data["value"]),
        unit=data["unit"],
        cites=tuple(data["cites"]),
        national_value=data.get("national_value"),
        national_cites=tuple(data.get("national_cites", ())),
        regulation_silent=silent,
        note=data.get("note", ""),
    )


def _draw_weight(data: dict[str, Any]) -> DrawWeight:
    return DrawWeight(
        max=data["max"], lookback_months=data["lookback_months"], cites=tuple(data["cites"]), note=data.get("note", "")
    )


def _case(data: dict[str, Any]) -> Case:
    events = tuple({"id": number, **event} for number, event in enumerate(data["events"], start=1))
    return Case(name=data["name"], role=data["role"], as_of=data["as_of"], events=events, expect=dict(data["expect"]))


def _build(doc: dict[str, Any], *, sha256: str, path: Path) -> Pack:
    raw_articles: dict[str, Any] = doc["articles"]
    refs = sorted(raw_articles, key=_ref_key)
    articles = {
        ref: Article(
            ref=ref,
            title=raw_articles[ref]["title"],
            text=raw_articles[ref]["text"],
            nature=raw_articles[ref]["nature"],
            note=raw_articles[ref].get("note", ""),
            items=tuple(r for r in refs if "." in r and r.split(".")[0] == ref),
        )
        for ref in refs
    }
    indicators = {
        item["code"]: Indicator(
            code=item["code"],
            label=item["label"],
            cites=tuple(item["cites"]),
            roles=frozenset(item["roles"]),
            points=float(item["points"]),
            cap=None if item["cap"] is None else float(item["cap"]),
            window_months=item["window_months"],
            full_weight_months=item["full_weight_months"],
            kind=item.get("kind", "event"),
            ended_by=tuple(item.get("ended_by", ())),
            repair_months=item.get("repair_months"),
            public=item.get("public", False),
            severity=item.get("severity", "general"),
            advice=item.get("advice", ""),
        )
        for item in doc["indicators"]
    }
    procedure = doc["procedure"]
    sampling = returns = disclosure = None
    if "sampling" in doc:
        raw = doc["sampling"]
        sampling = Sampling(
            cites=tuple(raw["cites"]),
            annual_ratio={key: float(value) for key, value in raw["annual_ratio"].items()},
            retest=_period(raw["retest"]),
            publish=_period(raw["publish"]),
            note=raw.get("note", ""),
            rectification=_period(raw["rectification"]) if "rectification" in raw else None,
            repeat_failure=_period(raw["repeat_failure"]) if "repeat_failure" in raw else None,
            draw_weight=_draw_weight(raw["draw_weight"]) if "draw_weight" in raw else None,
        )
    if "returns" in doc:
        raw = doc["returns"]
        returns = Returns(
            cites=tuple(raw["cites"]),
            national_cites=tuple(raw.get("national_cites", ())),
            window=_period(raw["window"]),
            start=raw["from"],
            refund=_period(raw["refund"]) if "refund" in raw else None,
            exceptions=tuple(
                ReturnException(
                    e["code"],
                    e["label"],
                    e["needs_confirmation"],
                    tuple(raw.get("exception_cites", {}).get(e["code"], ())),
                )
                for e in raw["exceptions"]
            ),
            note=raw.get("note", ""),
            categories=tuple(
                ReturnCategory(
                    code=item["code"],
                    label=item["label"],
                    exceptions=tuple(item["exceptions"]),
                    inherent=tuple(item["inherent"]),
                    intact=item["intact"],
                    intact_cites=tuple(item["intact_cites"]),
                )
                for item in raw.get("categories", ())
            ),
            intact=raw.get("intact", {}).get("text", ""),
            intact_cites=tuple(raw.get("intact", {}).get("national_cites", ())),
        )
    if "listing_disclosure" in doc:
        raw = doc["listing_disclosure"]
        disclosure = Disclosure(
            cites=tuple(raw["cites"]),
            national_cites=tuple(raw.get("national_cites", ())),
            required=dict(raw["required"]),
            free_shipping=tuple(raw.get("free_shipping", ())),
        )
    complaints = incidents = None
    if "complaints" in doc:
        raw = doc["complaints"]
        complaints = Complaints(
            cites=tuple(raw["cites"]),
            accept=_period(raw["accept"]),
            respond=_period(raw["respond"]),
            indicator=raw["indicator"],
        )
    if "incidents" in doc:
        raw = doc["incidents"]
        incidents = Incidents(cites=tuple(raw["cites"]), report=_period(raw["report"]), indicator=raw["indicator"])
    term_lists = tuple(
        TermList(
            code=item["code"],
            label=item["label"],
            cites=tuple(item["cites"]),
            national_cites=tuple(item.get("national_cites", ())),
            indicator=item["indicator"],
            denies_returns=item.get("denies_returns", False),
            terms=tuple(
                Term(term) if isinstance(term, str) else Term(term["term"], frozenset(term["except_categories"]))
                for term in item["terms"]
            ),
        )
        for item in doc.get("term_lists", ())
    )
    return Pack(
        id=doc["id"],
        title=doc["title"],
        issuer=doc["issuer"],
        jurisdiction_name=doc["jurisdiction"]["name"],
        division_code=doc["jurisdiction"]["division_code"],
        in_force_from=doc["in_force"]["from"],
        in_force_until=doc["in_force"]["until"],
        articles=articles,
        scale=Scale(
            base=doc["score"]["base"],
            floor=doc["score"]["floor"],
            ceiling=doc["score"]["ceiling"],
            bonus_cap=doc["score"]["bonus_cap"],
            grades=tuple(Grade(g["code"], g["label"], g["min"]) for g in doc["grades"]),
            notice=doc["score"]["notice"],
        ),
        indicators=indicators,
        vetoes=tuple(
            Veto(
                code=v["code"],
                label=v["label"],
                cites=tuple(v["cites"]),
                triggers=tuple(v["triggers"]),
                grade=v["grade"],
                window_months=v["window_months"],
            )
            for v in doc["vetoes"]
        ),
        retention=tuple(
            Retention(what=r["what"], period=_period(r["period"]), start=r["start"]) for r in doc["retention"]
        ),
        procedure=Procedure(
            objection_decision=_period(procedure["objection_decision"]),
            repair_decision=_period(procedure["repair_decision"]),
            warning_grades=tuple(procedure["warning_grades"]),
            warning_drop=procedure["warning_drop"],
        ),
        sections={
            **{
                name: doc[name]
                for name in (
                    "sampling",
                    "returns",
                    "listing_disclosure",
                    "conduct",
                    "enforcement",
                    "complaints",
                    "incidents",
                )
                if name in doc
            },
            # keyed by code so that a diff names the list that changed
            **({"term_lists": {item["code"]: item for item in doc["term_lists"]}} if "term_lists" in doc else {}),
        },
        sha256=sha256,
        path=str(path),
        sampling=sampling,
        returns=returns,
        listing_disclosure=disclosure,
        conduct=dict(doc.get("conduct", {})),
        cases=tuple(_case(case) for case in doc.get("cases", ())),
        in_force_cites=tuple(doc["in_force"].get("cites", ())),
        enforcement=_enforcement(doc["enforcement"]) if "enforcement" in doc else None,
        term_lists=term_lists,
        complaints=complaints,
        incidents=incidents,
    )


# --- entry points -----------------------------------------------------------------------------------


def _fail(name: str, problems: list[s.Problem]) -> PackError:
    ordered = sorted(problems, key=lambda p: p.line)
    errors = [PackError(name, p.path, p.line, p.message) for p in ordered]
    first = errors[0]
    return PackError(first.file, first.path, first.line, first.message, errors)


def _compose(name: str, raw: bytes) -> Node:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PackError(name, "", 1, f"文件不是 UTF-8 编码（第 {exc.start} 字节）") from None
    try:
        root = s.compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise PackError(name, "", line, f"YAML 语法错误：{exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise PackError(name, "", 1, f"YAML 语法错误：{exc}") from None
    if root is None:
        raise PackError(name, "", 1, "文件为空")
    return root


def load_file(path: str | Path) -> Pack:
    """Load and check one pack file; raise :class:`PackError` listing every problem."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PackError(path.name, "", 0, f"无法读取文件：{exc.strerror or exc}") from None
    root = _compose(path.name, raw)
    c = s.Checker()
    doc = s.walk(root, PACK, c)
    if doc is not s.INVALID:
        _resolve(c, {ref: article["nature"] for ref, article in doc["articles"].items()})
        _check_pack(c, doc, path.name.removesuffix(".yaml"))
        if "cases" in doc:
            _check_cases(c, doc["cases"], "cases")
    elif "article" in c.defined:
        # The structure is broken somewhere, but names may still be checked against what was read.
        _resolve(c, dict.fromkeys(c.defined["article"], ""))
    if c.problems:
        raise _fail(path.name, c.problems)
    return _build(doc, sha256=hashlib.sha256(raw).hexdigest(), path=path.resolve())


def cases_path(pack: Pack) -> Path:
    return Path(pack.path).with_name(f"{pack.id}.cases.yaml")


def load_cases(pack: Pack) -> tuple[Case, ...]:
    """The pack's executable cases: those written in the pack, then those of ``<id>.cases.yaml``
    beside it (a YAML list of cases), checked as strictly as the pack and against its names."""
    path = cases_path(pack)
    if not path.is_file():
        return pack.cases
    raw = path.read_bytes()
    root = _compose(path.name, raw)
    c = s.Checker()
    cases = s.walk(root, CASES, c)
    c.defined.setdefault("indicator", {}).update(dict.fromkeys(pack.indicators, ("", 0)))
    c.defined.setdefault("grade", {}).update({g.code: ("", 0) for g in pack.scale.grades})
    c.defined.setdefault("veto", {}).update({v.code: ("", 0) for v in pack.vetoes})
    _resolve(c, {ref: article.nature for ref, article in pack.articles.items()})
    if cases is not s.INVALID:
        _check_cases(c, cases, "")
    if c.problems:
        raise _fail(path.name, c.problems)
    return (*pack.cases, *(_case(case) for case in cases))


def problems_in(path: str | Path) -> list[PackError]:
    """Every problem of a pack file and of its cases file (empty when both load)."""
    try:
        pack = load_file(path)
    except PackError as exc:
        return list(exc.errors)
    try:
        load_cases(pack)
    except PackError as exc:
        return list(exc.errors)
    return []

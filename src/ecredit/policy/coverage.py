"""What implements each article and item of the regulation: the pack's rules that cite it, and the
code that declares it implements it.

The code's declaration (see ``docs/adding-a-rule.md``) is one module-level dict per module::

    IMPLEMENTS = {
        "8": "备案登记与亮照标识",
        "12.2": "注销之日起算身份信息保存期限",
    }

keys are article refs of the pack, values say in Chinese what the module does about it. The
modules are read as source (``ast``), never imported. An item whose nature is duty, prohibition or
power must be cited by something; an article with items is covered when it is cited itself or when
all of its duty-bearing items are.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ecredit.policy.model import Article, Pack

SOURCE_ROOT = Path(__file__).resolve().parent.parent  # src/ecredit
DECLARATION = "IMPLEMENTS"


@dataclass(frozen=True)
class CodeCitation:
    ref: str
    module: str  # ecredit/registry/services.py
    line: int
    what: str


@dataclass(frozen=True)
class ArticleCoverage:
    article: Article
    by_pack: tuple[str, ...]  # "指标 quality.sample_failed", "保存期限 transaction_records" …
    by_code: tuple[CodeCitation, ...]
    via_items: bool  # not cited itself, but every duty-bearing item is covered

    @property
    def covered(self) -> bool:
        return bool(self.by_pack or self.by_code or self.via_items)

    @property
    def required(self) -> bool:
        return self.article.duty_bearing


@dataclass(frozen=True)
class CoverageReport:
    pack_id: str
    items: tuple[ArticleCoverage, ...]
    problems: tuple[str, ...]  # code declarations that name no article of the pack, or are malformed

    @property
    def uncovered(self) -> tuple[str, ...]:
        """Refs of duty-bearing articles and items that nothing cites."""
        return tuple(item.article.ref for item in self.items if item.required and not item.covered)


def pack_citations(pack: Pack) -> dict[str, list[str]]:
    """ref → what in the pack cites it."""
    found: dict[str, list[str]] = {}

    def cite(refs: Iterable[str], what: str) -> None:
        for ref in refs:
            if ref in pack.articles and what not in found.setdefault(ref, []):
                found[ref].append(what)

    cite(pack.in_force_cites, "有效期 in_force")
    for indicator in pack.indicators.values():
        cite(indicator.cites, f"指标 {indicator.code}")
    for veto in pack.vetoes:
        cite(veto.cites, f"否决项 {veto.code}")
    for rule in pack.retention:
        cite(rule.period.cites, f"保存期限 {rule.what}")
    cite(pack.procedure.objection_decision.cites, "程序 objection_decision")
    cite(pack.procedure.repair_decision.cites, "程序 repair_decision")
    if pack.sampling is not None:
        draw_weight = pack.sampling.draw_weight.cites if pack.sampling.draw_weight else ()
        cite(
            (*pack.sampling.cites, *pack.sampling.retest.cites, *pack.sampling.publish.cites, *draw_weight),
            "章节 sampling",
        )
    if pack.returns is not None:
        refund = pack.returns.refund.cites if pack.returns.refund else ()
        cite((*pack.returns.cites, *pack.returns.window.cites, *refund), "章节 returns")
    if pack.listing_disclosure is not None:
        cite(pack.listing_disclosure.cites, "章节 listing_disclosure")
    cite(pack.conduct, "章节 conduct")
    return found


def _declaration(tree: ast.Module) -> ast.expr | None:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == DECLARATION for t in node.targets):
            return node.value
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == DECLARATION:
            return node.value
    return None


def code_citations(root: Path = SOURCE_ROOT) -> tuple[list[CodeCitation], list[str]]:
    """Every ``IMPLEMENTS`` declaration under ``root`` (migrations excepted), and the malformed ones."""
    citations: list[CodeCitation] = []
    problems: list[str] = []
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        if DECLARATION not in source:
            continue
        module = f"{root.name}/{path.relative_to(root).as_posix()}"
        value = _declaration(ast.parse(source, filename=str(path)))
        if value is None:
            continue
        try:
            declared = ast.literal_eval(value)
        except ValueError:
            problems.append(f"{module}:{value.lineno}: {DECLARATION} 须为字面量字典 {{条文编号: 说明}}")
            continue
        if not isinstance(declared, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in declared.items()
        ):
            problems.append(f'{module}:{value.lineno}: {DECLARATION} 须为 {{"条文编号": "说明"}}，键和值都是非空字符串')
            continue
        keys = value.keys if isinstance(value, ast.Dict) else []
        for index, (ref, what) in enumerate(declared.items()):
            key_node = keys[index] if index < len(keys) else None
            line = key_node.lineno if key_node is not None else value.lineno
            citations.append(CodeCitation(ref=ref, module=module, line=line, what=what))
    return citations, problems


def coverage(pack: Pack, root: Path = SOURCE_ROOT) -> CoverageReport:
    by_pack = pack_citations(pack)
    citations, problems = code_citations(root)
    by_code: dict[str, list[CodeCitation]] = {}
    for citation in citations:
        if citation.ref not in pack.articles:
            problems.append(f"{citation.module}:{citation.line}: 条文“{citation.ref}”不存在于政策包 {pack.id}")
            continue
        by_code.setdefault(citation.ref, []).append(citation)

    def own(ref: str) -> bool:
        return bool(by_pack.get(ref) or by_code.get(ref))

    items = []
    for ref, article in pack.articles.items():
        duty_items = [pack.articles[r] for r in article.items if pack.articles[r].duty_bearing]
        via_items = not own(ref) and bool(duty_items) and all(own(item.ref) for item in duty_items)
        items.append(
            ArticleCoverage(
                article=article,
                by_pack=tuple(by_pack.get(ref, ())),
                by_code=tuple(by_code.get(ref, ())),
                via_items=via_items,
            )
        )
    return CoverageReport(pack_id=pack.id, items=tuple(items), problems=tuple(problems))

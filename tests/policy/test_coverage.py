"""``policy/coverage.py``: every duty, prohibition and power of the regulation is implemented by a
rule of the pack or by code that declares it (``IMPLEMENTS``); purposes and definitions say why not."""

from __future__ import annotations

from pathlib import Path

from ecredit.policy.coverage import code_citations, coverage
from ecredit.policy.loader import load_file
from ecredit.policy.packs import active_pack
from tests.policy.helpers import variant


def test_it_finds_every_duty_prohibition_and_power_implemented() -> None:
    report = coverage(active_pack())
    assert report.problems == ()
    assert report.uncovered == ()


def test_it_counts_the_registry_declaration_and_the_pack_rules() -> None:
    items = {item.article.ref: item for item in coverage(active_pack()).items}
    assert any(c.module == "ecredit/registry/services.py" for c in items["12.2"].by_code)
    assert "保存期限 licence_or_identity" in items["12.2"].by_pack
    assert items["9.1"].by_code and not items["9.1"].by_pack
    assert items["10.4"].by_pack == ("指标 returns.refused", "章节 returns")
    assert items["10"].via_items and items["10"].covered  # the lead-in is covered by its nine items
    assert not items["1"].required and items["1"].article.note


def test_it_fails_when_a_duty_item_is_cited_by_nothing(tmp_path: Path) -> None:
    pack = load_file(variant(tmp_path, ('cites: ["10.5", "14.6"]', 'cites: ["14.6"]')))
    report = coverage(pack)
    assert "10.5" in report.uncovered and "10" in report.uncovered
    assert set(report.uncovered) == {"10", "10.5"}


def test_it_reads_declarations_from_source_without_importing(tmp_path: Path) -> None:
    root = tmp_path / "ecredit"
    (root / "shop" / "migrations").mkdir(parents=True)
    (root / "shop" / "services.py").write_text(
        'import does_not_exist\n\nIMPLEMENTS = {\n    "10.4": "七日无理由退货的退货单",\n    "99": "没有这一条",\n}\n',
        encoding="utf-8",
    )
    (root / "shop" / "bad.py").write_text("IMPLEMENTS = {'10.3': some_function()}\n", encoding="utf-8")
    (root / "shop" / "migrations" / "0001_initial.py").write_text('IMPLEMENTS = {"15": "x"}\n', encoding="utf-8")
    citations, problems = code_citations(root)
    assert [(c.ref, c.module, c.line) for c in citations] == [
        ("10.4", "ecredit/shop/services.py", 4),
        ("99", "ecredit/shop/services.py", 5),
    ]
    assert problems == ["ecredit/shop/bad.py:1: IMPLEMENTS 须为字面量字典 {条文编号: 说明}"]
    report = coverage(active_pack(), root)
    assert "ecredit/shop/services.py:5: 条文“99”不存在于政策包 nanan-2023-trial" in report.problems
    assert "15" in report.uncovered  # the migration's declaration does not count

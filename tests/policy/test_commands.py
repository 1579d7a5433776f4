"""``ecredit policy list | show | validate | diff | coverage | extend`` as a person at the shell runs them."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ecredit.audit.models import AuditEntry
from ecredit.policy import services
from ecredit.policy.models import PackExtension
from ecredit.policy.packs import load_pack
from tests.policy.helpers import PACK_ID, REAL, line_of, variant


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("policy", *args, stdout=out)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_it_lists_the_installed_packs_with_their_extensions(db: None) -> None:
    status, output = run("list")
    (line,) = output.splitlines()
    assert status == 0 and line.startswith(f"* {PACK_ID}\t南安市网销商品质量安全信用评价制度（试行）")
    assert "有效期 2023-03-31 至 2025-03-30" in line and line.endswith("延期：无")
    run("extend", PACK_ID, "--until", "2026-12-31", "--reason", "主管部门决定继续试行至新制度出台")
    assert run("list")[1].rstrip().endswith("延期：至 2026-12-31（命令行：ecredit policy extend）")


def test_it_shows_a_pack_summary() -> None:
    status, output = run("show", PACK_ID)
    lines = output.splitlines()
    assert status == 0
    assert "条文：25 条、48 项，另有序言" in lines
    assert "  quality.sample_failed\t-15\t-45\t24\t12\tplatform,seller\t5、10.2、16.1" in lines
    assert "  filing.current\t5\t5\t—\t—\tinfrastructure,platform,seller\t8" in lines
    retention = next(line for line in lines if line.startswith("  transaction_records"))
    assert retention.endswith("→ 适用 3年（电子商务法 第三十一条）")
    assert "等级：A 诚信 ≥90；B 基本诚信 ≥75；C 警示 ≥60；D 失信 ≥0" in lines
    assert "  抽取权重：1 + 近 24 个月失信事件数，最高 9（5、16.1）" in lines


def test_it_refuses_to_show_an_unknown_pack() -> None:
    with pytest.raises(CommandError, match="没有政策包“nanan-2099”"):
        run("show", "nanan-2099")


def test_it_validates_every_installed_pack_by_default() -> None:
    assert run("validate") == (0, f"OK {PACK_ID}.yaml\n")


def test_it_prints_every_problem_and_exits_1_for_a_broken_file(tmp_path: Path) -> None:
    path = variant(
        tmp_path,
        ("issuer: 南安市商务局\n", "issuer: 南安市商务局\ncolour: red\n"),
        ("until: 2025-03-30, cites", "until: 2025-02-30, cites"),
    )
    status, output = run("validate", str(REAL), str(path))
    lines = output.splitlines()
    assert status == 1
    assert lines[0] == f"OK {PACK_ID}.yaml"
    assert lines[1].startswith(f"{PACK_ID}.yaml:{line_of(path, 'colour: red')}: colour: 未知的键“colour”")
    assert lines[2] == f"{PACK_ID}.yaml:{line_of(path, '2025-02-30')}: in_force.until: “2025-02-30”不是有效日期"


def test_it_validates_the_cases_file_beside_a_pack(tmp_path: Path) -> None:
    path = variant(tmp_path)
    (tmp_path / f"{PACK_ID}.cases.yaml").write_text(
        "- name: 写错的指标\n  role: seller\n  as_of: 2024-06-30\n"
        "  events: [{indicator: nope.nope, occurred_on: 2024-01-01}]\n  expect: {grade: B}\n",
        encoding="utf-8",
    )
    status, output = run("validate", str(path))
    assert status == 1
    assert output == f"{PACK_ID}.cases.yaml:4: [0].events[0].indicator: 指标“nope.nope”不存在于政策包\n"


def test_it_exits_1_for_a_missing_file(tmp_path: Path) -> None:
    status, output = run("validate", str(tmp_path / "nothing.yaml"))
    assert status == 1 and output.startswith("nothing.yaml:0: 无法读取文件")


def test_it_diffs_two_packs_by_id_or_file(tmp_path: Path) -> None:
    path = variant(
        tmp_path,
        ("{code: B, label: 基本诚信, min: 75}", "{code: B, label: 基本诚信, min: 70}"),
        ('{value: 2, unit: years, cites: ["12.2"]}', '{value: 3, unit: years, cites: ["12.2"]}'),
        (
            'cites: ["10.4"], roles: [seller],\n     points: -5, cap: -15',
            'cites: ["10.4"], roles: [seller],\n     points: -8, cap: -24',
        ),
        ("  - {code: enforcement.penalty_light,", "  - {code: enforcement.penalty_minor,"),
        ("{light: enforcement.penalty_light,", "{light: enforcement.penalty_minor,"),  # the enforcement section
        ("    max: 9\n", "    max: 3\n"),
    )
    status, output = run("diff", PACK_ID, str(path))
    lines = output.splitlines()
    assert status == 0
    assert "~ 等级 B：min: 75 → 70" in lines
    assert "~ 指标 returns.refused：points: -5 → -8；cap: -15 → -24" in lines
    assert "~ 保存期限 licence_or_identity：value: 2 → 3；applied: 2 → 3" in lines
    assert "- 指标 enforcement.penalty_light" in lines and "+ 指标 enforcement.penalty_minor" in lines
    assert "~ 章节 sampling：draw_weight.max: 9 → 3" in lines
    assert lines[-1] == "共 7 处不同"  # the renamed indicator also changes the enforcement section
    assert run("diff", PACK_ID, str(REAL))[1].splitlines()[-1] == "没有不同"


def test_it_prints_coverage_and_exits_0_when_every_duty_item_is_implemented() -> None:
    status, output = run("coverage")
    lines = output.splitlines()
    assert status == 0
    assert "10.4\t第十条第（四）项\t义务\t已实施：指标 returns.refused；章节 returns" in lines
    assert any(line.startswith("20\t第二十条\t义务\t已实施：") and "evidence/services.py" in line for line in lines)
    assert "1\t第一条\t定义\t无须实施：定义“电子商务”，不设定义务。" in lines
    assert lines[-1] == "每一项义务、禁止和职权条款都已有实施。"
    assert len(lines) == 74 + 1


def test_it_exits_1_and_names_the_items_a_pack_leaves_uncovered(tmp_path: Path) -> None:
    path = variant(tmp_path, ('cites: ["10.5", "14.6"]', 'cites: ["14.6"]'))
    status, output = run("coverage", "--pack", str(path))
    assert status == 1
    assert output.splitlines()[-1] == "未实施的义务、禁止或职权条款（2）：10、10.5"


def test_it_records_an_extension_as_the_command_line(db: None) -> None:
    status, output = run("extend", PACK_ID, "--until", "2026-12-31", "--reason", "主管部门决定继续试行至新制度出台")
    assert status == 0 and output.startswith(f"已记录：政策包 {PACK_ID} 延期至 2026-12-31")
    extension = PackExtension.objects.get()
    assert (extension.recorded_by, extension.user_id, extension.until) == (
        "命令行：ecredit policy extend",
        None,
        dt.date(2026, 12, 31),
    )
    assert AuditEntry.objects.get(action="policy.extension.record").via == "system"
    note = services.coverage_for(load_pack(PACK_ID), dt.date(2026, 1, 1)).note
    assert "本结果依据系统管理员（命令行：ecredit policy extend）于" in note


def test_it_refuses_a_bad_extension_from_the_command_line(db: None) -> None:
    with pytest.raises(CommandError, match="日期“2026-02-30”无效"):
        run("extend", PACK_ID, "--until", "2026-02-30", "--reason", "主管部门决定继续试行至新制度出台")
    with pytest.raises(CommandError, match="至少 10 个字"):
        run("extend", PACK_ID, "--until", "2026-12-31", "--reason", "继续")
    assert not PackExtension.objects.exists()


def test_it_answers_with_exit_codes_as_the_installed_command(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["ECREDIT_VAR_DIR"] = str(tmp_path / "var")
    ecredit = str(Path(sys.executable).parent / "ecredit")
    broken = variant(tmp_path, ('cites: ["12.7"]', 'cites: ["12.70"]'))
    good = subprocess.run([ecredit, "policy", "validate"], capture_output=True, text=True, env=env, check=False)
    bad = subprocess.run(
        [ecredit, "policy", "validate", str(broken)], capture_output=True, text=True, env=env, check=False
    )
    assert (good.returncode, good.stdout) == (0, f"OK {PACK_ID}.yaml\n")
    assert bad.returncode == 1 and "indicators[26].cites[0]: 引用的条文“12.70”不存在" in bad.stdout
    cover = subprocess.run([ecredit, "policy", "coverage"], capture_output=True, text=True, env=env, check=False)
    assert cover.returncode == 0 and "每一项义务、禁止和职权条款都已有实施" in cover.stdout
    (tmp_path / "gap").mkdir()
    gap = variant(tmp_path / "gap", ('cites: ["10.5", "14.6"]', 'cites: ["14.6"]'))
    uncovered = subprocess.run(
        [ecredit, "policy", "coverage", "--pack", str(gap)], capture_output=True, text=True, env=env, check=False
    )
    assert uncovered.returncode == 1 and "未实施的义务、禁止或职权条款（2）" in uncovered.stdout

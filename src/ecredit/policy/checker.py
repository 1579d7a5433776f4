"""The checker that walks a YAML node tree with a declared schema (``policy/schema.py``).

Each spec checks one node and returns its plain Python value, or ``INVALID`` after recording a
:class:`Problem` that names the key path and the line. Nothing is refused silently and the checker
never stops at the first problem: the author of a pack sees everything wrong with it at once.
Cross-references (an article cited, an indicator named, a grade used) are recorded while walking and
resolved when the whole file is known (``policy/loader.py``).

Pure: no Django, no I/O.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

TAG = "tag:yaml.org,2002:"
REF = re.compile(r"^(0|[1-9][0-9]*)(\.[1-9][0-9]*)?$")  # "8", "10.4"; "0" is the preamble
CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")  # quality.sample_failed
KEY = re.compile(r"^[a-z][a-z0-9_]*$")  # a field code: shipping_fee, custom_made


class _Invalid:
    def __repr__(self) -> str:
        return "INVALID"


INVALID: Any = _Invalid()


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str


@dataclass
class Checker:
    """What one walk found: problems, the line of every path, and the references to resolve."""

    problems: list[Problem] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)
    # kind ("article", "indicator", "grade", "veto") → [(value, path, line)]
    refs: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)
    # kind → {value: (path, line)} of the first definition
    defined: dict[str, dict[str, tuple[str, int]]] = field(default_factory=dict)

    def problem(self, path: str, line: int, message: str) -> Any:
        self.problems.append(Problem(path, line, message))
        return INVALID

    def line(self, path: str, default: int = 1) -> int:
        return self.lines.get(path, default)


def line_of(node: Node) -> int:
    return int(node.start_mark.line) + 1


def join(path: str, key: str) -> str:
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
        return f"{path}.{key}" if path else key
    return f'{path}["{key}"]'


def describe(node: Node) -> str:
    """What the author wrote, in words, for a message that says what was expected instead."""
    if isinstance(node, MappingNode):
        return "映射"
    if isinstance(node, SequenceNode):
        return "列表"
    kinds = {
        "str": "字符串",
        "int": "整数",
        "float": "小数",
        "bool": "布尔值",
        "null": "空值",
        "timestamp": "日期",
    }
    tag = str(node.tag)
    kind = kinds.get(tag.removeprefix(TAG), f"标签 {tag}")
    shown = str(node.value)
    if len(shown) > 30:
        shown = shown[:30] + "…"
    return f"{kind}“{shown}”"


_constructor = SafeConstructor()


class Spec:
    label = "值"

    def check(self, node: Node, path: str, c: Checker) -> Any:
        raise NotImplementedError

    def wrong(self, node: Node, path: str, c: Checker) -> Any:
        return c.problem(path, line_of(node), f"应为{self.label}，实为{describe(node)}")


class Str(Spec):
    def __init__(self, *, pattern: re.Pattern[str] | None = None, hint: str = "", allow_empty: bool = False) -> None:
        self.pattern = pattern
        self.hint = hint
        self.allow_empty = allow_empty
        self.label = "字符串"

    def check(self, node: Node, path: str, c: Checker) -> Any:
        if not isinstance(node, ScalarNode) or node.tag != TAG + "str":
            return self.wrong(node, path, c)
        value = str(node.value)
        if not value.strip() and not self.allow_empty:
            return c.problem(path, line_of(node), "不能为空")
        if self.pattern is not None and not self.pattern.fullmatch(value):
            return c.problem(path, line_of(node), f"“{value}”格式不对：{self.hint}")
        return value


class Int(Spec):
    def __init__(self, *, minimum: int | None = None) -> None:
        self.minimum = minimum
        self.label = "整数"

    def check(self, node: Node, path: str, c: Checker) -> Any:
        if not isinstance(node, ScalarNode) or node.tag != TAG + "int":
            return self.wrong(node, path, c)
        value = int(_constructor.construct_yaml_int(node))
        if self.minimum is not None and value < self.minimum:
            return c.problem(path, line_of(node), f"不能小于 {self.minimum}")
        return value


class Number(Spec):
    def __init__(self, *, minimum: float | None = None, maximum: float | None = None) -> None:
        self.minimum = minimum
        self.maximum = maximum
        self.label = "数值"

    def check(self, node: Node, path: str, c: Checker) -> Any:
        if not isinstance(node, ScalarNode) or node.tag not in (TAG + "int", TAG + "float"):
            return self.wrong(node, path, c)
        if node.tag == TAG + "int":
            value: float = int(_constructor.construct_yaml_int(node))
        else:
            value = float(_constructor.construct_yaml_float(node))
            if math.isnan(value) or math.isinf(value):
                return c.problem(path, line_of(node), "应为有限的数值")
        if self.minimum is not None and value < self.minimum:
            return c.problem(path, line_of(node), f"不能小于 {self.minimum}")
        if self.maximum is not None and value > self.maximum:
            return c.problem(path, line_of(node), f"不能大于 {self.maximum}")
        return value


class Bool(Spec):
    label = "布尔值（true 或 false）"

    def check(self, node: Node, path: str, c: Checker) -> Any:
        if not isinstance(node, ScalarNode) or node.tag != TAG + "bool":
            return self.wrong(node, path, c)
        return str(node.value).lower() == "true"


class Date(Spec):
    label = "日期（YYYY-MM-DD）"

    def check(self, node: Node, path: str, c: Checker) -> Any:
        if not isinstance(node, ScalarNode):
            return self.wrong(node, path, c)
        if node.tag == TAG + "str" and re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", str(node.value)):
            return c.problem(path, line_of(node), f"日期“{node.value}”不要加引号，应写作 YYYY-MM-DD")
        if node.tag != TAG + "timestamp":
            return self.wrong(node, path, c)
        try:
            value = _constructor.construct_yaml_timestamp(node)
        except (ValueError, ConstructorError):
            return c.problem(path, line_of(node), f"“{node.value}”不是有效日期")
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(node.value)):
            return c.problem(path, line_of(node), f"“{node.value}”应为不含时间的日期，写作 YYYY-MM-DD")
        return value


class Enum(Spec):
    def __init__(self, values: tuple[str, ...], *, what: str = "值") -> None:
        self.values = values
        self.what = what
        self.label = "、".join(values) + " 之一"

    def check(self, node: Node, path: str, c: Checker) -> Any:
        if not isinstance(node, ScalarNode) or node.tag != TAG + "str":
            return self.wrong(node, path, c)
        if node.value not in self.values:
            return c.problem(path, line_of(node), f"{self.what}“{node.value}”无效，应为 {self.label}")
        return str(node.value)


class Ref(Spec):
    """A name defined elsewhere in the pack (an article, an indicator, a grade), resolved at the end."""

    def __init__(self, kind: str, inner: Spec) -> None:
        self.kind = kind
        self.inner = inner
        self.label = inner.label

    def check(self, node: Node, path: str, c: Checker) -> Any:
        value = self.inner.check(node, path, c)
        if value is not INVALID:
            c.refs.setdefault(self.kind, []).append((value, path, line_of(node)))
        return value


class Def(Spec):
    """A name this node defines (an indicator code, an article ref); a second definition is refused."""

    def __init__(self, kind: str, inner: Spec, *, what: str) -> None:
        self.kind = kind
        self.inner = inner
        self.what = what
        self.label = inner.label

    def check(self, node: Node, path: str, c: Checker) -> Any:
        value = self.inner.check(node, path, c)
        if value is INVALID:
            return value
        seen = c.defined.setdefault(self.kind, {})
        if value in seen:
            return c.problem(path, line_of(node), f"{self.what}“{value}”重复（第 {seen[value][1]} 行已定义）")
        seen[value] = (path, line_of(node))
        return value


class Nullable(Spec):
    def __init__(self, inner: Spec) -> None:
        self.inner = inner
        self.label = f"{inner.label}或 null"

    def check(self, node: Node, path: str, c: Checker) -> Any:
        if isinstance(node, ScalarNode) and node.tag == TAG + "null":
            return None
        return self.inner.check(node, path, c)


class Either(Spec):
    """A scalar written one way or a mapping written another (a reason: a code, or {indicator: …})."""

    def __init__(self, scalar: Spec, mapping: Spec) -> None:
        self.scalar = scalar
        self.mapping = mapping
        self.label = f"{scalar.label}或映射"

    def check(self, node: Node, path: str, c: Checker) -> Any:
        if isinstance(node, MappingNode):
            return self.mapping.check(node, path, c)
        return self.scalar.check(node, path, c)


class ListOf(Spec):
    def __init__(self, item: Spec, *, min_items: int = 0, empty: str = "") -> None:
        self.item = item
        self.min_items = min_items
        self.empty = empty
        self.label = "列表"

    def check(self, node: Node, path: str, c: Checker) -> Any:
        if not isinstance(node, SequenceNode):
            return self.wrong(node, path, c)
        if len(node.value) < self.min_items:
            return c.problem(path, line_of(node), self.empty or f"至少需要 {self.min_items} 项")
        values = []
        for index, child in enumerate(node.value):
            child_path = f"{path}[{index}]"
            c.lines[child_path] = line_of(child)
            values.append(self.item.check(child, child_path, c))
        return INVALID if any(v is INVALID for v in values) else values


def _pairs(node: MappingNode, path: str, c: Checker) -> tuple[list[tuple[str, Node, Node]], bool]:
    """The mapping's (key, key node, value node), refusing non-string and duplicate keys
    (PyYAML's constructor would silently keep the last of two equal keys)."""
    pairs: list[tuple[str, Node, Node]] = []
    seen: dict[str, int] = {}
    ok = True
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode) or key_node.tag not in (TAG + "str", TAG + "int", TAG + "float"):
            c.problem(path, line_of(key_node), f"键应为字符串，实为{describe(key_node)}")
            ok = False
            continue
        key = str(key_node.value)
        if key in seen:
            c.problem(join(path, key), line_of(key_node), f"键“{key}”重复（第 {seen[key]} 行已出现）")
            ok = False
            continue
        seen[key] = line_of(key_node)
        pairs.append((key, key_node, value_node))
    return pairs, ok


@dataclass(frozen=True)
class Field:
    spec: Spec
    required: bool = True
    missing: str = "缺少必填项"


class Obj(Spec):
    """A mapping with a fixed set of keys: unknown keys and missing required keys are refused."""

    label = "映射"

    def __init__(self, fields: Mapping[str, Field | Spec]) -> None:
        self.fields = {name: f if isinstance(f, Field) else Field(f) for name, f in fields.items()}

    def check(self, node: Node, path: str, c: Checker) -> Any:
        if not isinstance(node, MappingNode):
            return self.wrong(node, path, c)
        pairs, ok = _pairs(node, path, c)
        result: dict[str, Any] = {}
        for key, key_node, value_node in pairs:
            child_path = join(path, key)
            c.lines[child_path] = line_of(key_node)
            if key not in self.fields:
                allowed = "、".join(self.fields)
                c.problem(child_path, line_of(key_node), f"未知的键“{key}”（可用：{allowed}）")
                ok = False
                continue
            value = self.fields[key].spec.check(value_node, child_path, c)
            ok = ok and value is not INVALID
            result[key] = value
        present = {key for key, _k, _v in pairs}
        for name, spec in self.fields.items():
            if spec.required and name not in present:
                c.problem(join(path, name), line_of(node), spec.missing)
                ok = False
        return result if ok else INVALID


class MapOf(Spec):
    """A mapping whose keys are names (article refs, grade codes) and whose values share one spec."""

    label = "映射"

    def __init__(self, key: Spec, value: Spec, *, min_items: int = 0) -> None:
        self.key = key
        self.value = value
        self.min_items = min_items

    def check(self, node: Node, path: str, c: Checker) -> Any:
        if not isinstance(node, MappingNode):
            return self.wrong(node, path, c)
        pairs, ok = _pairs(node, path, c)
        if len(pairs) < self.min_items:
            return c.problem(path, line_of(node), f"至少需要 {self.min_items} 项")
        result: dict[str, Any] = {}
        for key, key_node, value_node in pairs:
            child_path = join(path, key)
            c.lines[child_path] = line_of(key_node)
            # Keys are checked as strings even when YAML read them as numbers (10.4 unquoted).
            key_as_str = ScalarNode(TAG + "str", key, key_node.start_mark, key_node.end_mark)
            checked_key = self.key.check(key_as_str, child_path, c)
            value = self.value.check(value_node, child_path, c)
            ok = ok and checked_key is not INVALID and value is not INVALID
            result[key] = value
        return result if ok else INVALID


class Check(Spec):
    """A spec plus a rule over the checked value (``rule`` records its own problems)."""

    def __init__(self, inner: Spec, rule: Callable[[Any, str, Checker], None]) -> None:
        self.inner = inner
        self.rule = rule
        self.label = inner.label

    def check(self, node: Node, path: str, c: Checker) -> Any:
        value = self.inner.check(node, path, c)
        if value is not INVALID:
            self.rule(value, path, c)
        return value


def walk(root: Node, spec: Spec, c: Checker) -> Any:
    c.lines[""] = line_of(root)
    return spec.check(root, "", c)


try:  # libyaml composes ten times faster; both keep every node's line
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]


class PackLoader(_SafeLoader):
    """PyYAML's safe loader, with YAML 1.1's yes/no/on/off no longer read as booleans
    (a conduct code ``no`` must stay a string); only ``true`` and ``false`` are."""


PackLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != TAG + "bool"]
    for first, resolvers in _SafeLoader.yaml_implicit_resolvers.items()
}
PackLoader.add_implicit_resolver(TAG + "bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def compose(text: str | bytes) -> Node | None:
    """The document's node tree: every node keeps the line it starts on."""
    return yaml.compose(text, Loader=PackLoader)

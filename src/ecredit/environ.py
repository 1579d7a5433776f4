"""Strict parsers for settings read from the environment.

A malformed value is a start-up error that names the variable; nothing is guessed.
A secret may be given directly (``NAME``) or as a path to a file holding it (``NAME_FILE``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


class EnvError(Exception):
    """A setting in the environment is malformed. The message names the variable."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"环境变量 {name} 无效 / invalid environment variable {name}: {problem}")
        self.name = name


class Env:
    """Reads typed values from a mapping (``os.environ`` by default)."""

    TRUE = frozenset({"true", "1", "yes", "on"})
    FALSE = frozenset({"false", "0", "no", "off"})

    def __init__(self, source: Mapping[str, str] | None = None) -> None:
        self.source: Mapping[str, str] = os.environ if source is None else source

    def raw(self, name: str) -> str | None:
        value = self.source.get(name)
        if value is None:
            return None
        return value.strip()

    def string(self, name: str, default: str) -> str:
        value = self.raw(name)
        return default if value is None or value == "" else value

    def boolean(self, name: str, default: bool) -> bool:
        value = self.raw(name)
        if value is None or value == "":
            return default
        lowered = value.lower()
        if lowered in self.TRUE:
            return True
        if lowered in self.FALSE:
            return False
        raise EnvError(name, f"应为 true 或 false，收到 {value!r} / expected true or false, got {value!r}")

    def integer(self, name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
        value = self.raw(name)
        if value is None or value == "":
            return default
        try:
            number = int(value, 10)
        except ValueError:
            raise EnvError(name, f"应为整数，收到 {value!r} / expected an integer, got {value!r}") from None
        if minimum is not None and number < minimum:
            raise EnvError(name, f"不得小于 {minimum} / must be at least {minimum}")
        if maximum is not None and number > maximum:
            raise EnvError(name, f"不得大于 {maximum} / must be at most {maximum}")
        return number

    def choice(self, name: str, default: str, choices: tuple[str, ...]) -> str:
        value = self.string(name, default)
        if value not in choices:
            allowed = ", ".join(choices)
            raise EnvError(name, f"应为 {allowed} 之一，收到 {value!r} / expected one of {allowed}, got {value!r}")
        return value

    def strings(self, name: str, default: list[str]) -> list[str]:
        value = self.raw(name)
        if value is None or value == "":
            return list(default)
        items = [item.strip() for item in value.split(",")]
        if any(item == "" for item in items):
            raise EnvError(name, "逗号分隔的列表中有空项 / the comma-separated list has an empty item")
        return items

    def secret(self, name: str) -> str | None:
        """``NAME`` or the contents of the file named by ``NAME_FILE``; both set is an error."""
        direct = self.raw(name)
        path = self.raw(f"{name}_FILE")
        if direct and path:
            raise EnvError(name, f"不能同时设置 {name} 与 {name}_FILE / set {name} or {name}_FILE, not both")
        if path:
            try:
                content = Path(path).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise EnvError(f"{name}_FILE", f"无法读取文件 {path}：{exc.strerror} / cannot read {path}") from None
            if not content:
                raise EnvError(f"{name}_FILE", f"文件 {path} 为空 / file {path} is empty")
            return content
        return direct or None


def generated_secret(path: Path, make: str) -> str:
    """Read a secret kept in ``path``, creating it (mode 0600) on first use.

    Used only for the embedded default (development profile); production must supply secrets.
    """
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(make + "\n")
    return make

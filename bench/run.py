"""Run the benchmarks in ``bench/`` and print each one's result line.

Usage: ``python bench/run.py [NAME ...]`` where NAME is ``audit_verify`` for ``bench_audit_verify.py``;
no NAME runs them all, in file-name order.

Each ``bench/bench_<name>.py`` defines ``main() -> str``, which measures its subject and a reference in
the same run and returns the final line, ``bench <name>: <value> <unit>, ratio <r> to <reference>``.
Every benchmark runs in a fresh Python process of its own: one that configures Django (settings are
read from the environment once per process) cannot leak into the next, and none inherits another's
heap. The exit status is non-zero if any benchmark failed or did not end with a well-formed line.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
RESULT = re.compile(
    r"^bench (?P<name>[a-z0-9_]+): (?P<value>[0-9.]+) (?P<unit>\S+), ratio (?P<ratio>[0-9.]+) to (?P<reference>\S+)$"
)


def discover() -> dict[str, Path]:
    return {path.stem.removeprefix("bench_"): path for path in sorted(BENCH_DIR.glob("bench_*.py"))}


def run_here(path: Path) -> None:
    """Import one benchmark module and print what its ``main()`` returns (the child process's job)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    print(module.main(), flush=True)


def run_child(name: str, path: Path) -> bool:
    """Run one benchmark in its own process, passing its output through; True if it ended well."""
    command = [sys.executable, str(Path(__file__).resolve()), "--here", str(path)]
    # Our own interpreter running this file: no untrusted input reaches the command line.
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, encoding="utf-8", env=env) as child:  # noqa: S603
        assert child.stdout is not None
        last = ""
        for line in child.stdout:
            print(line, end="", flush=True)
            if line.strip():
                last = line.rstrip("\n")
        status = child.wait()
    if status != 0:
        print(f"bench {name}: FAILED (exit status {status})", file=sys.stderr)
        return False
    match = RESULT.match(last)
    if match is None or match["name"] != name:
        print(
            f"bench {name}: last line is not `bench {name}: <value> <unit>, ratio <r> to <reference>`", file=sys.stderr
        )
        return False
    return True


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "--here":
        run_here(Path(argv[1]))
        return 0
    available = discover()
    unknown = [name for name in argv if name not in available]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available)}", file=sys.stderr)
        return 2
    selected = argv or list(available)
    failed = [name for name in selected if not run_child(name, available[name])]
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

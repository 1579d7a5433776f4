"""Timing shared by the benchmarks (imported by name: bench/ is on the path when run.py runs them)."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable


def timed(func: Callable[[], object]) -> float:
    """Seconds one call takes, with the garbage collector held off so it cannot land in one side only."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        func()
        return time.perf_counter() - start
    finally:
        gc.enable()


def result_line(name: str, value: float, unit: str, reference_value: float, reference: str) -> str:
    """The one closing line every benchmark prints: its value and its ratio to the same-run reference."""
    return f"bench {name}: {value:.0f} {unit}, ratio {value / reference_value:.2f} to {reference}"

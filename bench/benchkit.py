"""Helpers every benchmark script shares: percentiles, strict-JSON figures, a clean stop on SIGTERM, machine facts."""

from __future__ import annotations

import math
import subprocess
from pathlib import Path


def percentile(values: list[float], q: float, weights: list[float] | None = None) -> float:
    """Nearest-rank percentile (values need not be sorted); with weights, each value counts `weight` times."""
    if not values:
        return float("nan")
    weights = weights or [1.0] * len(values)
    pairs = sorted(zip(values, weights, strict=True))
    target = q / 100 * sum(weights)
    running = 0.0
    for value, weight in pairs:
        running += weight
        if running >= target - 1e-9:
            return value
    return pairs[-1][0]


def finite(value):
    """NaN and infinity (a figure nothing was measured for) as null, so that the file is strict JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


def interrupt(signum, frame):
    """SIGTERM handler: stop like Ctrl-C, so that the script's cleanup and partial output still run."""
    raise KeyboardInterrupt


def machine(packages: tuple[str, ...] = ()) -> dict:
    """What a result was measured on: cores, memory, Python, SQLite and the versions of `packages`."""
    import os
    import platform
    import sqlite3
    from importlib.metadata import version
    from pathlib import Path

    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    versions = {}
    for package in packages:
        try:
            versions[package] = version(package)
        except Exception:  # noqa: BLE001 - a missing version is only information
            versions[package] = "?"
    return {"cores": os.cpu_count(), "usable_cores": usable, "ram_gb": round(mem_kb / 1024 ** 2, 1),
            "python": platform.python_version(), "platform": platform.platform(), "sqlite": sqlite3.sqlite_version,
            "loop_ms": speed_probe(), **versions}


def speed_probe(iterations: int = 5_000_000) -> float:
    """Milliseconds of one core for a fixed pure-Python loop (best of three): the same machine kind is not always
    equally fast (a virtual machine's host, its neighbours), so figures of different runs are compared only with
    this beside them (and the baselines each benchmark measures in the same run)."""
    import time

    best = float("inf")
    for _ in range(3):
        start, total = time.perf_counter(), 0
        for i in range(iterations):
            total += i
        best = min(best, time.perf_counter() - start)
    return round(best * 1000, 1)


def code_version() -> str:
    """The commit measured, and whether src/ differs from it (read-only git commands)."""
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True,
                              timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=root, capture_output=True,
                               text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown (no git)"
    return f"{head or '?'}{' + uncommitted changes in src/' if dirty else ''}"


class Printer:
    """Prints a report line by line and keeps the lines for the results file."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, text: str = "") -> None:
        print(text, flush=True)
        self.lines.append(text)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"

"""Shared timing for the benchmark scripts: the rule of issue #21.

Every side is warmed the same way (``warmup`` untimed calls each), timed as the
median of the same number of runs, wall-clock and CPU time side by side, and
each target line names the ratio it judges (wall or CPU) and whether it is met.
The semantics follow ``bench_tree.py``'s ``median_time`` (median wall, median
CPU of ``repeat`` calls, the last result) and ``bench_boosting.py``'s
``_median_pair`` (one untimed call per side, then the timed calls alternate so
that a load spike hits both sides).

CPU time is ``time.process_time`` (every thread of this process); with
``children=True`` the CPU time of waited-for child processes
(``os.times().children_user + children_system``) is added, for work done in
subprocesses.  Work done in pool workers that outlive the call (loky) cannot be
attributed this way: scripts that use them say so or sample the process tree.

    >>> from _timing import median_time
    >>> t = median_time(lambda: sum(range(1000)), repeat=3)
    >>> t.result
    499500
"""

from __future__ import annotations

import os
import time
from typing import Any, Callable, NamedTuple

import numpy as np


class Timing(NamedTuple):
    """Median wall and CPU seconds of ``repeat`` timed calls, and the last result."""

    wall: float
    cpu: float
    repeat: int
    result: Any = None


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, as ``/proc/loadavg`` writes them."""
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # not Unix
        return "n/a"


def _cpu_now(children: bool) -> float:
    cpu = time.process_time()
    if children:
        t = os.times()
        cpu += t.children_user + t.children_system
    return cpu


def time_once(fn: Callable[[], Any], children: bool = False) -> tuple[float, float, Any]:
    """(wall seconds, CPU seconds, result) of one call of ``fn``."""
    w0, c0 = time.perf_counter(), _cpu_now(children)
    out = fn()
    return time.perf_counter() - w0, _cpu_now(children) - c0, out


def median_time(fn: Callable[[], Any], repeat: int, warmup: int = 0,
                children: bool = False) -> Timing:
    """Median wall and CPU time of ``repeat`` calls of ``fn`` after ``warmup``
    untimed calls."""
    for _ in range(warmup):
        fn()
    walls, cpus, out = [], [], None
    for _ in range(repeat):
        wall, cpu, out = time_once(fn, children)
        walls.append(wall)
        cpus.append(cpu)
    return Timing(float(np.median(walls)), float(np.median(cpus)), repeat, out)


def median_pair(ours: Callable[[], Any], anchor: Callable[[], Any], repeat: int,
                warmup: int = 1, children: bool = False) -> tuple[Timing, Timing]:
    """:func:`median_time` of both sides, the same warm-up and number of runs,
    the timed calls alternating (anchor first).  Returns ``(ours, anchor)``."""
    for _ in range(warmup):
        anchor()
        ours()
    runs: dict[str, list] = {"ours": [], "anchor": []}
    for _ in range(repeat):
        for side, fn in (("anchor", anchor), ("ours", ours)):
            runs[side].append(time_once(fn, children))

    def summary(side):
        r = runs[side]
        return Timing(float(np.median([w for w, _, _ in r])),
                      float(np.median([c for _, c, _ in r])), repeat, r[-1][2])

    return summary("ours"), summary("anchor")


def ratio_text(ours: Timing, anchor: Timing, label: str = "ours / anchor") -> str:
    """'ratio ours / anchor: wall 1.23x, CPU 1.10x' (time ratios: < 1 is faster)."""
    return (f"ratio {label}: wall {ours.wall / anchor.wall:.2f}x, "
            f"CPU {ours.cpu / max(anchor.cpu, 1e-12):.2f}x")


def target_line(name: str, value: float, bound: float, which: str, *, at_most: bool = True,
                unit: str = "x") -> bool:
    """Print one target line: what is judged, the value, the bound, MET / not met,
    and the load average.  ``which`` names the figure judged ("CPU ratio",
    "wall ratio", "CPU seconds"...).  Returns whether the target is met."""
    met = value <= bound if at_most else value >= bound
    sign = "<=" if at_most else ">="
    print(f"TARGET {name}: {which} {value:.3g}{unit} (want {sign} {bound:g}{unit}) "
          f"{'MET' if met else 'not met'}  [load {load_average()}]", flush=True)
    return met


def header(text: str, repeat: int, warm: str) -> None:
    """The line every script prints first: what is timed, how, and the load."""
    print(f"{text}; median of {repeat} run(s) per side, {warm}; {os.cpu_count()} CPUs, "
          f"load average {load_average()}", flush=True)

"""benchmarks/_timing.py: the same warm-up and the same number of timed runs on both sides."""

import importlib.util
import time
from pathlib import Path

import pytest

TIMING = Path(__file__).resolve().parents[1] / "benchmarks" / "_timing.py"


@pytest.fixture(scope="module")
def timing():
    spec = importlib.util.spec_from_file_location("_timing", TIMING)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def counter():
    calls = []

    def fn():
        calls.append(len(calls))
        return len(calls)

    return fn, calls


def test_median_pair_warms_and_times_both_sides_alike(timing):
    ours, ours_calls = counter()
    anchor, anchor_calls = counter()
    t_ours, t_anchor = timing.median_pair(ours, anchor, repeat=3, warmup=1)
    assert len(ours_calls) == len(anchor_calls) == 4  # one warm-up + three timed each
    assert t_ours.repeat == t_anchor.repeat == 3
    assert t_ours.result == t_anchor.result == 4  # the last timed call's result


def test_median_time_takes_the_median_not_the_best(timing):
    sleeps = iter([0.0, 0.05, 0.0, 0.0])  # warm-up, then 0.05, 0, 0: median 0, best 0

    def fn():
        time.sleep(next(sleeps))

    t = timing.median_time(fn, repeat=3, warmup=1)
    assert t.wall < 0.04
    sleeps = iter([0.0, 0.05, 0.05, 0.0])  # median 0.05, best 0
    t = timing.median_time(fn, repeat=3, warmup=1)
    assert t.wall >= 0.05
    assert t.cpu < 0.04  # sleeping costs no CPU: the two clocks are kept apart


def test_children_cpu_is_counted_only_when_asked(timing):
    import subprocess
    import sys

    busy = [sys.executable, "-c", "import time\nt = time.process_time()\n"
            "while time.process_time() - t < 0.2: pass"]
    own = timing.median_time(lambda: subprocess.run(busy, check=True), repeat=1)
    tree = timing.median_time(lambda: subprocess.run(busy, check=True), repeat=1,
                              children=True)
    assert own.cpu < 0.1
    assert tree.cpu >= 0.2


def test_target_line_says_which_ratio_and_verdict(timing, capsys):
    assert timing.target_line("fit", 1.1, 1.2, "CPU ratio") is True
    assert timing.target_line("speed", 0.9, 1.0, "wall ratio", at_most=False) is False
    out = capsys.readouterr().out.splitlines()
    assert "CPU ratio 1.1x (want <= 1.2x) MET" in out[0] and "load" in out[0]
    assert "wall ratio 0.9x (want >= 1x) not met" in out[1]

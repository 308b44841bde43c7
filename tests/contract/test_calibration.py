from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from adapters.crypto.calibration import calibrate, measure


def test_a_target_below_the_floor_suggests_the_owasp_floor() -> None:
    measurements = calibrate(timedelta(0), samples=1)
    assert [(m.memory_kib, m.time_cost, m.parallelism) for m in measurements] == [(19456, 2, 1)]
    assert measurements[0].verify_seconds > 0


def test_each_step_raises_the_cost_and_the_last_one_reaches_the_target() -> None:
    first = measure(19456, 2, 1, samples=1)
    # A target well above the floor's own time needs at least one step up.
    target = first.verify_seconds * 3
    measurements = calibrate(timedelta(seconds=target), samples=1)
    costs = [(m.memory_kib, m.time_cost) for m in measurements]
    assert costs == sorted(costs)
    assert len(set(costs)) == len(costs)
    assert measurements[-1].verify_seconds >= target


def test_the_command_prints_settings_to_copy() -> None:
    bastion = str(Path(sys.executable).with_name("bastion"))
    result = subprocess.run(
        [bastion, "hash", "calibrate", "--target", "1ms"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "BASTION_ARGON2_MEMORY_KIB=19456" in result.stdout
    assert "BASTION_ARGON2_TIME_COST=2" in result.stdout

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from adapters.crypto.calibration import calibrate, measure


def test_a_target_below_the_floor_suggests_the_owasp_floor() -> None:
    calibration = calibrate(timedelta(0), samples=1)
    assert [(m.memory_kib, m.time_cost, m.parallelism) for m in calibration.measurements] == [(19456, 2, 1)]
    assert calibration.suggestion.verify_seconds > 0


def test_measure_times_a_verify_with_the_given_parameters() -> None:
    measured = measure(19456, 2, 1, samples=1)
    assert (measured.memory_kib, measured.time_cost, measured.parallelism) == (19456, 2, 1)
    assert measured.verify_seconds > 0


def test_the_command_prints_settings_to_copy() -> None:
    bastion = str(Path(sys.executable).with_name("bastion"))
    result = subprocess.run(
        [bastion, "hash", "calibrate", "--target", "1ms"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "BASTION_ARGON2_MEMORY_KIB=19456" in result.stdout
    assert "BASTION_ARGON2_TIME_COST=2" in result.stdout

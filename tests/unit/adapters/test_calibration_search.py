"""The search of `bastion hash calibrate`, on a fake timer: a verify takes as long as a model says."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.crypto.calibration import MAX_MEMORY_KIB, TOLERANCE, Measurement, calibrate

FLOOR = (19456, 2, 1)


class FakeTimer:
    """A machine where a verify takes `seconds_per_kib_pass` for every KiB and pass, times the
    next of `noise` (1.0 once it runs out); it records what it was asked to measure."""

    def __init__(self, seconds_per_kib_pass: float, noise: tuple[float, ...] = ()) -> None:
        self.rate, self.noise, self.asked = seconds_per_kib_pass, iter(noise), list[tuple[int, int, int]]()

    def __call__(self, memory_kib: int, time_cost: int, parallelism: int) -> Measurement:
        self.asked.append((memory_kib, time_cost, parallelism))
        seconds = memory_kib * time_cost * self.rate * next(self.noise, 1.0)
        return Measurement(memory_kib, time_cost, parallelism, seconds)


def _floor_takes(seconds: float, noise: tuple[float, ...] = ()) -> FakeTimer:
    return FakeTimer(seconds / (FLOOR[0] * FLOOR[1]), noise)


def _params(measured: Measurement) -> tuple[int, int, int]:
    return (measured.memory_kib, measured.time_cost, measured.parallelism)


def _within_tolerance(measured: Measurement, target: float) -> bool:
    return abs(measured.verify_seconds - target) <= TOLERANCE * target


def test_a_target_between_two_doublings_is_met_within_the_tolerance() -> None:
    # Doubling alone suggested 4x the floor here: 400 ms for a 250 ms target.
    timer = _floor_takes(0.100)
    calibration = calibrate(timedelta(milliseconds=250), measure_with=timer)
    assert _within_tolerance(calibration.suggestion, 0.250)
    assert calibration.suggestion.time_cost == 2
    assert calibration.suggestion.memory_kib % 1024 == 0


def test_the_suggestion_is_the_last_measurement_taken_again() -> None:
    timer = _floor_takes(0.100)
    calibration = calibrate(timedelta(milliseconds=250), measure_with=timer)
    assert calibration.measurements[-1] == calibration.suggestion
    assert timer.asked.count(_params(calibration.suggestion)) == 2
    assert calibration.measurements[0] == Measurement(*FLOOR, pytest.approx(0.100))


def test_a_suggestion_that_measures_slower_again_is_searched_on() -> None:
    # The third verify (4x the floor: 400 ms) is a lucky 260 ms; measured again it is 400 ms.
    timer = _floor_takes(0.100, noise=(1.0, 1.0, 0.65, 1.0))
    calibration = calibrate(timedelta(milliseconds=250), measure_with=timer)
    assert _within_tolerance(calibration.suggestion, 0.250)
    assert calibration.suggestion.memory_kib < 4 * FLOOR[0]


@pytest.mark.parametrize("target_s", [1.5, 3.0, 5.5])
def test_past_the_memory_limit_the_time_cost_grows(target_s: float) -> None:
    timer = FakeTimer(0.5 / (MAX_MEMORY_KIB * 2))  # 0.5 s at the memory limit and t=2
    calibration = calibrate(timedelta(seconds=target_s), measure_with=timer)
    assert _within_tolerance(calibration.suggestion, target_s)
    assert calibration.suggestion.time_cost > 2
    assert all(m.memory_kib <= MAX_MEMORY_KIB for m in calibration.measurements)


@pytest.mark.parametrize("target_ms", [30, 110, 250, 390, 1000])
def test_every_measurement_stays_at_or_above_the_floor(target_ms: int) -> None:
    calibration = calibrate(timedelta(milliseconds=target_ms), measure_with=_floor_takes(0.025))
    assert all(m.memory_kib >= FLOOR[0] and m.time_cost >= FLOOR[1] for m in calibration.measurements)
    assert _within_tolerance(calibration.suggestion, target_ms / 1000)


def test_a_machine_slower_than_the_target_gets_the_floor() -> None:
    timer = _floor_takes(0.400)
    calibration = calibrate(timedelta(milliseconds=250), measure_with=timer)
    assert _params(calibration.suggestion) == FLOOR
    assert timer.asked == [FLOOR]

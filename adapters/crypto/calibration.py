"""Measuring argon2id on this machine, to choose parameters for a target verify time."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from argon2 import PasswordHasher, Type

from adapters.crypto.pwdlib_hasher import OWASP_MEMORY_COST_KIB, OWASP_PARALLELISM, OWASP_TIME_COST

SAMPLE_PASSWORD = "calibration-Password-1!"
MAX_MEMORY_KIB = 256 * 1024
MIB = 1024
TOLERANCE = 0.15
"""How far from the target a suggestion may be measured, as a fraction of the target."""
MAX_STEPS = 12


@dataclass(frozen=True, slots=True)
class Measurement:
    memory_kib: int
    time_cost: int
    parallelism: int
    verify_seconds: float


def measure(memory_kib: int, time_cost: int, parallelism: int, *, samples: int = 5) -> Measurement:
    """The median time of one verify with these parameters (one hash made first)."""
    hasher = PasswordHasher(memory_cost=memory_kib, time_cost=time_cost, parallelism=parallelism, type=Type.ID)
    encoded = hasher.hash(SAMPLE_PASSWORD)
    timings = []
    for _ in range(samples):
        started = time.perf_counter()
        hasher.verify(encoded, SAMPLE_PASSWORD)
        timings.append(time.perf_counter() - started)
    return Measurement(memory_kib, time_cost, parallelism, statistics.median(timings))


Measure = Callable[[int, int, int], Measurement]
"""Measures one parameter set (memory in KiB, time cost, parallelism): `measure` on this machine."""


@dataclass(frozen=True, slots=True)
class Calibration:
    """Every measurement taken, in order, and the suggestion: the parameters measured closest to
    the target, as measured once more at the end."""

    measurements: list[Measurement]
    suggestion: Measurement


def calibrate(
    target: timedelta,
    *,
    parallelism: int = OWASP_PARALLELISM,
    samples: int = 5,
    measure_with: Measure | None = None,
) -> Calibration:
    """Parameters whose verify takes about `target` (within `TOLERANCE` when the machine allows).

    From the OWASP floor (m=19 MiB, t=2, p=1) upwards: memory doubles first (it is what makes GPU
    attacks expensive), then, at `MAX_MEMORY_KIB`, the time cost grows, until a verify takes at
    least `target`. The memory between the last two steps is then searched with real measurements
    (interpolated, since a verify takes about as long as it has memory to fill), and the closest
    suggestion is measured again; a measurement that strays sends the search on. Never below the
    floor, however fast the machine."""
    search = _Search(target.total_seconds(), parallelism, measure_with or partial(measure, samples=samples))
    floor = search.run(OWASP_MEMORY_COST_KIB, OWASP_TIME_COST)
    if floor.verify_seconds >= search.seconds:
        return Calibration(search.measurements, floor)
    below, above = search.climb(floor)
    return Calibration(search.measurements, search.refine(below, above))


class _Search:
    def __init__(self, seconds: float, parallelism: int, run: Measure) -> None:
        self.seconds, self.parallelism, self._run = seconds, parallelism, run
        self.measurements: list[Measurement] = []

    def run(self, memory_kib: int, time_cost: int) -> Measurement:
        measured = self._run(memory_kib, time_cost, self.parallelism)
        self.measurements.append(measured)
        return measured

    def close(self, measured: Measurement) -> bool:
        return abs(measured.verify_seconds - self.seconds) <= TOLERANCE * self.seconds

    def climb(self, floor: Measurement) -> tuple[Measurement, Measurement]:
        """The last measurement below the target and the first at or above it, at one time cost."""
        below = floor
        while True:
            memory, time_cost = below.memory_kib * 2, below.time_cost
            if memory > MAX_MEMORY_KIB:
                # Memory is spent: one more pass, and the memory that keeps the time of the last one.
                time_cost += 1
                memory = MAX_MEMORY_KIB
                below = self.run(_whole_mib(MAX_MEMORY_KIB * (time_cost - 1) // time_cost), time_cost)
                if below.verify_seconds >= self.seconds:
                    return floor, below
            above = self.run(memory, time_cost)
            if above.verify_seconds >= self.seconds:
                return below, above
            below = above

    def refine(self, below: Measurement, above: Measurement) -> Measurement:
        """The closest measurement between `below` and `above` (same time cost), confirmed."""
        best = min(below, above, key=self._distance)
        for _ in range(MAX_STEPS):
            narrow = above.memory_kib - below.memory_kib <= MIB
            if self.close(best) or narrow:
                latest = self.run(best.memory_kib, best.time_cost)  # measured again
                if self.close(latest) or narrow:
                    return latest
                best = latest
            else:
                latest = self.run(self._between(below, above), above.time_cost)
                best = min(best, latest, key=self._distance)
            below, above = (latest, above) if latest.verify_seconds < self.seconds else (below, latest)
        return best

    def _distance(self, measured: Measurement) -> float:
        return abs(measured.verify_seconds - self.seconds)

    def _between(self, below: Measurement, above: Measurement) -> int:
        """The memory where the line through `below` and `above` meets the target, kept inside
        the middle of the interval so that every step narrows it."""
        low, high = below.memory_kib, above.memory_kib
        spread = max(above.verify_seconds - below.verify_seconds, 1e-9)
        guess = low + (high - low) * (self.seconds - below.verify_seconds) / spread
        margin = (high - low) // 10
        return _whole_mib(min(max(int(guess), low + margin), high - margin))


def _whole_mib(memory_kib: int) -> int:
    return max(OWASP_MEMORY_COST_KIB, round(memory_kib / MIB) * MIB)

"""Measuring argon2id on this machine, to choose parameters for a target verify time."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher, Type

from adapters.crypto.pwdlib_hasher import OWASP_MEMORY_COST_KIB, OWASP_PARALLELISM, OWASP_TIME_COST

SAMPLE_PASSWORD = "calibration-Password-1!"
MAX_MEMORY_KIB = 256 * 1024


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


def calibrate(target: timedelta, *, parallelism: int = OWASP_PARALLELISM, samples: int = 5) -> list[Measurement]:
    """Measurements from the OWASP floor (m=19 MiB, t=2, p=1) upwards, memory first (it is what
    makes GPU attacks expensive) and then time cost, until one verify takes at least `target`.
    The last measurement is the suggestion; it is never below the floor, however fast the machine."""
    memory, time_cost = OWASP_MEMORY_COST_KIB, OWASP_TIME_COST
    measurements = [measure(memory, time_cost, parallelism, samples=samples)]
    while measurements[-1].verify_seconds < target.total_seconds():
        if memory * 2 <= MAX_MEMORY_KIB:
            memory *= 2
        else:
            time_cost += 1
        measurements.append(measure(memory, time_cost, parallelism, samples=samples))
    return measurements

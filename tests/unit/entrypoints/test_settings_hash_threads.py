"""The default number of argon2 threads: the cores left after one per event loop, shared by the workers."""

from __future__ import annotations

import os

import pytest

from entrypoints.process_tuning import MAX_HASH_THREADS, available_cores, default_hash_threads
from entrypoints.settings import Settings, SettingsError, load_settings

SECRET = {"BASTION_SECRET_KEY": "s" * 48}


@pytest.mark.parametrize(
    ("cores", "workers", "threads"),
    [
        (1, 1, 1),  # never fewer than one thread
        (2, 1, 1),  # one core for the event loop, one for hashing
        (4, 1, 3),
        (8, 1, 7),
        (8, 2, 3),  # two loops, six cores left, three each
        (8, 4, 1),
        (8, 8, 1),
        (2, 4, 1),  # more workers than cores: still one each
        (16, 3, 4),  # 13 cores left, rounded down
        (512, 1, MAX_HASH_THREADS),  # capped at what BASTION_HASH_THREADS accepts
    ],
)
def test_the_default_gives_hashing_the_cores_left_after_one_per_event_loop(
    cores: int, workers: int, threads: int
) -> None:
    assert default_hash_threads(cores, workers) == threads


def test_all_workers_together_never_get_more_hashing_threads_than_the_cores_left_beyond_one_each() -> None:
    for cores in range(1, 65):
        for workers in range(1, 2 * cores):
            assert workers * default_hash_threads(cores, workers) <= max(cores - workers, workers)


def test_cores_are_those_this_process_may_run_on() -> None:
    expected = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert available_cores() == expected


def test_settings_defaults_use_the_rule_for_one_worker() -> None:
    # bench/run.py computes the login bound from Settings(): it must be what a one-worker server runs with.
    assert Settings().hashing.threads == default_hash_threads(available_cores(), 1)
    assert load_settings(SECRET, env_file=None).hashing.threads == default_hash_threads(available_cores(), 1)


def test_an_unset_value_is_shared_out_between_the_workers() -> None:
    settings = load_settings(SECRET, env_file=None, workers=4)
    assert settings.hashing.threads == default_hash_threads(available_cores(), 4)


def test_a_configured_value_wins_over_the_default_whatever_the_workers() -> None:
    environ = {**SECRET, "BASTION_HASH_THREADS": "5"}
    assert load_settings(environ, env_file=None).hashing.threads == 5
    assert load_settings(environ, env_file=None, workers=8).hashing.threads == 5


@pytest.mark.parametrize("value", ["0", str(MAX_HASH_THREADS + 1), "many"])
def test_a_value_out_of_range_is_refused(value: str) -> None:
    with pytest.raises(SettingsError, match="hash_threads"):
        load_settings({**SECRET, "BASTION_HASH_THREADS": value}, env_file=None)

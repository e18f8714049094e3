import itertools

import pytest

from kuzet.sources import ReconnectPolicy, backoff_delay, backoff_delays


def test_delays_double_and_cap_without_jitter() -> None:
    p = ReconnectPolicy(initial=0.5, factor=2, max=30, jitter=0)
    got = [backoff_delay(p, n) for n in range(1, 10)]
    assert got == [0.5, 1, 2, 4, 8, 16, 30, 30, 30]


def test_jitter_stays_within_bounds_and_cap() -> None:
    p = ReconnectPolicy(initial=1, factor=2, max=10, jitter=0.2)
    assert backoff_delay(p, 1, rand=lambda: 0.0) == pytest.approx(0.8)
    assert backoff_delay(p, 1, rand=lambda: 1.0) == pytest.approx(1.2)
    assert backoff_delay(p, 20, rand=lambda: 1.0) == 10  # jitter never exceeds the cap
    assert backoff_delay(p, 20, rand=lambda: 0.0) == pytest.approx(8)


def test_huge_attempt_numbers_do_not_overflow() -> None:
    assert backoff_delay(ReconnectPolicy(jitter=0), 100_000) == 30


def test_max_attempts_bounds_the_sequence() -> None:
    assert len(list(backoff_delays(ReconnectPolicy(max_attempts=3)))) == 3
    endless = backoff_delays(ReconnectPolicy())
    assert len(list(itertools.islice(endless, 50))) == 50


@pytest.mark.parametrize(
    "kwargs", [{"initial": -1}, {"factor": 0.5}, {"jitter": 2}, {"max_attempts": 0}]
)
def test_bad_policies_are_rejected(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        ReconnectPolicy(**kwargs)  # type: ignore[arg-type]


def test_attempt_is_one_based() -> None:
    with pytest.raises(ValueError):
        backoff_delay(ReconnectPolicy(), 0)

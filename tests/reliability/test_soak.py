"""The one-minute soak of `make test` (`make soak` runs ten): no error, nothing lost or delivered
twice, and the gateway's memory does not keep growing. Not a performance test: the rate is modest
and fixed, and the memory bound is generous."""

from __future__ import annotations

import json

import pytest

from tests.reliability.soak import soak

SECONDS = 60
RATE = 50  # requests/s
RSS_GROWTH_MB = 50


def test_one_minute_soak(capsys: pytest.CaptureFixture[str]) -> None:
    result = soak(SECONDS, RATE, sample_every=2)
    summary = result.summary()
    with capsys.disabled():
        print(f"\nsoak: {json.dumps(summary)}")
    assert result.requests >= SECONDS * RATE * 0.9, "the load never reached its rate"
    assert result.errors == 0, summary["statuses"]
    assert (result.lost, result.twice) == (0, 0)
    assert len(result.acknowledged) > 0 and len(result.delivered) > 0
    assert len(result.rss_mb) >= SECONDS / 2 - 1
    assert result.rss_growth_mb() < RSS_GROWTH_MB, summary

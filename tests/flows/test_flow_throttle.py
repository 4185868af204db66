"""The shared throttle: a margin under the spike limit, one slowdown per 429, no 429 in practice."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from picsart_component.flows.pacing import BatchThrottle
from picsart_component.lib.ratelimit import RateLimitInfo
from picsart_component.sandbox import RunningSandbox
from tests.flows.flow_support import (
    TWO_STEPS,
    invoke,
    paid_calls,
    request_log,
    results,
    sandbox_process,
    summary,
    write_items,
    write_photos,
)
from tests.helpers import FakeTime


def test_requests_are_spaced_a_little_under_the_spike_limit(fake_time: FakeTime) -> None:
    throttle = BatchThrottle(100, clock=fake_time.clock, sleep=fake_time.sleep)
    for _ in range(4):
        throttle.acquire()
    assert fake_time.sleeps == pytest.approx([1 / 95] * 3, rel=1e-4)
    assert throttle.requests == 4


ANSWER = RateLimitInfo(limit=500, available=400, reset_at=None, credits_available=1)


def answered(throttle: BatchThrottle, count: int) -> None:
    """``count`` requests sent through ``throttle`` and answered with something other than 429."""
    for _ in range(count):
        throttle.acquire()
        throttle.observe(ANSWER)


def test_a_spike_429_slows_the_pace_to_what_got_through_before_the_limited_request(
    fake_time: FakeTime,
) -> None:
    throttle = BatchThrottle(100, clock=fake_time.clock, sleep=fake_time.sleep)
    with ThreadPoolExecutor(1) as limited_worker:
        answered(throttle, 50)
        limited_worker.submit(throttle.acquire).result()
        sent_at = fake_time.now
        for _ in range(10):  # sent after the limited one: the server's answer says nothing of them
            throttle.acquire()
        limited_worker.submit(throttle.observe, ANSWER).result()
        limited_worker.submit(throttle.hold_until, fake_time.now + 0.01).result()
    assert throttle.spike_limit == pytest.approx(50 * 0.95)
    assert throttle.rate_limited == 1
    assert throttle.held_until == sent_at + 1  # until what got through has left the server's second


def test_requests_sent_just_before_the_limited_one_do_not_count(fake_time: FakeTime) -> None:
    """Sent less than 10 ms earlier, they may have reached the server after it."""
    throttle = BatchThrottle(500, clock=fake_time.clock, sleep=fake_time.sleep)  # 2.1 ms apart
    answered(throttle, 50)
    throttle.acquire()
    throttle.observe(ANSWER)
    throttle.hold_until(fake_time.now)
    assert throttle.spike_limit == pytest.approx(46 * 0.95)  # the last 4 were sent within 10 ms


def test_requests_sent_more_than_a_second_before_the_limited_one_do_not_count(
    fake_time: FakeTime,
) -> None:
    throttle = BatchThrottle(100, clock=fake_time.clock, sleep=fake_time.sleep)
    answered(throttle, 60)
    fake_time.sleep(1.5)
    answered(throttle, 30)
    throttle.acquire()
    throttle.observe(ANSWER)
    throttle.hold_until(fake_time.now)
    assert throttle.spike_limit == pytest.approx(30 * 0.95)


def test_earlier_429s_do_not_count_as_getting_through(fake_time: FakeTime) -> None:
    throttle = BatchThrottle(100, clock=fake_time.clock, sleep=fake_time.sleep)
    answered(throttle, 30)
    throttle.acquire()
    throttle.observe(RateLimitInfo(limit=500, available=0, reset_at=None, credits_available=1))
    throttle.hold_until(fake_time.now)  # a used-up quota: held, not slowed, still a 429
    answered(throttle, 9)
    throttle.acquire()
    throttle.observe(ANSWER)
    throttle.hold_until(fake_time.now)
    assert throttle.spike_limit == pytest.approx(39 * 0.95)


def test_429s_on_requests_paced_at_the_old_rate_slow_it_once(fake_time: FakeTime) -> None:
    throttle = BatchThrottle(100, clock=fake_time.clock, sleep=fake_time.sleep)
    first, second = ThreadPoolExecutor(1), ThreadPoolExecutor(1)
    with first, second:
        first.submit(answered, throttle, 40).result()
        first.submit(throttle.acquire).result()
        second.submit(throttle.acquire).result()
        first.submit(throttle.observe, ANSWER).result()
        first.submit(throttle.hold_until, fake_time.now).result()
        slowed = throttle.spike_limit
        second.submit(throttle.observe, ANSWER).result()
        second.submit(throttle.hold_until, fake_time.now).result()
        assert throttle.spike_limit == slowed == pytest.approx(40 * 0.95)
        second.submit(throttle.acquire).result()
        second.submit(throttle.observe, ANSWER).result()
        second.submit(throttle.hold_until, fake_time.now).result()
        assert throttle.spike_limit < slowed
    assert throttle.rate_limited == 3


def test_a_slot_taken_before_a_hold_waits_for_the_hold_and_then_counts_at_the_new_pace(
    fake_time: FakeTime,
) -> None:
    """Another worker's 429 arrives while this one sleeps towards a slot taken at the old pace:
    it waits for the hold instead of meeting a 429 of its own, and its new slot belongs to the
    new pace, so a 429 on it slows the pace again."""
    throttle: BatchThrottle
    armed = False

    def sleep_while_another_worker_meets_a_429(seconds: float) -> None:
        nonlocal armed
        if armed:
            armed = False
            with ThreadPoolExecutor(1) as another_worker:
                another_worker.submit(answered, throttle, 1).result()
                another_worker.submit(throttle.observe, ANSWER).result()
                another_worker.submit(throttle.hold_until, fake_time.now + 0.5).result()
        fake_time.sleep(seconds)

    throttle = BatchThrottle(
        100, clock=fake_time.clock, sleep=sleep_while_another_worker_meets_a_429
    )
    answered(throttle, 40)
    armed = True
    hold_ends = fake_time.now + 0.5
    throttle.acquire()
    assert not armed
    assert fake_time.now >= hold_ends
    slowed = throttle.spike_limit
    assert slowed == pytest.approx(40 * 0.95)
    assert throttle.requests == 42
    throttle.observe(ANSWER)
    throttle.hold_until(fake_time.now + 0.1)
    assert throttle.spike_limit < slowed


def test_a_used_up_quota_holds_but_does_not_slow_the_pace(fake_time: FakeTime) -> None:
    throttle = BatchThrottle(100, clock=fake_time.clock, sleep=fake_time.sleep)
    throttle.acquire()
    throttle.observe(
        RateLimitInfo(limit=500, available=0, reset_at=fake_time.now + 30, credits_available=1)
    )
    throttle.hold_until(fake_time.now + 30)
    assert throttle.spike_limit == pytest.approx(95)
    throttle.acquire()
    assert fake_time.sleeps[-1] == pytest.approx(30)


@pytest.fixture
def flow_file(tmp_path: Path) -> Path:
    path = tmp_path / "flow.yaml"
    path.write_text(TWO_STEPS, encoding="utf-8")
    return path


def test_several_workers_at_a_low_spike_limit_get_no_429(
    tmp_path: Path, flow_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flow_file.write_text(
        TWO_STEPS.replace('"image_url": input.url', '"image": input.image'), encoding="utf-8"
    )
    photos = write_photos(tmp_path / "photos", 25)
    out = tmp_path / "results.jsonl"
    with sandbox_process(spike_limit=20) as root_url:
        monkeypatch.setenv("PICSART_API_KEY", "throttle-test-key")
        monkeypatch.setenv("PICSART_BASE_URL", root_url + "tools/1.0/")
        monkeypatch.setenv("PICSART_ATTACHMENTS_DIR", str(tmp_path / "store"))
        monkeypatch.setenv("PICSART_SPIKE_LIMIT", "20")
        result = invoke(
            "run", str(flow_file), "--input", str(photos), "--out", str(out), "--workers", "4",
            "--status-every", "0.5",
        )  # fmt: skip
        log = request_log(root_url)
    assert result.exit_code == 0, result.stderr
    assert [entry for entry in log if entry["status"] == 429] == []
    assert len(paid_calls(log)) == 50
    assert summary(result)["rateLimited"] == 0
    assert summary(result)["requestsPerSecond"] > 10
    assert "items (done" in result.stderr


def test_a_429_pauses_every_worker_until_its_reset_time(
    sandbox: RunningSandbox, tmp_path: Path, photo_url: str, flow_file: Path
) -> None:
    sandbox.set_faults("429:next=1,reset_in=1,path=removebg")
    items = write_items(tmp_path / "items.jsonl", photo_url, 8)
    out = tmp_path / "results.jsonl"
    result = invoke("run", str(flow_file), "--input", str(items), "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert len(results(out)) == 8
    log = [entry for entry in sandbox.request_log() if entry["path"] != "/tools/1.0/balance"]
    (limited,) = [entry for entry in log if entry["status"] == 429]
    during_the_hold = [
        entry for entry in log if limited["time"] + 0.1 < entry["time"] < limited["time"] + 0.9
    ]
    assert during_the_hold == []
    assert summary(result)["rateLimited"] == 1

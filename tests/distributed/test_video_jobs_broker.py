"""A video job over the real RabbitMQ and Redis: the worker running a Trim video step is killed
with SIGKILL while it polls the job, and the next worker collects that very job from the run's
ledger instead of paying for another (issue 28: a broker run of one video job killed mid-poll)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import redis

from picsart_component.lib.jobs import OPERATIONS
from tests.distributed.conftest import KEY, BrokerFlow, wait_until

TRIM_FLOW = """\
- id: cut
  action: trimVideo
  body: '{"video_url": input.url, "start": 250, "end": 1250}'
"""


def trim_requests(sandbox: Any, method: str) -> list[dict[str, Any]]:
    """The sandbox's log of the video API's trims (``POST``) or polls (``GET``)."""
    return [
        entry
        for entry in sandbox.request_log()
        if entry["method"] == method
        and entry["path"].startswith("/video/v1/")
        and (
            entry["path"].endswith("/trim")
            if method == "POST"
            else "/video/v1/video/" in entry["path"]
        )
    ]


def test_a_video_job_whose_worker_dies_mid_poll_is_collected_by_the_next_not_paid_again(
    broker: Any, redis_server: str, tmp_path: Path
) -> None:
    """The job takes 30 s on the sandbox's clock; once its worker is killed mid-poll the clock
    jumps a minute, so that the next worker finds it finished without waiting for real."""
    from picsart_component.sandbox import start_sandbox

    offset = [0.0]
    with start_sandbox(
        quiet=True, api_key=KEY, job_seconds=30, clock=lambda: time.time() + offset[0]
    ) as sandbox:
        flow = BrokerFlow(tmp_path, sandbox, redis_server, TRIM_FLOW)
        try:
            flow.env["PICSART_VIDEO_BASE_URL"] = sandbox.video_base_url
            flow.env["PICSART_JOB_POLL_SECONDS"] = "0.05"
            url = f"https://videos.example.com/{flow.run_name}/clip.mov"
            flow.items.write_text(json.dumps({"url": url}) + "\n", encoding="utf-8")
            doomed = flow.worker(ready=False)
            run = flow.run()
            doomed.wait_for("worker ready")
            client = redis.Redis.from_url(redis_server)
            pattern = f"{flow.topology.exchange}:*:step:*"
            wait_until(
                lambda: any(client.hget(key, "job") for key in client.scan_iter(pattern)),
                what="the job recorded in the ledger",
            )
            wait_until(lambda: len(trim_requests(sandbox, "GET")) >= 2, what="the job polled")
            (accepted,) = trim_requests(sandbox, "POST")
            assert accepted["status"] == 202
            doomed.kill()
            polled = {entry["path"].rsplit("/", 1)[-1] for entry in trim_requests(sandbox, "GET")}
            offset[0] = 60.0
            flow.worker()
            code = run.finish()
            (line,) = flow.lines()
            assert code == 0, json.dumps(line) + "\n" + "\n".join(run.lines)
            step = line["steps"]["cut"]
            assert step["status"] == "success"
            assert {step["jobId"]} == polled, "the next worker collected another job"
            assert step["data"]["url"].endswith(".mp4")
            assert len(trim_requests(sandbox, "POST")) == 1, "paid twice"
            assert sandbox.state()["counts"]["charged"] == OPERATIONS["trimVideo"].price
            assert trim_requests(sandbox, "GET")[-1]["status"] == 200
        finally:
            flow.close()

"""One rate limit shared through Redis by 1, 2 and 4 processes, against the sandbox at a spike
limit of 100 requests a second, side by side with the same processes each pacing alone.

Each process sends ``GET balance`` in a loop for four seconds, paced by the client's throttle at
5 % under the limit (as a batch paces), with no retries, so that every 429 shows. The figure is
the requests the sandbox accepted after the first second, as a fraction of the limit, and the
429s after the first second. Each run is made three times: the median rate and its range, and the
most 429s any run met. Needs Redis (``PICSART_TEST_REDIS_URL``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from benchmarks.report import REPEATS, Figure, spread

LIMIT = 100
SECONDS = 4.0
PROCESS_COUNTS = (1, 2, 4)
REPO_ROOT = Path(__file__).resolve().parents[1]


def worker(base_url: str, redis_url: str, key: str, start_at: float, seconds: float) -> None:
    """One process's loop; prints when each request was sent and which were refused."""
    import requests
    from pydantic import SecretStr

    from picsart_component.lib.client import ClientSettings, PicsartClient
    from picsart_component.lib.errors import RateLimitError
    from picsart_component.lib.retry import RetrySettings

    sent: list[float] = []
    refused: list[float] = []

    class Recording(requests.Session):
        def send(self, request: Any, **kwargs: Any) -> Any:
            sent.append(time.time())
            return super().send(request, **kwargs)

    settings = ClientSettings(
        spike_limit=LIMIT * 0.95,
        redis_url=SecretStr(redis_url) if redis_url else None,
        retry=RetrySettings(max_attempts=1),
    )
    client = PicsartClient(key, base_url, settings=settings, session=Recording())
    time.sleep(max(0.0, start_at - time.time()))
    while time.time() < start_at + seconds:
        try:
            client.request("GET", "balance")
        except RateLimitError:
            refused.append(sent[-1])
    print(json.dumps({"sent": sent, "refused": refused}))


def _run(base_url: str, redis_url: str, processes: int) -> dict[str, float]:
    key = f"bench-{uuid.uuid4().hex}"
    start_at = time.time() + 1.5
    children = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "benchmarks.bench_shared_limit",
                "worker",
                base_url,
                redis_url,
                key,
                repr(start_at),
                repr(SECONDS),
            ],
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO_ROOT,
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        )
        for _ in range(processes)
    ]
    outputs = [json.loads(child.communicate(timeout=120)[0]) for child in children]
    sent = [moment for output in outputs for moment in output["sent"]]
    refused = [moment for output in outputs for moment in output["refused"]]
    steady = start_at + 1.0
    accepted = sum(1 for moment in sent if moment >= steady) - sum(
        1 for moment in refused if moment >= steady
    )
    return {
        "rate": accepted / (SECONDS - 1.0) / LIMIT,
        "refused_after_first_second": float(sum(1 for m in refused if m >= steady)),
        "refused": float(len(refused)),
    }


def run() -> list[Figure]:
    try:
        import redis

        redis_url = os.environ.get("PICSART_TEST_REDIS_URL") or "redis://127.0.0.1:6379/0"
        redis.Redis.from_url(redis_url, socket_connect_timeout=2).ping()
    except Exception as error:
        return [Figure("shared limit: not measured", 0, "", "Redis", False, str(error))]
    from picsart_component.sandbox.loopback import sandbox_process

    figures = []
    with sandbox_process(spike_limit=LIMIT, quota=10**9, window=3600) as root_url:
        base_url = root_url + "tools/1.0/"
        for processes in PROCESS_COUNTS:
            shared = [_run(base_url, redis_url, processes) for _ in range(REPEATS)]
            alone = [_run(base_url, "", processes) for _ in range(REPEATS)]
            rates = spread([run["rate"] * 100 for run in shared])
            alone_rates = spread([run["rate"] * 100 for run in alone])
            late = max(int(run["refused_after_first_second"]) for run in shared)
            alone_late = max(int(run["refused_after_first_second"]) for run in alone)
            met = rates.median >= 90 and late == 0
            figures.append(
                Figure(
                    f"shared limit: {processes} process(es), accepted rate / limit",
                    round(rates.median, 1),
                    "%",
                    ">= 90 %, 0 429s after the first second",
                    met,
                    f"{rates.describe(1, ' %')}; at most {late} 429s after the first second in "
                    f"a run ({', '.join(str(int(run['refused'])) for run in shared)} in all); "
                    f"each pacing alone instead: {alone_rates.describe(1, ' %')} accepted, up to "
                    f"{alone_late} 429s after the first second",
                )
            )
    return figures


if __name__ == "__main__":
    if sys.argv[1:2] == ["worker"]:
        base, redis_address, api_key, start, seconds = sys.argv[2:7]
        worker(base, redis_address, api_key, float(start), float(seconds))
    else:
        from benchmarks.report import print_table

        print_table(run())

"""What the component's actions get from their context: a Picsart client, files, and usage.

Front ends (the CLI, the flow runner) build one ``Services`` and hand it to the executor, which
passes it untouched to every action's ``PicsartContext``; without one, a context builds its
services from the environment. Action modules declare ``Context = PicsartContext`` (as an import)
so that the runtime builds this context for them without knowing anything about Picsart.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from picsart_component.catalogue.operations import Api, Operation
from picsart_component.runtime.errors import ComponentError, error_payload
from picsart_component.runtime.executor import ActionContext
from picsart_component.runtime.messages import Event, Message

from .client import ClientSettings, PicsartClient, Route
from .credentials import read_credentials
from .download import Resolver, URLPolicy, resolve_host
from .errors import is_transient
from .fields import ErrorOutput, error_policy
from .files import FileServices
from .jobs import JobRunner, JobSettings, JobTicket
from .ratelimit import RateLimitInfo, Throttle
from .retry import RetryPolicy
from .settings import ComponentSettings, parse_host_list
from .store import AttachmentStore, store_for


@dataclass
class Services:
    """Clients, the attachment store and download rules, as one run (or a whole batch) shares them.

    ``settings`` (timeouts, retries, spike limit) default to the environment's. The waits and the
    throttle are injectable, so tests take no time and a batch shares one throttle.
    """

    settings: ClientSettings | None = None
    throttle: Throttle | None = None
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time
    store: AttachmentStore | None = None
    environ: Mapping[str, str] | None = None
    """The variables ``settings.py`` reads; None: the process's environment."""
    resolver: Resolver = resolve_host
    route: Route | None = None
    """Rewrites every URL just before a request goes out (sandbox mode sends them all to the
    local sandbox, so that nothing leaves the machine)."""
    jobs: JobSettings | None = None
    """How jobs are polled; the environment's (``PICSART_JOB_*``) when None."""

    @cached_property
    def environment(self) -> ComponentSettings:
        return ComponentSettings.from_environ(self.environ)

    def client_settings(self) -> ClientSettings:
        return self.settings or self.environment.client_settings()

    def job_settings(self) -> JobSettings:
        return self.jobs or self.environment.job_settings()

    def client(
        self,
        cfg: Mapping[str, Any],
        *,
        on_response: Callable[[RateLimitInfo], None] | None = None,
        api: Api = "image",
    ) -> PicsartClient:
        """A client for the image API, or for the API ``api`` names (``genai``, ``video``,
        ``vd``)."""
        credentials = read_credentials(cfg)
        settings = self.client_settings()
        if error_policy(cfg) != "retry":
            # The policy hands 408s, 429s, 5xx and timeouts to the platform or the flow at once.
            settings = replace(settings, retry=replace(settings.retry, max_attempts=1))
        return PicsartClient(
            credentials.apiKey,
            credentials.api_base_urls[api],
            key_hosts=credentials.key_hosts,
            settings=settings,
            throttle=self.throttle,
            sleep=self.sleep,
            clock=self.clock,
            on_response=on_response,
            route=self.route,
        )

    def attachment_store(self) -> AttachmentStore:
        if self.store is None:
            self.store = store_for(self.environment)
        return self.store

    def files(self, cfg: Mapping[str, Any]) -> FileServices:
        credentials = read_credentials(cfg)
        settings = self.client_settings()
        return FileServices(
            store=self.attachment_store(),
            policy=URLPolicy(
                allow_hosts=self.environment.allow_hosts | parse_host_list(credentials.allowHosts),
                resolver=self.resolver,
            ),
            retry=RetryPolicy(settings.retry, clock=self.clock, sleep=self.sleep),
            timeout=(settings.connect_timeout, settings.read_timeout),
            max_image_bytes=self.environment.max_image_bytes,
            max_video_bytes=self.environment.max_video_bytes,
            max_result_bytes=self.environment.max_result_bytes,
            deadline=settings.call_deadline,
            route=self.route,
        )


class PicsartContext(ActionContext):
    """An action's context with the Picsart client and files built on first use.

    ``rate_limit`` holds the rate-limit and credit headers of the last answer Picsart gave this
    run, parsed once, for whoever ran the action (``credits_left``, which every front end reads
    through ``RunResult.credits_left``).
    """

    rate_limit: RateLimitInfo | None = None

    @cached_property
    def picsart(self) -> Services:
        if self.services is None:
            return Services()
        if not isinstance(self.services, Services):
            raise TypeError(
                f"the executor's services must be this component's Services, not "
                f"{type(self.services).__module__}.{type(self.services).__qualname__}"
            )
        return self.services

    @cached_property
    def client(self) -> PicsartClient:
        """The Picsart client for this run's credentials."""
        return self.picsart.client(self.cfg, on_response=self._observe)

    @cached_property
    def genai(self) -> PicsartClient:
        """The Picsart client for the GenAI API, with this run's credentials."""
        return self.picsart.client(self.cfg, on_response=self._observe, api="genai")

    @cached_property
    def video(self) -> PicsartClient:
        """The Picsart client for the video API, with this run's credentials."""
        return self.picsart.client(self.cfg, on_response=self._observe, api="video")

    @cached_property
    def vd(self) -> PicsartClient:
        """The Picsart client for the Variable Data API, with this run's credentials."""
        return self.picsart.client(self.cfg, on_response=self._observe, api="vd")

    def client_for(self, api: Api) -> PicsartClient:
        if api == "image":
            return self.client
        if api == "vd":
            return self.vd
        return self.genai if api == "genai" else self.video

    KEPT_JOBS = 100
    """The most jobs a step's snapshot names: the newest, younger than ``JOB_RESULT_SECONDS``."""
    JOB_RESULT_SECONDS = 24 * 3600.0
    """How long Picsart keeps a job's result, so how long a job is worth naming."""

    def job_runner(self, operation: Operation) -> JobRunner:
        """Runs ``operation``; a job id is emitted as a snapshot the moment Picsart gives it:
        ``job``, this job and its message, and ``jobs``, by message id, the jobs other messages
        of the step started before, which a message coming back (a rebound, a redelivery) still
        collects after another message started a job."""
        services = self.picsart

        def snapshot(ticket: JobTicket) -> dict[str, Any]:
            known = self.snapshot.get("jobs")
            earlier = dict(known) if isinstance(known, Mapping) else {}
            latest = self.snapshot.get("job")
            if isinstance(latest, Mapping) and isinstance(latest.get("messageId"), str):
                latest_id = latest["messageId"]
                earlier.pop(latest_id, None)
                earlier[latest_id] = {k: v for k, v in latest.items() if k != "messageId"}
            earlier.pop(self.message.id, None)
            now = services.clock()
            kept = [
                (message_id, record)
                for message_id, record in earlier.items()
                if (found := JobTicket.from_json(record)) is not None
                and now - (found.accepted_at or now) < self.JOB_RESULT_SECONDS
            ][-(self.KEPT_JOBS - 1) :]
            job = {"job": {**ticket.to_json(), "messageId": self.message.id}}
            return {**job, "jobs": dict(kept)} if kept else job

        return JobRunner(
            self.client_for(operation.api),
            services.job_settings(),
            sleep=services.sleep,
            clock=services.clock,
            on_accepted=lambda ticket: self.emit("snapshot", snapshot(ticket)),
            logger=self.logger,
        )

    def job_to_resume(self, operation: Operation) -> JobTicket | None:
        """The job of this operation that an earlier, interrupted run of this very step on this
        very message started (handed over in the snapshot), which is collected instead of paying
        for a new one.

        The platform keeps one snapshot per step, shared by every message the step handles, so a
        job is resumed only by the message (the same ``id``) that started it: another message
        must never be answered with someone else's result.
        """
        record = self.snapshot.get("job")
        if not isinstance(record, Mapping) or record.get("messageId") != self.message.id:
            earlier = self.snapshot.get("jobs")
            record = earlier.get(self.message.id) if isinstance(earlier, Mapping) else None
        ticket = JobTicket.from_json(record)
        return ticket if ticket is not None and ticket.operation == operation.name else None

    def error_event(self, error: ComponentError) -> Event:
        """The Error policy config decides what a 408, 429, 500, 502, 503, 504 or timeout
        becomes."""
        policy = error_policy(self.cfg)
        if policy == "retry" or not is_transient(error):
            return super().error_event(error)
        payload = error_payload(error)
        if policy == "rebound":
            return Event("rebound", payload)
        if policy == "emitError":
            fields = ErrorOutput.model_fields
            return Event(
                "data", Message(body={"error": {k: v for k, v in payload.items() if k in fields}})
            )
        return Event("error", payload)

    @cached_property
    def files(self) -> FileServices:
        """The attachment store and the rules for fetching images."""
        return self.picsart.files(self.cfg)

    @property
    def credits_left(self) -> int | None:
        """``X-Picsart-Credit-Available`` of the last answer Picsart gave this run."""
        return self.rate_limit.credits_available if self.rate_limit is not None else None

    def _observe(self, info: RateLimitInfo) -> None:
        self.rate_limit = info

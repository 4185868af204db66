"""The WSGI app that answers like Picsart's image API at ``/tools/1.0/``, its GenAI API at
``/v1/`` and its video API at ``/video/v1/`` (one account: one balance, one rate limit).

A call goes through the same gates, in the same order, as it would at Picsart: routing (404,
405), injected faults, the key (401), the spike arrest and the quota (429), ``Accept`` (406), the
video extra (501), the body (413, 400, 415), the parameters (422), the balance (402), the work
(415, 422), and only then the charge, when the answer is a 200 or a 202 that accepts a job. A
refusal is a 422 only where the operation's file lists one, else a 400 (``catalogue.statuses``). A
poll goes through the same gates up to ``Accept`` and is free, as are the effect lists and
``GET /image/{transaction_id}``, which finds a stored upload or result by its id. Every answer,
errors and 404s included, carries the ``X-Picsart-*`` headers.

``Prefer`` (RFC 7240) chooses between a synchronous answer and a job where an operation offers
both: without it, 200; with ``respond-async``, 202 and ``Preference-Applied: respond-async``;
with ``respond-async, wait=N``, 200 when the job takes at most N seconds (``job_seconds``), else
202. Without a ``Prefer`` that asks for either, the deprecated ``mode=async`` of the operations
that run either way asks for a job too, as their files say (202, no ``Preference-Applied``).
Operations that only run as jobs always answer 202; those that never do ignore ``Prefer``.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from werkzeug.wrappers import Request, Response

from picsart_component.catalogue import choices, statuses

from . import media, operations, production, samples, sources, work
from .asyncjobs import Job, Preference, read_prefer
from .auth import check_api_key
from .control import handle_control
from .errors import AbortConnection, ApiError, error_body, reason_phrase
from .faults import WRAPPING_KINDS, Fault
from .forms import Inputs, drain, read_inputs
from .limits import Verdict, format_reset_time
from .operations import EMULATED_HOSTS, VIDEO_PREFIX, Match, Operation
from .options import SandboxOptions
from .requestlog import API_KEY_HEADER, clipped, logged_headers, scrub
from .state import SandboxState

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

CONTROL_PREFIX = "/__sandbox"
HOSTS_PREFIX = "/hosts/"
"""``/hosts/<host>/<path>`` is ``https://<host>/<path>`` as a client in sandbox mode sends it, so
that nothing leaves the machine: ``api.picsart.io``, ``genai-api.picsart.io`` and
``video-api.picsart.io`` are this sandbox (the video API's ``/v1/`` served at ``/video/v1/``),
another Picsart host is not emulated (404), and any other host is answered with a stand-in
image."""
PREFERENCE_APPLIED = "Preference-Applied"

CORRELATION_HEADER = "X-Picsart-Correlation-Id"
LIMIT_HEADER = "X-Picsart-Ratelimit-Limit"
AVAILABLE_HEADER = "X-Picsart-Ratelimit-Available"
RESET_HEADER = "X-Picsart-Ratelimit-Reset-Time"
CREDITS_HEADER = "X-Picsart-Credit-Available"

NGINX_PAGE = (
    "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
    "<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)

log = logging.getLogger("picsart.sandbox")


@dataclass
class Answer:
    """An answer before its headers are added. ``reset_form`` ``"none"`` leaves out Reset-Time."""

    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    picsart_headers: bool = True
    available: int | None = None
    reset_at: float | None = None
    reset_form: str | None = None
    charged: int = 0
    fault: str | None = None
    cut: str | None = None
    cut_ms: float = 0.0

    @classmethod
    def json(cls, status: int, document: Any, **extra: Any) -> Answer:
        return cls(status, json.dumps(document).encode(), **extra)

    @classmethod
    def error(cls, error: ApiError) -> Answer:
        return cls.json(error.status, error.body(), headers=dict(error.headers))


@dataclass
class Exchange:
    """One request on its way through the app, and what the request log will say about it."""

    request: Request
    path: str
    correlation_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    started: float = field(default_factory=time.perf_counter)
    target: str | None = None
    delay_ms: float = 0.0
    verdict: Verdict | None = None
    inputs: Inputs | None = None


def raw_path(environ: WSGIEnvironment) -> str:
    """The path as the client sent it; werkzeug's ``PATH_INFO`` may have merged a leading ``//``."""
    raw = environ.get("REQUEST_URI") or environ.get("RAW_URI")
    if raw:
        path = urlsplit(raw).path if "://" in raw.split("?", 1)[0] else raw.split("?", 1)[0]
    else:
        path = environ.get("PATH_INFO", "")
    return unquote(path.encode("latin-1").decode("utf-8", "replace"))


class SandboxApp:
    """The WSGI callable; ``state`` is the shared memory the control API reads and changes."""

    def __init__(self, options: SandboxOptions) -> None:
        self.state = SandboxState(options)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        request.max_content_length = self.state.options.max_upload_bytes
        exchange = Exchange(request, raw_path(environ))
        if exchange.path == CONTROL_PREFIX or exchange.path.startswith(CONTROL_PREFIX + "/"):
            status, document, extra = handle_control(self.state, request, exchange.path)
            answer = Answer.json(status, document, headers=extra)
            return self._finish(exchange, answer, logged=False)(environ, start_response)
        try:
            answer = self._route(exchange)
        except AbortConnection:
            self._wait(exchange)
            self._record(exchange, "dropped", Answer(0, b"", fault="drop"))
            raise
        return self._finish(exchange, answer, logged=True)(environ, start_response)

    def _route(self, exchange: Exchange) -> Answer:
        host = None
        if exchange.path.startswith(HOSTS_PREFIX):
            host, _, rest = exchange.path[len(HOSTS_PREFIX) :].partition("/")
            host = host.lower()
            if host not in EMULATED_HOSTS:
                return self._elsewhere(exchange, host, "/" + rest)
            served = operations.sandbox_path(host, "/" + rest)
            if served is None:
                return Answer.error(
                    ApiError(404, f"No endpoint at /{rest}; check the URL for typos and '//'.")
                )
            exchange.path = served
        path = exchange.path
        match = operations.find(path, host, exchange.request.method)
        try:
            if match is None:
                raise ApiError(404, f"No endpoint at {path}; check the URL for typos and '//'.")
            exchange.target = match.target
            if exchange.request.method not in match.allowed:
                allowed = " or ".join(match.allowed)
                raise ApiError(
                    405,
                    f"{exchange.request.method} is not allowed here; use {allowed}.",
                    headers={"Allow": ", ".join(match.allowed)},
                )
            drawn = self.state.faults.draw(match.target)
            exchange.delay_ms += drawn.delay_ms
            fault = drawn.decisive
            if fault is not None and fault.kind not in WRAPPING_KINDS:
                return self._fault(exchange, fault)
            answer = self._answer(exchange, match, charge=fault is None)
            if fault is not None:
                answer.cut = fault.kind
                answer.fault = fault.kind
                answer.cut_ms = fault.ms
            return answer
        except ApiError as error:
            return Answer.error(error)

    def _answer(self, exchange: Exchange, match: Match, *, charge: bool) -> Answer:
        try:
            if match.target == "results":
                return self._result_file(exchange)
            if match.poll is not None:
                return self._poll(exchange, match)
            assert match.operation is not None
            if match.operation.id_in_path:
                return self._lookup(exchange, match)
            return self._api_call(exchange, match.operation, charge=charge)
        except ApiError as error:
            return Answer.error(_as_listed(error, match))
        except Exception:
            log.exception("sandbox failure on %s (%s)", exchange.path, exchange.correlation_id)
            return Answer.error(
                ApiError(500, "The sandbox failed on this request; see its log for the cause.")
            )

    def _admit(self, exchange: Exchange) -> Answer | None:
        """The gates every API call passes: the key (401), the rate limits (429), ``Accept``."""
        request, options = exchange.request, self.state.options
        self._authenticate(request, options)
        exchange.verdict = verdict = self.state.limiter.admit()
        if not verdict.allowed:
            return self._rate_limited(verdict, options)
        accept = request.headers.get("Accept", "").strip()
        if not accept or request.accept_mimetypes.quality("application/json") <= 0:
            raise ApiError(406, "Send 'Accept: application/json'; this API answers with JSON only.")
        return None

    def _api_call(self, exchange: Exchange, operation: Operation, *, charge: bool) -> Answer:
        state, request = self.state, exchange.request
        options = state.options
        refused = self._admit(exchange)
        if refused is not None:
            return refused
        if operation.data == "credits":
            return Answer.json(200, {"credits": state.credits})
        if operation.data == "names":
            return Answer.json(200, {"status": "success", "data": _names(operation.name)})
        if operation.video and not media.video_available():
            raise work.video_unavailable()
        exchange.inputs = inputs = read_inputs(request, options.max_upload_bytes)
        _check_body_type(operation, inputs)
        plan = work.plan(operation.key, inputs)
        if not state.can_pay(plan.price):
            raise self._no_credits(plan.price)
        reader = sources.SourceReader(
            state.store,
            int(request.environ.get("SERVER_PORT") or 0),
            options.max_upload_bytes,
            options.fetch_timeout,
            stand_in=self._stand_in_for(operation) if options.stand_ins else None,
        )
        outcome = plan.run(
            work.Worker(state.store, reader, options.max_pixels, state.memory, state.image_work)
        )
        either = operation.sync and operation.asynchronous
        mode = inputs.values.get("mode") if either else None
        preference = read_prefer(request.headers.getlist("Prefer"), mode)
        job = self._job(operation, preference, outcome)
        if job is None and operation.poll is not None:
            time.sleep(options.job_seconds)
        charged = 0
        if charge and plan.price:
            if not state.charge(plan.price):
                raise self._no_credits(plan.price)
            charged = plan.price
        if job is not None:
            state.jobs.add(job)
            applied = preference.respond_async and not preference.by_mode
            headers = {PREFERENCE_APPLIED: "respond-async"} if applied else {}
            return Answer.json(202, job.accepted(), headers=headers, charged=charged)
        body = _result_body(operation, outcome, request.host_url, options.answers)
        return Answer.json(200, body, charged=charged)

    def _job(
        self, operation: Operation, preference: Preference, outcome: work.Outcome
    ) -> Job | None:
        """The job to answer with (a 202), or None for a synchronous answer.

        A job that meets a job fault is never answered synchronously: the fault is about polls.
        """
        poll = operation.poll
        if poll is None:
            return None
        if operation.sync and not preference.respond_async:
            return None
        state = self.state
        seconds = state.options.job_seconds
        faults = state.faults.take_job_faults(operation.name, poll.name)
        wait = preference.wait
        if operation.sync and not faults and wait is not None and seconds <= wait:
            return None
        results = [(stored.id, stored.filename) for stored in outcome.files]
        shape = production.job_shape(state.options.answers, poll.name)
        return Job.start(operation.name, poll, state.limiter.now(), seconds, results, faults, shape)

    def _poll(self, exchange: Exchange, match: Match) -> Answer:
        refused = self._admit(exchange)
        if refused is not None:
            return refused
        assert match.poll is not None
        now = self.state.limiter.now()
        job = self.state.jobs.find(match.poll, match.job_id, now)
        status, body = job.answer(now, exchange.request.host_url)
        return Answer.json(status, body)

    def _lookup(self, exchange: Exchange, match: Match) -> Answer:
        """``GET /image/{transaction_id}``: a stored upload or result, by its id; free."""
        refused = self._admit(exchange)
        if refused is not None:
            return refused
        stored = self.state.store.get(match.job_id)
        if stored is None:
            raise ApiError(
                404,
                f"No image {match.job_id[:64]!r}: ids come from upload or from a result, and the "
                "sandbox forgets the oldest ones past its store limit.",
            )
        item = {"id": stored.id, "url": f"{exchange.request.host_url}results/{stored.filename}"}
        return Answer.json(200, {"status": "success", "data": item})

    def _authenticate(self, request: Request, options: SandboxOptions) -> None:
        check_api_key(request, options.api_key, f"The {API_KEY_HEADER} header is missing.")

    def _no_credits(self, price: int) -> ApiError:
        return ApiError(
            402,
            f"Not enough credits: this call costs {price} and the balance is {self.state.credits}.",
        )

    def _rate_limited(self, verdict: Verdict, options: SandboxOptions) -> Answer:
        shape = options.ratelimit_body
        if shape == "auto":
            shape = "fault" if verdict.violated == "quota" else "code"
        if verdict.violated == "quota":
            text = "Rate limit quota violation. Quota limit exceeded. Identifier : _default"
            code = "policies.ratelimit.QuotaViolation"
            detail = f"The quota of {options.quota} calls per {options.window:g} s is used up."
        else:
            text = (
                "Spike arrest violation. Allowed rate : MessageRate{messagesPerPeriod="
                f"{options.spike_limit:g}, periodInMicroseconds=1000000}}"
            )
            code = "policies.ratelimit.SpikeArrestViolation"
            detail = f"More than {options.spike_limit:g} calls per second (spike arrest)."
        if shape == "fault":
            body: dict[str, Any] = {"fault": {"faultstring": text, "detail": {"errorcode": code}}}
        else:
            body = error_body(429, detail)
        return Answer.json(
            429,
            body,
            available=0 if verdict.violated == "quota" else None,
            reset_at=verdict.retry_at,
        )

    def _elsewhere(self, exchange: Exchange, host: str, path: str) -> Answer:
        """A host other than the image API's, asked for in sandbox mode."""
        exchange.target = "hosts"
        address = f"https://{host}{path}"
        if host == "picsart.io" or host.endswith(".picsart.io"):
            return Answer.error(ApiError(404, f"The sandbox does not emulate {address}."))
        if exchange.request.method != "GET" or not self.state.options.stand_ins:
            return Answer.error(
                ApiError(502, f"The sandbox never goes online, so it cannot fetch {address}.")
            )
        self.state.note_stand_in(address)
        if samples.names_media(address) and media.video_available():
            data, content_type = samples.stand_in_media(address)  # Upload video or audio's file
        else:
            data, content_type = samples.stand_in_image(address)
        return Answer(
            200,
            data,
            content_type,
            headers={samples.STAND_IN_MARK: "true"},
            picsart_headers=False,
        )

    def _stand_in_for(self, operation: Operation) -> Callable[[str], bytes]:
        """What an unreachable URL is read as: a clip for the video API (its sources are
        videos), an image for the others."""
        return self._stand_in_video if operation.prefix == VIDEO_PREFIX else self._stand_in

    def _stand_in(self, url: str) -> bytes:
        self.state.note_stand_in(url)
        return samples.stand_in_image(url)[0]

    def _stand_in_video(self, url: str) -> bytes:
        """A clip, or a picture or sound where the URL's name says one."""
        self.state.note_stand_in(url)
        return samples.stand_in_media(url)[0]

    def _result_file(self, exchange: Exchange) -> Answer:
        found = sources.RESULT_PATH.fullmatch(exchange.path)
        stored = self.state.store.get(found.group(1)) if found else None
        if found is None or stored is None or stored.extension != found.group(2):
            raise ApiError(404, "No file at this URL; results expire, like Picsart's do.")
        return Answer(200, stored.data, stored.content_type)

    def _fault(self, exchange: Exchange, fault: Fault) -> Answer:
        if fault.kind == "drop":
            drain(exchange.request, self.state.options.max_upload_bytes)
            raise AbortConnection("close")
        status = fault.status or 500
        if fault.kind == "html":
            page = NGINX_PAGE.format(status=status, reason=reason_phrase(status))
            return Answer(
                status,
                page.encode(),
                "text/html",
                picsart_headers=fault.headers,
                fault="html",
            )
        if status == 429:
            now = self.state.limiter.now()
            body: dict[str, Any] = error_body(
                429, "Too many requests (a fault the sandbox was asked to inject)."
            )
            if fault.body == "fault":
                body = {
                    "fault": {
                        "faultstring": "Rate limit quota violation. Quota limit exceeded.",
                        "detail": {"errorcode": "policies.ratelimit.QuotaViolation"},
                    }
                }
            return Answer.json(
                429,
                body,
                picsart_headers=fault.headers,
                available=0,
                reset_at=now + fault.reset_in,
                reset_form=fault.reset,
                fault="429",
            )
        return Answer.json(
            status,
            error_body(status, f"The sandbox answered {status} because a fault asked it to."),
            picsart_headers=fault.headers,
            fault=str(status),
        )

    def _finish(self, exchange: Exchange, answer: Answer, *, logged: bool) -> Response:
        headers = dict(answer.headers)
        if answer.picsart_headers:
            headers.update(self._picsart_headers(exchange, answer))
        if logged:
            self._wait(exchange)
            self._record(exchange, answer.status, answer)
        if answer.cut is None:
            return Response(answer.body, answer.status, headers, content_type=answer.content_type)
        if answer.cut == "endless":
            body: Iterator[bytes] = _endless(answer.body)
        elif answer.cut == "trickle":
            headers["Content-Length"] = str(len(answer.body))
            body = _trickle(answer.body, answer.cut_ms / 1000)
        else:
            headers["Content-Length"] = str(len(answer.body))
            body = _cut(answer.body, "reset" if answer.cut == "reset" else "close")
        return Response(
            body, answer.status, headers, content_type=answer.content_type, direct_passthrough=True
        )

    def _picsart_headers(self, exchange: Exchange, answer: Answer) -> dict[str, str]:
        state = self.state
        quota = exchange.verdict.quota if exchange.verdict else state.limiter.status()
        now = state.limiter.now()
        available = quota.available if answer.available is None else answer.available
        reset_at = quota.reset_at if answer.reset_at is None else answer.reset_at
        form = answer.reset_form or state.options.reset_time_form
        if 200 <= answer.status < 300 and exchange.target in operations.API_TARGETS:
            warning = state.faults.take_available0(exchange.target or "")
            if warning is not None:
                available, reset_at = 0, now + warning.reset_in
                form = warning.reset or state.options.reset_time_form
                answer.fault = "available0"
        headers = {
            CORRELATION_HEADER: exchange.correlation_id,
            LIMIT_HEADER: str(quota.limit),
            AVAILABLE_HEADER: str(available),
            CREDITS_HEADER: str(state.credits),
        }
        if form != "none":
            headers[RESET_HEADER] = format_reset_time(reset_at, now, form)
        return headers

    def _wait(self, exchange: Exchange) -> None:
        delay = self.state.options.latency_ms + exchange.delay_ms
        if delay > 0:
            time.sleep(delay / 1000)

    def _record(self, exchange: Exchange, status: int | str, answer: Answer) -> None:
        state, request = self.state, exchange.request
        key = request.headers.get(API_KEY_HEADER)
        inputs = exchange.inputs
        elapsed_ms = round((time.perf_counter() - exchange.started) * 1000, 1)
        state.count(exchange.target or "unknown", status)
        state.log.add(
            {
                "time": state.limiter.now(),
                "method": request.method,
                "path": clipped(exchange.path),
                "query": clipped(scrub(request.query_string.decode("latin-1"), key)),
                "status": status,
                "headers": logged_headers(request.headers),
                "fields": clipped(scrub(dict(inputs.values), key)) if inputs else {},
                "files": inputs.describe_files() if inputs else [],
                "charged": answer.charged,
                "correlation_id": exchange.correlation_id,
                "fault": answer.fault,
                "duration_ms": elapsed_ms,
            }
        )
        if not state.options.quiet:
            log.info(
                "%s %s -> %s in %.0f ms (charged %d%s) %s",
                request.method,
                exchange.path,
                status,
                elapsed_ms,
                answer.charged,
                f", fault {answer.fault}" if answer.fault else "",
                exchange.correlation_id,
            )


def _as_listed(error: ApiError, match: Match) -> ApiError:
    """A refused request (422) answered as its operation's file lists it: 400 where the file
    lists no 422 (the GenAI API's operations, Add watermark, the video trim)."""
    if error.status != 422 or match.operation is None or match.poll is not None:
        return error
    status = statuses.refusal_status(match.operation.key)
    if status == error.status:
        return error
    return ApiError(status, error.detail, headers=error.headers)


def _check_body_type(operation: Operation, inputs: Inputs) -> None:
    """415 for a GenAI body of the other kind than the operation takes (JSON or a form)."""
    where = operation.prefix + operation.path
    if operation.body == "json" and inputs.encoding in ("multipart", "form"):
        raise ApiError(415, f"{where} takes a JSON body: send Content-Type application/json.")
    if operation.body == "form" and inputs.encoding == "json":
        raise ApiError(
            415, f"{where} takes a form: send Content-Type multipart/form-data (files and fields)."
        )


def _result_body(
    operation: Operation, outcome: work.Outcome, base_url: str, answers: str = "file"
) -> dict[str, Any]:
    """A synchronous 200: the reply's text, an analysis's findings, or the results as one object
    or a list (previews name each result); in the ``answers`` mode's shapes."""
    if operation.data == "text":
        return {"status": production.reply_word(answers, operation.key), "data": outcome.text}
    if operation.data in ("analysis", "colors"):
        return {"status": "success", "data": outcome.findings}
    items: list[dict[str, Any]] = [
        {"id": stored.id, "url": f"{base_url}results/{stored.filename}"} for stored in outcome.files
    ]
    label = production.preview_name(answers, operation.key, outcome.label)
    for item, name in zip(items, outcome.names, strict=False):
        item[label] = name
    if operation.data == "previews":
        return {
            "status": "success",
            "data": production.previews_data(answers, operation.key, items),
        }
    single = operation.data != "list"
    return {"status": "success", "data": items[0] if single else items}


def _names(operation: str) -> list[dict[str, str]]:
    """What ``GET /effects`` and ``GET /effects/ai`` list."""
    names = choices.EFFECT_NAMES if operation == "effects-list" else choices.AI_EFFECT_NAMES
    return [{"name": name} for name in names]


def _endless(body: bytes) -> Iterator[bytes]:
    """The answer's first half, then spaces without end, until the client hangs up."""
    yield body[: len(body) // 2]
    filler = b" " * 65536
    while True:
        yield filler


def _trickle(body: bytes, seconds_per_byte: float) -> Iterator[bytes]:
    for index in range(len(body)):
        time.sleep(seconds_per_byte)
        yield body[index : index + 1]


def _cut(body: bytes, mode: str) -> Iterator[bytes]:
    """Sends the headers and half the body, then has the server cut the connection."""
    yield body[: len(body) // 2]
    raise AbortConnection(mode)


def create_app(options: SandboxOptions | None = None) -> tuple[SandboxApp, SandboxState]:
    """The WSGI app and its state, for werkzeug's test ``Client`` or any WSGI server."""
    app = SandboxApp((options or SandboxOptions()).check())
    return app, app.state

"""What every action that runs a Picsart operation does: send, wait for the job, shape, store.

An action module states its fields and rules and calls ``run_operation`` (or is
``operation_process``); this pipeline builds the JSON or multipart body from the fields the user
set, asks for a job the way the Execution field says (where the operation offers one), polls it,
turns Picsart's answer into the action's output (one file, a list of files, a text or a value),
forwards the answer's correlation id and rate-limit and credit headers and, with "Download
result", copies every file into the attachment store.

A step that was interrupted while its job ran is handed the job in its snapshot: the job is
collected, and nothing is submitted or paid for again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from picsart_component.catalogue.operations import Operation, ResultShape
from picsart_component.runtime.messages import Message

from .body import JsonBody, MultipartBody
from .client import PicsartResponse
from .context import PicsartContext
from .errors import CORRELATION_ID_HEADER, APIError, InputError, Problem
from .images import fetched_parts
from .jobs import (
    OPERATIONS,
    Execution,
    JobOutcome,
    JobPendingError,
    JobTicket,
    status_word,
)
from .ratelimit import AVAILABLE_HEADER, CREDIT_AVAILABLE_HEADER, LIMIT_HEADER, RESET_TIME_HEADER

GENAI_IMAGE_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
"""What the component sends as input images to the GenAI operations."""

Sizes = Mapping[str, tuple[int, int]]
ITEM_NAMES = {"effectPreviews": "effect_name", "maskPreviews": "mask_name"}
"""The key naming what each file of a list of previews shows."""
ITEM_NAMES_ASKED = {"effectPreviews": "effect_names", "maskPreviews": "mask"}
"""The field that lists, in order, what the previews are asked to show: a preview Picsart gives
without its name (production's one mask preview) is named from it."""
ITEM_NAME_ALIASES = {"mask_name": ("mask_name", "mask")}
"""Where each name key may be found: production names a mask preview ``mask``, which Picsart's
Python SDK reads; the file says ``mask_name``."""
FORWARDED_HEADERS = (
    CORRELATION_ID_HEADER,
    CREDIT_AVAILABLE_HEADER,
    LIMIT_HEADER,
    AVAILABLE_HEADER,
    RESET_TIME_HEADER,
)
"""The headers of Picsart's answer that an action's message carries, where Picsart sent them."""


Process = Callable[[Any, Any, PicsartContext], Message]
SizeRule = Callable[[Any, Sizes, PicsartContext], None]
"""A rule on the downloaded images' sizes (by field), given the action's input and context:
raises ``InputError`` for what breaks it, before anything is paid for."""


def operation_process(
    name: str,
    *,
    file_fields: Mapping[str, str] | None = None,
    accepted_formats: frozenset[str] = GENAI_IMAGE_FORMATS,
    check_sizes: SizeRule | None = None,
) -> Process:
    """The whole ``process`` of an action that runs its operation with the fields set, after
    ``check_sizes``, where it has one."""
    operation = OPERATIONS[name]

    def process(body: Any, config: Any, context: PicsartContext) -> Message:
        return run_operation(
            operation,
            body,
            context=context,
            config=config,
            file_fields=file_fields,
            accepted_formats=accepted_formats,
            check_sizes=None
            if check_sizes is None
            else lambda sizes: check_sizes(body, sizes, context),
        )

    process.__doc__ = f"Runs {operation.title} with the fields the user set."
    return process


def run_operation(
    operation: Operation,
    body: BaseModel,
    *,
    context: PicsartContext,
    config: BaseModel,
    file_fields: Mapping[str, str] | None = None,
    accepted_formats: frozenset[str] = GENAI_IMAGE_FORMATS,
    check_sizes: Callable[[Sizes], None] | None = None,
    recommend_async: Callable[[Sizes], bool] | None = None,
) -> Message:
    """Run ``operation`` with the fields the user set and return the message the action emits.

    ``config`` is the action's: its Download result, Execution and Don't wait for the result
    fields, where it has them. ``file_fields`` maps each URL field whose file the component
    downloads and uploads (``image``, ``mask_image``) to its multipart part. ``check_sizes`` gets
    the sizes of the downloaded images (by field) and raises ``InputError`` for a rule they
    break, before anything is paid for; ``recommend_async`` says from them whether Picsart
    recommends a job.
    """
    download_result: bool = getattr(config, "downloadResult", False)
    execution: Execution = getattr(config, "execution", "auto")
    do_not_wait: bool = getattr(config, "doNotWait", False)
    if do_not_wait and execution == "sync":
        raise InputError(
            [Problem("cfg.doNotWait", "cannot be combined with Execution sync: a job is needed")]
        )
    runner = context.job_runner(operation)
    asked = getattr(body, ITEM_NAMES_ASKED.get(operation.name, ""), None) or ()
    ticket = context.job_to_resume(operation)
    if ticket is not None:
        context.logger.info("collecting %s job %s started earlier", operation.title, ticket.id)
        outcome = runner.wait(ticket)
    else:
        client = context.client_for(operation.api)
        if do_not_wait:
            execution = "async"
        fields = body.model_dump(mode="json", exclude_unset=True, exclude_none=True)
        if operation.body == "json":
            outcome = runner.run(
                operation, JsonBody(fields), execution=execution, wait=not do_not_wait
            )
        else:
            sources = {
                name: (url, part_name)
                for name, part_name in (file_fields or {}).items()
                if (url := fields.pop(name, None)) is not None
            }
            with fetched_parts(
                sources,
                context,
                api_base_url=client.base_url,
                accepted_formats=accepted_formats,
                measure=True,
            ) as gathered:
                check_mask_size(gathered.sizes)
                if check_sizes is not None:
                    check_sizes(gathered.sizes)
                outcome = runner.run(
                    operation,
                    MultipartBody(fields, tuple(gathered.parts)),
                    execution=execution,
                    recommend_async=bool(recommend_async and recommend_async(gathered.sizes)),
                    wait=not do_not_wait,
                )
    return _outcome_message(
        context, operation, outcome, download_result=download_result, asked_names=asked
    )


def check_mask_size(sizes: Sizes) -> None:
    """A mask must cover its image pixel for pixel (known when the component fetched both)."""
    image, mask = sizes.get("image"), sizes.get("mask_image")
    if image is not None and mask is not None and image != mask:
        raise InputError(
            [
                Problem(
                    "$.mask_image",
                    f"is {mask[0]}x{mask[1]}, but the image is {image[0]}x{image[1]}: a mask "
                    "must be the image's size",
                )
            ]
        )


def collect_job(context: PicsartContext, ticket: JobTicket, *, download_result: bool) -> Message:
    """One look at a job: its output when it has ended, ``JobPendingError`` while it runs."""
    operation = OPERATIONS[ticket.operation]
    runner = context.job_runner(operation)
    poll = runner.poll(ticket)
    if poll.state == "pending":
        raise JobPendingError(
            f"the {operation.title} job {ticket.id} is still running"
            + (f" (Picsart says {poll.word!r})" if poll.word else ""),
            ticket,
        )
    if poll.state == "failed":
        raise runner.failure(ticket, poll)
    outcome = JobOutcome(poll.response.body, poll.response, ticket)
    return _outcome_message(context, operation, outcome, download_result=download_result)


def _outcome_message(
    context: PicsartContext,
    operation: Operation,
    outcome: JobOutcome,
    *,
    download_result: bool,
    asked_names: Sequence[str] = (),
) -> Message:
    """The message an action emits for a finished (or, not waited for, accepted) operation."""
    return _message(
        context,
        context.client_for(operation.api).base_url,
        shape_output(operation, outcome, asked_names),
        outcome.response,
        store=download_result and operation.shape in ("object", "list"),
    )


def shape_output(
    operation: Operation, outcome: JobOutcome, asked_names: Sequence[str] = ()
) -> dict[str, Any]:
    """Picsart's answer as the action's output: ``status``, ``data`` (one file, a list of files,
    a text or a value), and the job's id and operation when it ran as a job."""
    response = outcome.response
    output: dict[str, Any] = {}
    ticket = outcome.ticket
    if ticket is not None:
        output["jobId"] = ticket.id
        output["operation"] = ticket.operation
    if response.status_code == 202:
        return {"status": status_word(outcome.body) or "processing", **output}
    name_key = ITEM_NAMES.get(operation.name)
    shaped = shape_answer(response, operation.shape, name_key)
    items = shaped.get("data")
    if name_key and isinstance(items, list) and len(items) == len(asked_names):
        for item, asked in zip(items, asked_names, strict=True):
            item.setdefault(name_key, asked)
    return {"status": shaped.pop("status"), **output, **shaped}


def shape_answer(
    response: PicsartResponse, result: ResultShape, name_key: str | None = None
) -> dict[str, Any]:
    """``{status, data}`` from a finished answer, ``data`` as ``result`` says it is."""
    body = response.body
    output: dict[str, Any] = {"status": status_word(body) or "success"}
    data = body.get("data") if isinstance(body, Mapping) else None
    if result == "value":
        if data is None:
            raise _no_result(response, "data")
        output["data"] = data
        return output
    if result == "text":
        if not isinstance(data, str):
            raise _no_result(response, "text (data)")
        output["data"] = data
        return output
    files = _files(data, name_key)
    if not files:
        raise _no_result(response, "result URL (data.url)")
    output["data"] = files[0] if result == "object" else files
    return output


def run_lookup(
    path: str, *, context: PicsartContext, config: BaseModel, result: ResultShape
) -> Message:
    """A GET of the image API (a list of names, an image by its id), shaped like the rest."""
    response = context.client.get(path)
    return _message(
        context,
        context.client.base_url,
        shape_answer(response, result),
        response,
        store=getattr(config, "downloadResult", False) and result in ("object", "list"),
    )


def _message(
    context: PicsartContext,
    base_url: str,
    output: dict[str, Any],
    response: PicsartResponse,
    *,
    store: bool,
) -> Message:
    """``output`` with Picsart's correlation id and rate-limit and credit headers and, when
    ``store``, every result file copied into the attachment store (``attachmentUrl`` for one
    file, ``attachmentUrls`` for a list)."""
    attachments = _store(context, base_url, output) if store else {}
    headers = {name: value for name in FORWARDED_HEADERS if (value := response.header(name))}
    return Message(body=output, headers=headers, attachments=attachments)


def _store(context: PicsartContext, base_url: str, output: dict[str, Any]) -> dict[str, Any]:
    data = output.get("data")
    files = [data] if isinstance(data, dict) else data if isinstance(data, list) else []
    attachments: dict[str, Any] = {}
    urls = []
    for item in files:
        stored = context.files.save_result(item["url"], base_url)
        urls.append(stored.url)
        attachments[stored.filename] = stored.attachment()
    if isinstance(data, dict):
        output["attachmentUrl"] = urls[0]
    elif urls:
        output["attachmentUrls"] = urls
    return attachments


def _files(data: Any, name_key: str | None) -> list[dict[str, Any]]:
    """The ``{url, id, status}`` entries of a ``data`` object or list (production answers one
    preview as an object), without malformed ones, with the name of what each preview shows
    (``name_key``, found under any of its aliases) where the operation gives one."""
    entries = data if isinstance(data, list) else [data]
    # The VD API's content export lists each row's files as ``{"urls": [...]}``.
    entries = [
        {"url": url} if isinstance(url, str) else url
        for entry in entries
        for url in (
            entry["urls"]
            if isinstance(entry, Mapping) and isinstance(entry.get("urls"), list)
            else [entry]
        )
    ]
    files = []
    for entry in entries:
        if isinstance(entry, Mapping) and isinstance(entry.get("url"), str) and entry["url"]:
            item: dict[str, Any] = {"url": entry["url"]}
            if entry.get("id") is not None:
                item["id"] = str(entry["id"])
            if isinstance(entry.get("status"), str):
                item["status"] = entry["status"]
            if name_key is not None:
                aliases = ITEM_NAME_ALIASES.get(name_key, (name_key,))
                name = next(
                    (entry[key] for key in aliases if isinstance(entry.get(key), str)), None
                )
                if name is not None:
                    item[name_key] = name
            files.append(item)
    return files


def _no_result(response: PicsartResponse, what: str) -> APIError:
    return APIError(
        f"Picsart's answer has no {what}",
        method=response.method,
        url=response.url,
        status=response.status_code,
        correlation_id=response.correlation_id,
    )

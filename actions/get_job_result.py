"""Get job result: the result of a job started earlier, or a rebound while it still runs.

With "Don't wait for the result", a generative step ends as soon as Picsart accepts its job;
this action, later in the flow, collects the result. While the job runs it emits a rebound, so
the platform delivers the message again after a while instead of holding a worker.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from picsart_component.runtime.messages import Message
from picsart_component.runtime.models import InputModel

from ..lib.context import PicsartContext as Context
from ..lib.fields import ActionOutput
from ..lib.fields import DownloadResultConfig as Config
from ..lib.jobs import JOB_OPERATIONS, JobTicket
from ..lib.operations import collect_job

TITLE = "Get job result"
DESCRIPTION = (
    "Collect the result of a job started earlier; while it runs, the message is rebounded and "
    "tried again later."
)
HELP = (
    "Give the operation and job id that the starting action returned (its operation and jobId "
    "fields). An unknown job id fails at once."
)
HELP_LINK = "https://docs.picsart.io/reference/"
EXAMPLE = {"operation": "textToImage", "jobId": "0b8f6f1e-5c9d-4b1e-9a51-3f0c2f6e7d10"}

__all__ = ["Config", "Context", "Input", "Output", "process"]


class Input(InputModel):
    operation: str = Field(
        title="Operation",
        description=(
            "The action that started the job (its output's operation field), for example "
            "textToImage or ultraUpscale."
        ),
        json_schema_extra={"enum": list(JOB_OPERATIONS)},
    )
    jobId: str = Field(
        title="Job ID",
        description="The job's id, as the action that started it gave it (its jobId field).",
        min_length=1,
        pattern=r"^\S+$",
    )


class Output(ActionOutput):
    status: str = Field(title="Status", description="Picsart's status of the job.")
    operation: str = Field(title="Operation", description="The operation the job belongs to.")
    jobId: str = Field(title="Job ID", description="The job's id.")
    data: Any = Field(
        None,
        title="Data",
        description=(
            "The result as the starting action gives it: one file ({url, id}), a list of files, "
            "or a text."
        ),
    )
    attachmentUrl: str | None = Field(
        None, title="Attachment URL", description="The stored copy of a single result file."
    )
    attachmentUrls: list[str] | None = Field(
        None, title="Attachment URLs", description="The stored copies of a list of result files."
    )


def process(body: Input, config: Config, context: Context) -> Message:
    ticket = JobTicket(body.operation, body.jobId)
    return collect_job(context, ticket, download_result=config.downloadResult)

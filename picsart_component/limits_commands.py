"""``picsart-flow limits``: see and lift the rate-limit hold a key's processes share in Redis.

With ``PICSART_REDIS_URL``, a 429 whose reset is far off (Picsart's quota windows run up to a
day) holds every process using the key until then. That is right for a spent quota, and a
trap when the quota came back early (a plan upgraded, a window reset by Picsart's support):
``show`` says what holds each API and which answer set it, ``reset`` lifts it. Without Redis a
hold lives in one process only, and these commands say so.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

from .console import (
    EXIT_FAILED,
    cfg_option,
    check_cfg_keys,
    emit_json,
    environment,
    merge_cfg,
    read_json_object,
    usage_error,
)
from .runtime.errors import did_you_mean

if TYPE_CHECKING:
    from .lib.ratelimit import LimitAnswer
    from .lib.shared_limit import RedisState, SharedLimit

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
NOT_SHARED = (
    "PICSART_REDIS_URL is not set (nor --redis), so a rate-limit hold lives only in the process "
    "that met it: there is nothing shared to {verb}, and a new process starts free."
)
NEEDS_KEY = (
    "picsart-flow limits needs the API key whose limit it {verbs}: set PICSART_API_KEY (or "
    '"apiKey" in --cfg) as the runs that share it do; only a SHA-256 of it names the state in '
    "Redis"
)


@dataclass(frozen=True)
class _Api:
    """One API the key reaches, and its state in Redis."""

    name: str
    origin: str
    state: RedisState
    same_origin_as: tuple[str, ...]
    """The other APIs at this origin: they share this one state."""


def _api_names() -> list[str]:
    """The names ``--api`` takes; only the names are read, so no key is needed."""
    from pydantic import SecretStr

    from .lib.credentials import Credentials

    return list(Credentials.model_construct(apiKey=SecretStr("")).api_base_urls)


def _api_option(function: Any) -> Any:
    return click.option(
        "--api",
        "api_name",
        metavar="NAME",
        help="Only the API of this name, as `limits show` names them (default: every one).",
    )(function)


def _redis_option(function: Any) -> Any:
    return click.option(
        "--redis",
        "redis_url",
        metavar="REDIS_URL",
        help="The Redis the runs share the limit through (default: $PICSART_REDIS_URL).",
    )(function)


def _apis(
    api_name: str | None,
    redis_url: str | None,
    cfg_value: str | None,
    verb: str,
    as_json: bool = False,
) -> list[_Api] | None:
    """The APIs asked for, each with its state in Redis; None (after saying why) without Redis.
    Usage errors for a bad option or a missing key; exit 1 when Redis does not answer."""
    from pydantic import SecretStr

    from .lib.credentials import Credentials, read_credentials
    from .lib.errors import ComponentError, SettingsError
    from .lib.shared_limit import RedisState, namespace, origin_of

    if redis_url is not None and not redis_url.startswith(REDIS_SCHEMES):
        usage_error("--redis must be a redis://, rediss:// or unix:// URL")
    names = _api_names()
    if api_name is not None and api_name not in names:
        usage_error(
            f"--api: {api_name!r} is not an API here{did_you_mean(api_name, names) or ';'} "
            f"the APIs are: {', '.join(names)}"
        )
    settings = environment()
    shared_url = SecretStr(redis_url) if redis_url is not None else settings.shared_limit_url
    if shared_url is None:
        sentence = NOT_SHARED.format(verb=verb)
        if as_json:
            emit_json({"shared": False, "message": sentence})
        else:
            click.echo(sentence)
        return None
    given = read_json_object(cfg_value, "--cfg")
    check_cfg_keys(given, Credentials.model_fields, "--cfg")
    cfg = merge_cfg(given, settings=settings)
    if not cfg.get("apiKey"):
        usage_error(NEEDS_KEY.format(verbs="shows" if verb == "show" else "clears"))
    try:
        credentials = read_credentials(cfg)
    except ComponentError as error:
        usage_error(str(error))
    base_urls = credentials.api_base_urls
    origins = {name: origin_of(url) for name, url in base_urls.items()}
    setting = "--redis" if redis_url is not None else "PICSART_REDIS_URL"
    apis = []
    for name in [api_name] if api_name is not None else names:
        try:
            state = RedisState(
                shared_url, namespace(credentials.apiKey, base_urls[name]), setting=setting
            )
        except SettingsError as error:
            click.echo(f"picsart-flow: {error}", err=True)
            raise SystemExit(EXIT_FAILED) from None
        others = tuple(n for n in names if n != name and origins[n] == origins[name])
        apis.append(_Api(name, origins[name], state, others))
    return apis


def _look(api: _Api, clear: bool) -> SharedLimit:
    from .lib.errors import SettingsError

    try:
        return api.state.clear() if clear else api.state.inspect()
    except SettingsError as error:
        click.echo(f"picsart-flow: {error}", err=True)
        raise SystemExit(EXIT_FAILED) from None


def _iso(moment: float) -> str:
    try:
        when = datetime.datetime.fromtimestamp(moment, tz=datetime.timezone.utc)
    except (OverflowError, OSError, ValueError):
        return f"epoch second {moment:.0f}"
    return when.isoformat(timespec="seconds")


def _seconds(later: float, now: float) -> int:
    return max(0, math.ceil(later - now))


def _answer_json(answer: LimitAnswer | None) -> dict[str, Any] | None:
    if answer is None:
        return None
    return {
        "status": answer.status,
        "resetTime": answer.reset_time,
        "correlationId": answer.correlation_id,
        "limit": answer.limit,
        "available": answer.available,
        "at": _iso(answer.at),
    }


def _described(api: _Api, limit: SharedLimit) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "shared": True,
        "api": api.name,
        "origin": api.origin,
        "sameOriginAs": list(api.same_origin_as),
        "redis": api.state.shown_url,
        "state": api.state.key,
        "held": limit.held,
        "heldUntil": None,
        "heldForSeconds": 0,
        "heldBy": None,
        "quota": None,
    }
    if limit.held:
        shown["heldUntil"] = _iso(limit.held_until)
        shown["heldForSeconds"] = _seconds(limit.held_until, limit.now)
        shown["heldBy"] = _answer_json(limit.held_by)
    if limit.paced:
        shown["quota"] = {
            "secondsPerCall": limit.quota_interval,
            "until": _iso(limit.quota_until),
            "forSeconds": _seconds(limit.quota_until, limit.now),
            "learnedFrom": _answer_json(limit.quota_by),
        }
    return shown


def _answer_text(answer: LimitAnswer | None, *, available: bool = True) -> str:
    if answer is None:
        return "an answer not recorded"
    what = f"a {answer.status} answer" if answer.status is not None else "an answer"
    details = [
        f"reset time {answer.reset_time!r}" if answer.reset_time is not None else "no reset time"
    ]
    if available and answer.available is not None:
        details.append(f"available {answer.available}")
    if answer.correlation_id:
        details.append(f"correlation id {answer.correlation_id}")
    return f"{what} at {_iso(answer.at)} ({', '.join(details)})"


def _until(moment: float, now: float) -> str:
    return f"until {_iso(moment)} (in {_seconds(moment, now)} s)"


def _quota_pace(limit: SharedLimit) -> str:
    left = ""
    answer = limit.quota_by
    if answer is not None and answer.available is not None:
        of = f" of {answer.limit}" if answer.limit is not None else ""
        left = f"{answer.available}{of} calls left, "
    return f"{left}one call every {limit.quota_interval:.3g} s"


def _title(api: _Api) -> str:
    shared = f", one state with {', '.join(api.same_origin_as)}" if api.same_origin_as else ""
    return f"{api.name} API ({api.origin}{shared})"


def _show_text(api: _Api, limit: SharedLimit) -> list[str]:
    lines = [_title(api)]
    if limit.held:
        lines.append(f"  hold:  {_until(limit.held_until, limit.now)}")
        lines.append(f"         set by {_answer_text(limit.held_by)}")
    else:
        lines.append("  hold:  none")
    if limit.paced:
        lines.append(f"  quota: {_quota_pace(limit)} {_until(limit.quota_until, limit.now)}")
        lines.append(f"         learned from {_answer_text(limit.quota_by, available=False)}")
    else:
        lines.append("  quota: none learned")
    return lines


def _reset_text(api: _Api, limit: SharedLimit) -> str:
    if limit.empty:
        return f"{_title(api)}: nothing to clear (no hold, no learned quota)"
    cleared = []
    if limit.held:
        cleared.append(
            f"the hold {_until(limit.held_until, limit.now)}, set by {_answer_text(limit.held_by)}"
        )
    if limit.paced:
        cleared.append(f"the learned quota ({_quota_pace(limit)})")
    return f"{_title(api)}: cleared {'; and '.join(cleared)}"


@click.group(
    "limits", context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
def limits() -> None:
    """See and lift the rate-limit hold that processes using a key share through Redis.

    With PICSART_REDIS_URL, a 429 (or Available: 0) whose reset is far off holds every process
    using the key, each API on its own, until the reset: up to a day. `show` says what holds
    each API and which answer set it; `reset` lifts the hold and forgets the learned quota when
    you know the quota is back. Without Redis a hold lives only in the process that met it.

    \b
    Examples:
      PICSART_API_KEY=... picsart-flow limits show
      PICSART_API_KEY=... picsart-flow limits reset --api genai
    """


@limits.command("show")
@_api_option
@_redis_option
@cfg_option
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help='A JSON object per API, not sentences (without Redis, one with "shared": false).',
)
def show(api_name: str | None, redis_url: str | None, cfg_value: str | None, as_json: bool) -> None:
    """Show, for each API, whether it is held and until when, by which answer (its status,
    reset time, correlation id and when it came), and the quota learned from the headers.

    \b
    Examples:
      PICSART_API_KEY=... picsart-flow limits show
      PICSART_API_KEY=... picsart-flow limits show --api genai --json
    """
    apis = _apis(api_name, redis_url, cfg_value, "show", as_json)
    if apis is None:
        return
    if not as_json:
        click.echo(f"Shared through Redis at {apis[0].state.shown_url}, for the configured key:")
    for api in apis:
        limit = _look(api, clear=False)
        if as_json:
            emit_json(_described(api, limit))
        else:
            click.echo("\n".join(_show_text(api, limit)))


@limits.command("reset")
@_api_option
@_redis_option
@cfg_option
def reset(api_name: str | None, redis_url: str | None, cfg_value: str | None) -> None:
    """Lift the hold and forget the learned quota, for every process using the key: do it when
    you know the quota is back (a spent quota holds again at the next 429). Running it twice
    is harmless.

    \b
    Examples:
      PICSART_API_KEY=... picsart-flow limits reset
      PICSART_API_KEY=... picsart-flow limits reset --api image
    """
    apis = _apis(api_name, redis_url, cfg_value, "clear")
    if apis is None:
        return
    for api in apis:
        click.echo(_reset_text(api, _look(api, clear=True)))

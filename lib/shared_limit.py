"""One rate limit for a Picsart key across processes and machines, kept in Redis.

With ``PICSART_REDIS_URL`` set, every throttle for the same key and API keeps its state (the next
free start slot, the hold after a 429 or ``Available: 0``, the pace of the learned quota) in one
Redis hash, changed only by small Lua scripts, each atomic on the server. The slots are counted
on Redis's clock (``TIME``), so machines whose clocks disagree still share one pace.

Why scripts and not a rate-limiting library: the throttle is a slot scheduler with a hold and a
learned quota (``lib/ratelimit.py``), which a token or leaky bucket (pyrate-limiter's Redis
bucket, say) does not model; the four scripts below are the same few lines as the in-process
state, made atomic. A fifth reads (and for ``picsart-flow limits reset``, clears) the hold and
the quota with the answers that set them, so that a hold for a day is never a mystery.

The key is never stored: the hash's name is a SHA-256 of the key and the API's origin, and the
answers kept are a status, the rate-limit headers as sent and a correlation id. When Redis stops
answering mid-run, the throttle goes on alone at a quarter of the limit (other processes may
still be sending) and says so once.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import SecretStr

from .errors import HeldTooLong, SettingsError
from .ratelimit import LimitAnswer, LocalState

log = logging.getLogger("picsart.shared_limit")

FALLBACK_FRACTION = 0.25
"""The share of the limit a process takes alone once Redis stopped answering."""
STATE_TTL_SECONDS = 24 * 3600
"""An unused throttle's state expires after a day (Picsart's windows are at most that long)."""

_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
"""
_RESERVE = (
    _NOW
    + """
local s = redis.call('HMGET', KEYS[1], 'next', 'held', 'quota_interval', 'quota_until')
local next_slot = tonumber(s[1]) or 0
local held = tonumber(s[2]) or 0
local max_wait = tonumber(ARGV[2])
if max_wait >= 0 and held - now > max_wait then
  return {'held', string.format('%.6f', held - now)}
end
local slot = math.max(now, next_slot, held)
local interval = tonumber(ARGV[1])
if slot < (tonumber(s[4]) or 0) then
  interval = math.max(interval, tonumber(s[3]) or 0)
end
redis.call('HSET', KEYS[1], 'next', string.format('%.6f', slot + interval))
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
return {'slot', string.format('%.6f', slot - now)}
"""
)
# A hold keeps the answer that set it ('held_by', JSON, or nothing), a learned quota the answer
# that taught it ('quota_by'): what `picsart-flow limits show` names.
_SET_HOLD = """
local function set_hold(moment, answer)
  local held = tonumber(redis.call('HGET', KEYS[1], 'held')) or 0
  if moment > held then
    redis.call('HSET', KEYS[1], 'held', string.format('%.6f', moment))
    if answer ~= '' then
      redis.call('HSET', KEYS[1], 'held_by', answer)
    else
      redis.call('HDEL', KEYS[1], 'held_by')
    end
  end
end
"""
_HOLD = (
    _NOW
    + _SET_HOLD
    + """
set_hold(now + tonumber(ARGV[1]), ARGV[3])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1
"""
)
_LEARN = (
    _NOW
    + _SET_HOLD
    + """
local available = tonumber(ARGV[1])
local window_left = tonumber(ARGV[2])
if available <= 0 then
  set_hold(now + window_left, ARGV[4])
elseif window_left > 0 then
  redis.call('HSET', KEYS[1], 'quota_interval', string.format('%.9f', window_left / available),
             'quota_until', string.format('%.6f', now + window_left), 'quota_by', ARGV[4])
end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
"""
)
_READ = (
    _NOW
    + """
local s = redis.call('HMGET', KEYS[1], 'held', 'quota_interval', 'quota_until')
local quota = 0
if now < (tonumber(s[3]) or 0) then quota = tonumber(s[2]) or 0 end
return {string.format('%.6f', (tonumber(s[1]) or 0) - now), string.format('%.9f', quota)}
"""
)
_INSPECT = (
    _NOW
    + """
local s = redis.call('HMGET', KEYS[1], 'held', 'held_by', 'quota_interval', 'quota_until',
                     'quota_by')
if ARGV[1] == 'clear' then
  redis.call('HDEL', KEYS[1], 'held', 'held_by', 'quota_interval', 'quota_until', 'quota_by')
end
return {string.format('%.6f', now), s[1] or '', s[2] or '', s[3] or '', s[4] or '', s[5] or ''}
"""
)


def origin_of(base_url: str) -> str:
    """``scheme://host[:port]`` of an API's base URL: what one shared state is kept for."""
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}"


def namespace(api_key: str | SecretStr, base_url: str) -> str:
    """The Redis key of the state for this key and API: a hash, never the key itself."""
    secret = api_key.get_secret_value() if isinstance(api_key, SecretStr) else api_key
    digest = hashlib.sha256(f"{secret}\n{origin_of(base_url)}".encode()).hexdigest()[:32]
    return f"picsart:limit:{digest}"


def redis_location(url: str) -> str:
    """``host:port`` of a Redis URL: what may be shown (the URL may hold a password)."""
    parts = urlsplit(url)
    return f"{parts.hostname or 'localhost'}:{parts.port or 6379}"


def shown_redis_url(url: str) -> str:
    """A Redis URL as it may be shown: its password, in the address or the query, masked."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return "a URL that does not parse"
    netloc = parts.netloc
    if password is not None:
        netloc = f"{parts.username or ''}:****@{netloc.rpartition('@')[2]}"
    query = parts.query
    if query:
        query = urlencode(
            [
                (name, "****" if name.lower() == "password" else value)
                for name, value in parse_qsl(query, keep_blank_values=True)
            ],
            safe="*",
        )
    return urlunsplit(parts._replace(netloc=netloc, query=query))


@dataclass(frozen=True)
class SharedLimit:
    """What Redis keeps for one key and API origin, read at ``now`` on Redis's clock (epoch
    seconds, as every time here): the hold and the answer that set it, the learned quota's pace
    and end and the answer that taught it."""

    now: float
    held_until: float = 0.0
    held_by: LimitAnswer | None = None
    quota_interval: float = 0.0
    quota_until: float = 0.0
    quota_by: LimitAnswer | None = None

    @property
    def held(self) -> bool:
        return self.held_until > self.now

    @property
    def paced(self) -> bool:
        """Whether a learned quota still paces the calls."""
        return self.quota_interval > 0 and self.quota_until > self.now

    @property
    def empty(self) -> bool:
        return not self.held and not self.paced


class RedisState:
    """A throttle's state in Redis, shared by every process using the same key and API."""

    def __init__(
        self,
        url: str | SecretStr,
        key: str,
        *,
        client: Any = None,
        setting: str = "PICSART_REDIS_URL",
    ) -> None:
        """``setting`` names where the URL came from, for the error when Redis does not answer."""
        try:
            import redis  # noqa: PLC0415 - an optional extra's library, needed only here
        except ImportError:
            raise SettingsError(
                f"{setting} needs the redis library: pip install 'picsart-component[platform]'"
            ) from None
        secret = url.get_secret_value() if isinstance(url, SecretStr) else url
        self.shown_url = shown_redis_url(secret)
        try:
            self.location = redis_location(secret)
        except ValueError as error:
            raise SettingsError(
                f"{setting}: {self.shown_url} is not a Redis URL ({error})"
            ) from None
        self.setting = setting
        self.key = key
        self._errors: tuple[type[BaseException], ...] = (redis.RedisError, OSError)
        try:
            self._redis = client or redis.Redis.from_url(
                secret, socket_timeout=2, socket_connect_timeout=2
            )
            self._redis.ping()
        except (ValueError, *self._errors) as error:
            raise SettingsError(
                f"{setting}: Redis at {self.shown_url} does not answer "
                f"({type(error).__name__}: {error})"
            ) from None
        self._reserve = self._redis.register_script(_RESERVE)
        self._hold = self._redis.register_script(_HOLD)
        self._learn = self._redis.register_script(_LEARN)
        self._read = self._redis.register_script(_READ)
        self._inspect = self._redis.register_script(_INSPECT)
        self._fallback: LocalState | None = None
        self._fallback_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RedisState({self.location!r})"

    @property
    def shared(self) -> bool:
        """False once Redis stopped answering and this process went on alone."""
        return self._fallback is None

    def _alone(self, error: BaseException) -> LocalState:
        with self._fallback_lock:
            if self._fallback is None:
                log.warning(
                    "Redis at %s stopped answering (%s); this process goes on with its own "
                    "throttle at %d %% of the limit",
                    self.location,
                    type(error).__name__,
                    round(FALLBACK_FRACTION * 100),
                )
                self._fallback = LocalState()
            return self._fallback

    def reserve(self, now: float, interval: float, max_wait: float) -> float:
        if self._fallback is None:
            wait = -1.0 if math.isinf(max_wait) else max_wait
            try:
                kind, seconds = self._reserve(
                    keys=[self.key], args=[repr(interval), repr(wait), STATE_TTL_SECONDS]
                )
            except self._errors as error:
                self._alone(error)
            else:
                delay = float(seconds)
                if kind in (b"held", "held"):
                    raise HeldTooLong(now + delay)
                return now + delay
        assert self._fallback is not None
        return self._fallback.reserve(now, interval / FALLBACK_FRACTION, max_wait)

    def hold_until(self, now: float, moment: float, answer: LimitAnswer | None = None) -> None:
        if self._fallback is None:
            try:
                self._hold(
                    keys=[self.key],
                    args=[repr(moment - now), STATE_TTL_SECONDS, _stored(answer)],
                )
                return
            except self._errors as error:
                self._alone(error)
        assert self._fallback is not None
        self._fallback.hold_until(now, moment, answer)

    def held_until(self, now: float) -> float:
        if self._fallback is None:
            try:
                held, _ = self._read(keys=[self.key])
                return now + float(held)
            except self._errors as error:
                self._alone(error)
        assert self._fallback is not None
        return self._fallback.held_until(now)

    def learn_quota(
        self, now: float, available: int, reset_at: float, answer: LimitAnswer | None = None
    ) -> None:
        if self._fallback is None:
            try:
                self._learn(
                    keys=[self.key],
                    args=[available, repr(reset_at - now), STATE_TTL_SECONDS, _stored(answer)],
                )
                return
            except self._errors as error:
                self._alone(error)
        assert self._fallback is not None
        self._fallback.learn_quota(now, available, reset_at, answer)

    def quota_interval(self, now: float) -> float:
        if self._fallback is None:
            try:
                _, quota = self._read(keys=[self.key])
                return float(quota)
            except self._errors as error:
                self._alone(error)
        assert self._fallback is not None
        return self._fallback.quota_interval(now)

    def inspect(self) -> SharedLimit:
        """The hold and the learned quota as Redis keeps them now (``picsart-flow limits``)."""
        return self._look("show")

    def clear(self) -> SharedLimit:
        """Lifts the hold and forgets the learned quota, for every process using the key and
        API; returns what was there. The next free slot stays, so the pace goes on."""
        return self._look("clear")

    def _look(self, then: str) -> SharedLimit:
        try:
            now, held, held_by, interval, until, quota_by = self._inspect(
                keys=[self.key], args=[then]
            )
        except self._errors as error:
            raise SettingsError(
                f"{self.setting}: Redis at {self.shown_url} stopped answering "
                f"({type(error).__name__}: {error})"
            ) from None
        return SharedLimit(
            now=float(now),
            held_until=_number(held),
            held_by=LimitAnswer.from_json(held_by),
            quota_interval=_number(interval),
            quota_until=_number(until),
            quota_by=LimitAnswer.from_json(quota_by),
        )


def _stored(answer: LimitAnswer | None) -> str:
    return answer.to_json() if answer is not None else ""


def _number(text: bytes | str) -> float:
    try:
        number = float(text or 0)
    except ValueError:
        return 0.0
    return number if math.isfinite(number) else 0.0


_states: dict[tuple[str, str], RedisState] = {}
_states_lock = threading.Lock()


def shared_state(redis_url: SecretStr, api_key: str | SecretStr, base_url: str) -> RedisState:
    """The one ``RedisState`` of this process for a Redis server, key and API."""
    key = namespace(api_key, base_url)
    cache_key = (hashlib.sha256(redis_url.get_secret_value().encode()).hexdigest(), key)
    with _states_lock:
        state = _states.get(cache_key)
        if state is None:
            state = _states[cache_key] = RedisState(redis_url, key)
        return state


def forget_shared_states() -> None:
    """Drop every cached ``RedisState`` (tests, and embedders that change servers)."""
    with _states_lock:
        _states.clear()

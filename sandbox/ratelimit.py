"""Discord-style rate limits: per-route buckets, a global per-token limit, forced 429s."""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass, field

Headers = dict[str, str]


@dataclass
class RateLimitStats:
    """What the limiter has seen; tests assert on these."""

    requests: int = 0
    rate_limited: int = 0
    global_rate_limited: int = 0
    forced: int = 0


@dataclass
class _Window:
    resets_at: float
    count: int = 0


@dataclass
class _Forced:
    method: str
    path_prefix: str
    retry_after: float
    remaining: int
    is_global: bool


@dataclass(frozen=True)
class Verdict:
    """What to do with a request: pass with ``headers``, or answer 429 with ``retry_after``."""

    headers: Headers
    retry_after: float | None = None
    scope: str = "user"

    @property
    def limited(self) -> bool:
        """Whether the request is refused with a 429."""
        return self.retry_after is not None


@dataclass
class RateLimiter:
    """Fixed windows per (bucket, major parameter) and one global window per token."""

    route_limit: int = 5
    route_window: float = 1.0
    global_limit: int = 50
    stats: RateLimitStats = field(default_factory=RateLimitStats)
    _routes: dict[tuple[str, str], _Window] = field(default_factory=dict)
    _global: _Window = field(default_factory=lambda: _Window(resets_at=0.0))
    _forced: list[_Forced] = field(default_factory=list)

    def force(
        self, method: str, path_prefix: str, retry_after: float, count: int, is_global: bool
    ) -> None:
        """Answer the next ``count`` matching requests with 429."""
        self._forced.append(_Forced(method.upper(), path_prefix, retry_after, count, is_global))

    def check(
        self, method: str, path: str, route: str, major: str, *, global_exempt: bool
    ) -> Verdict:
        """Account for one request to ``route`` (a path template) and decide its fate."""
        self.stats.requests += 1
        now = time.monotonic()
        bucket = hashlib.sha1(f"{method} {route}".encode()).hexdigest()[:16]
        window = self._routes.get((bucket, major))
        if window is None or now >= window.resets_at:
            window = self._routes[(bucket, major)] = _Window(resets_at=now + self.route_window)
        headers = self._bucket_headers(bucket, window, now)
        forced = self._take_forced(method, path)
        if forced is not None:
            self.stats.forced += 1
            return self._limited(
                headers, forced.retry_after, "global" if forced.is_global else "user"
            )
        if not global_exempt:
            if now >= self._global.resets_at:
                self._global = _Window(resets_at=now + 1.0)
            if self._global.count >= self.global_limit:
                self.stats.global_rate_limited += 1
                return self._limited({}, self._global.resets_at - now, "global")
            self._global.count += 1
        if window.count >= self.route_limit:
            return self._limited(headers, window.resets_at - now, "user")
        window.count += 1
        return Verdict(self._bucket_headers(bucket, window, now))

    def _take_forced(self, method: str, path: str) -> _Forced | None:
        for forced in self._forced:
            if forced.method == method and path.startswith(forced.path_prefix):
                forced.remaining -= 1
                if forced.remaining <= 0:
                    self._forced.remove(forced)
                return forced
        return None

    def _limited(self, headers: Headers, retry_after: float, scope: str) -> Verdict:
        self.stats.rate_limited += 1
        retry_after = max(round(retry_after, 3), 0.001)
        headers = {
            **headers,
            "Retry-After": str(math.ceil(retry_after)),
            "X-RateLimit-Scope": scope,
        }
        if scope == "global":
            headers["X-RateLimit-Global"] = "true"
        return Verdict(headers, retry_after, scope)

    def _bucket_headers(self, bucket: str, window: _Window, now: float) -> Headers:
        reset_after = max(window.resets_at - now, 0.001)
        return {
            "X-RateLimit-Limit": str(self.route_limit),
            "X-RateLimit-Remaining": str(max(self.route_limit - window.count, 0)),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": bucket,
        }

"""Retry policy, in one place (tenacity).

Reads and mode switches are idempotent: they are retried on transient errors (network failures,
timeouts, 5xx, rate limits, clock skew; for reads, a body that was no answer at all) with capped exponential backoff and full jitter, honouring the
venue's retry-after. Orders are never retried here: :class:`hedgekit.client.HedgeClient` places them
exactly once by looking the client order id up after an ambiguous failure.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt
from tenacity.wait import wait_random_exponential

from hedgekit.errors import ClockSkew, ConfigurationError, HedgekitError, MalformedResponse, RateLimited

__all__ = ["RetryPolicy"]

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How transient failures of idempotent calls are retried.

    Attributes:
        attempts: total tries of one call, the first included (1 turns retries off).
        backoff_initial: seconds of the first backoff before jitter.
        backoff_cap: the longest single wait, in seconds (a venue's retry-after may be longer
            and is honoured up to ``retry_after_cap``).
        retry_after_cap: the longest venue-requested wait honoured, in seconds.
        resolve_timeout: how long, in seconds, hedgekit goes on trying to learn the fate of an
            order or cancel whose answer was lost, counted from the venue's own deadline for it
            (from the loss where the venue keeps none), before it gives up with
            :class:`~hedgekit.errors.OrderStatusUnknown`. Until the deadline has passed the venue
            is asked in any case: an order not found before then may still land.
        lookup_interval: the longest wait, in seconds, between two lookups of such an order.
    """

    attempts: int = 4
    backoff_initial: float = 0.2
    backoff_cap: float = 5.0
    retry_after_cap: float = 60.0
    resolve_timeout: float = 10.0
    lookup_interval: float = 0.5

    def __post_init__(self) -> None:
        if isinstance(self.attempts, bool) or not isinstance(self.attempts, int) or self.attempts < 1:
            raise ConfigurationError(f"attempts must be a whole number >= 1, not {self.attempts!r}")
        for name in ("backoff_initial", "backoff_cap", "retry_after_cap", "resolve_timeout", "lookup_interval"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ConfigurationError(f"{name} must be a number of seconds >= 0, not {value!r}")

    @classmethod
    def disabled(cls) -> RetryPolicy:
        """A policy that tries every call once."""
        return cls(attempts=1)

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed attempt ``attempt`` (1-based): capped exponential, full jitter."""
        ceiling = min(self.backoff_cap, self.backoff_initial * (2 ** min(max(0, attempt - 1), 64)))
        return random.uniform(0, ceiling)

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome is not None else None
        if isinstance(exc, RateLimited) and exc.retry_after is not None:
            return max(0.0, min(exc.retry_after, self.retry_after_cap))
        backoff = wait_random_exponential(multiplier=self.backoff_initial, max=self.backoff_cap)
        return float(backoff(state))

    async def call(
        self,
        fn: Callable[[], Awaitable[T]],
        *,
        venue: str,
        operation: str,
        on_clock_skew: Callable[[], Awaitable[None]] | None = None,
        read: bool = False,
    ) -> T:
        """Run ``fn`` until it succeeds, a non-transient error occurs, or attempts run out.

        A :class:`ClockSkew` calls ``on_clock_skew`` (the adapter's time resync) once before the
        next try. With ``read=True`` (``fn`` changes nothing on the account) an answer whose body
        could not be read at all (:attr:`MalformedResponse.unreadable`) is tried again too.
        """
        resynced = False

        def transient(exc: BaseException) -> bool:
            if read and isinstance(exc, MalformedResponse) and exc.unreadable:
                return True
            return isinstance(exc, HedgekitError) and exc.transient

        def before_sleep(state: RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome is not None else None
            log.debug(
                "retrying %s %s after attempt %d: %s",
                venue,
                operation,
                state.attempt_number,
                type(exc).__name__ if exc is None else f"{type(exc).__name__}: {exc}",
            )

        retrying = AsyncRetrying(
            stop=stop_after_attempt(max(1, self.attempts)),
            wait=self._wait,
            retry=retry_if_exception(transient),
            before_sleep=before_sleep,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                try:
                    return await fn()
                except ClockSkew:
                    if on_clock_skew is not None and not resynced:
                        resynced = True
                        await on_clock_skew()
                    raise
        raise AssertionError("unreachable: tenacity reraises the last error")  # pragma: no cover

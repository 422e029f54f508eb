"""Exactly-once orders and cancels: what hedgekit does when a venue's answer is lost.

An order call ends in one of three ways, and only one of them is ever reported:

* the order is at the venue: it is returned (found by its client order id if its answer was lost);
* the order is not at the venue and never will be: the error says why;
* hedgekit could not find out before the user's bound (:attr:`RetryPolicy.resolve_timeout`):
  :class:`~hedgekit.errors.OrderStatusUnknown`, the one error meaning "it may be at the venue".

An outcome is *ambiguous* after no answer, a dropped connection, a timeout, a 5xx, an answer that
cannot be read, or the venue's own "status unknown" codes: the venue may have taken the order, or
may still take it (a slow venue acts on a request after the client gave up waiting). What decides
is the venue's own deadline for the request (:meth:`~hedgekit.adapter.VenueAdapter.write_deadline_ms`):
Binance's matching engine refuses an order past ``timestamp + recvWindow``, OKX one past its
``expTime``, Aster one whose nonce fell out of its window. hedgekit asks the venue for the client
order id until it is found, or until the venue's clock (read from the venue, not estimated) is past
that deadline and the order is still not there: only then is "absent" final, and only then is the
order sent again with the same id. Two venue means shorten the wait:

* a venue that refuses a second order with a client id it holds
  (:meth:`~hedgekit.adapter.VenueAdapter.refuses_duplicate_client_id`, e.g. Bybit's
  ``orderLinkId``) may be sent the order again at once: either send lands, never both;
* a venue that can void a request still in its queue (:meth:`~hedgekit.adapter.VenueAdapter.fence_order`,
  e.g. Aster's ``noop`` with the lost request's nonce) makes "absent" final right after the fence.

Cancels are resent until the order is read back as no longer open: cancelling twice is harmless.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

from hedgekit.adapter import OrderRequest, VenueAdapter
from hedgekit.errors import (
    ClockSkew,
    ExchangeUnavailable,
    HedgekitError,
    MalformedResponse,
    NetworkError,
    OrderRejected,
    OrderStatusUnknown,
    RateLimited,
)
from hedgekit.models import Order
from hedgekit.retry import RetryPolicy

__all__ = ["AMBIGUOUS", "DEADLINE_MARGIN_MS", "Resolver"]

log = logging.getLogger(__name__)

AMBIGUOUS: tuple[type[HedgekitError], ...] = (NetworkError, ExchangeUnavailable, MalformedResponse)
"""Outcomes after which the venue may have acted (or may still act) on the request."""

_CANCEL_RETRIED: tuple[type[HedgekitError], ...] = (*AMBIGUOUS, RateLimited, ClockSkew, OrderRejected)
"""Failures of a cancel after which the order is read back before anything is decided."""

DEADLINE_MARGIN_MS = 250
"""How far past a venue's deadline its clock must be before "absent" is taken as final."""

FENCE_ATTEMPTS = 3
"""Tries of a venue's fence (:meth:`~hedgekit.adapter.VenueAdapter.fence_order`) before the deadline decides."""


@dataclass
class Doubt:
    """Sends of one order whose fate is not known yet.

    Attributes:
        cause: the ambiguous outcome of the first of them.
        deadline_ms: the venue's clock after which none of them can take effect (``None``: the venue
            keeps no deadline for them).
        give_up_at: the monotonic time after which an unanswered venue counts as unreachable.
    """

    cause: HedgekitError
    deadline_ms: int | None
    give_up_at: float


class Resolver:
    """Places and cancels exactly once for one adapter, under one retry policy."""

    def __init__(self, adapter: VenueAdapter, policy: RetryPolicy) -> None:
        self.adapter = adapter
        self.policy = policy

    @property
    def venue(self) -> str:
        return self.adapter.name

    # -- orders ------------------------------------------------------------------------------
    async def place(self, request: OrderRequest, *, lost: HedgekitError | None = None) -> Order:
        """Place ``request`` exactly once (see the module docstring).

        ``lost``: the order was sent already and its answer lost this way (its caller stopped
        waiting mid-send): settle that send first, as after any ambiguous outcome.
        """
        adapter, policy = self.adapter, self.policy
        cid, conditional = request.client_order_id, request.type.conditional
        resend_safe = adapter.refuses_duplicate_client_id(conditional=conditional)
        doubt: Doubt | None = None  # earlier sends whose fate is open
        attempt = 0
        while True:
            attempt += 1
            log.debug("%s place_order %s %s client_order_id=%s attempt %d", self.venue,
                      request.plan.intent.value, request.symbol, cid, attempt)
            try:
                if lost is not None:
                    cause, lost = lost, None
                    raise cause
                return await adapter.place_order(request)
            except AMBIGUOUS as exc:
                log.debug("%s place_order client_order_id=%s ambiguous (%s): looking it up", self.venue, cid,
                          type(exc).__name__)
                doubt = self._doubt(exc, conditional, doubt)
                found = await self._settle(request, doubt, resend_safe)
                if found is not None:
                    return found
                if not resend_safe:
                    doubt = None  # absent for good: no earlier send can land any more
                    if attempt >= policy.attempts:
                        raise
                elif time.monotonic() > doubt.give_up_at:
                    raise self._unknown(request, doubt) from exc
            except (RateLimited, ClockSkew) as exc:  # refused before the venue acted on this send
                if doubt is None and attempt >= policy.attempts:
                    raise
                if doubt is not None and time.monotonic() > doubt.give_up_at:
                    raise self._unknown(request, doubt) from exc
                log.debug("%s place_order client_order_id=%s refused before acting (%s): sending again",
                          self.venue, cid, type(exc).__name__)
                if isinstance(exc, ClockSkew):
                    await self._resync()
                    continue
                if exc.retry_after is not None:
                    await asyncio.sleep(min(exc.retry_after, policy.retry_after_cap))
                    continue
            except HedgekitError:  # a refusal (order parameter, margin, mode, auth)
                if doubt is None:
                    raise
                # an earlier send may land (or have landed): this refusal may be its doing
                found = await self._find(request, doubt, settle=True)
                if found is not None:
                    return found
                raise
            await asyncio.sleep(policy.backoff(attempt))

    def _doubt(self, cause: HedgekitError, conditional: bool, earlier: Doubt | None) -> Doubt:
        if earlier is not None:
            # only an order the venue refuses duplicates of is resent before its fate is known; the
            # first loss bounds the wait, and no single deadline bounds several sends
            return Doubt(earlier.cause, None, earlier.give_up_at)
        deadline = self.adapter.write_deadline_ms(conditional=conditional)
        wait_s = 0.0
        if deadline is not None:
            wait_s = max(0, deadline + DEADLINE_MARGIN_MS - self.adapter.venue_time_ms()) / 1000
        return Doubt(cause, deadline, time.monotonic() + wait_s + self.policy.resolve_timeout)

    async def _settle(self, request: OrderRequest, doubt: Doubt, resend_safe: bool) -> Order | None:
        """The order if it is at the venue; ``None`` when a send with the same id is safe now."""
        if await self._fence(request):
            # no earlier send can land now: the venue's deadline no longer bounds the lookups
            doubt.give_up_at = min(doubt.give_up_at, time.monotonic() + self.policy.resolve_timeout)
            return await self._find(request, doubt, settle=False)
        return await self._find(request, doubt, settle=not resend_safe)

    async def _fence(self, request: OrderRequest) -> bool:
        """The adapter's fence, asked again after a transient failure (a fence repeated is harmless)."""
        for attempt in range(1, FENCE_ATTEMPTS + 1):
            try:
                return await self.adapter.fence_order(request)
            except ClockSkew:
                await self._resync()
            except HedgekitError as exc:
                log.debug("%s fence of client_order_id=%s failed (%s)", self.venue, request.client_order_id,
                          type(exc).__name__)
                if not (exc.transient or isinstance(exc, MalformedResponse)):
                    return False
            await asyncio.sleep(self.policy.backoff(attempt))
        return False

    async def _find(self, request: OrderRequest, doubt: Doubt, *, settle: bool) -> Order | None:
        """Ask the venue for the order by its client id.

        ``settle=False``: the first answer decides. ``settle=True``: "not there" counts only once the
        venue's own clock is past the doubt's deadline; without a deadline the venue is asked until
        the bound, then :class:`OrderStatusUnknown`.
        """
        adapter, policy = self.adapter, self.policy
        cid, conditional = request.client_order_id, request.type.conditional
        past_deadline = False
        asked = 0
        while True:
            asked += 1
            try:
                found = await adapter.fetch_order(request.symbol, client_order_id=cid, conditional=conditional)
            except ClockSkew:
                await self._resync()
                continue
            except HedgekitError as exc:
                if not (exc.transient or isinstance(exc, MalformedResponse)):
                    raise self._unknown(request, doubt) from exc  # the venue cannot be asked
                log.debug("%s fetch_order client_order_id=%s failed (%s), asking again", self.venue, cid,
                          type(exc).__name__)
            else:
                if found is not None:
                    return found
                if not settle or past_deadline:
                    return None
                if doubt.deadline_ms is not None and (
                        adapter.venue_time_ms() > doubt.deadline_ms + DEADLINE_MARGIN_MS):
                    past_deadline = await self._venue_clock_past(doubt.deadline_ms + DEADLINE_MARGIN_MS)
                    if past_deadline:
                        continue  # one more lookup, now that the venue's clock is past the deadline
            if time.monotonic() > doubt.give_up_at:
                raise self._unknown(request, doubt) from doubt.cause
            await asyncio.sleep(self._interval(asked, doubt))

    def _interval(self, asked: int, doubt: Doubt) -> float:
        wait = min(self.policy.lookup_interval, self.policy.backoff(asked))
        if doubt.deadline_ms is not None:
            to_deadline = (doubt.deadline_ms + DEADLINE_MARGIN_MS - self.adapter.venue_time_ms()) / 1000
            if to_deadline > 0:
                wait = min(wait, to_deadline) if wait > 0 else 0.0
        return max(wait, 0.0)

    async def _venue_clock_past(self, when_ms: int) -> bool:
        """Whether the venue's own clock is past ``when_ms`` (read from the venue; no estimate decides)."""
        try:
            server = await self.adapter.server_time_ms()
        except HedgekitError as exc:
            log.debug("%s time read failed (%s)", self.venue, type(exc).__name__)
            return False
        if server is None:
            return self.adapter.venue_time_ms() > when_ms
        self.adapter.clock_offset_ms = server - int(time.time() * 1000)
        return server > when_ms

    async def _resync(self) -> None:
        try:
            await self.adapter.resync_time()
        except HedgekitError as exc:
            log.debug("%s time resync failed (%s)", self.venue, type(exc).__name__)

    def _unknown(self, request: OrderRequest, doubt: Doubt) -> OrderStatusUnknown:
        return OrderStatusUnknown(
            f"the order may or may not be at the venue: its answer was lost ({type(doubt.cause).__name__}) and "
            f"the venue could not be asked before the bound; look up client order id "
            f"{request.client_order_id} before placing it again",
            venue=self.venue, operation="place_order", symbol=request.symbol,
            client_order_id=request.client_order_id,
        )

    # -- cancels -----------------------------------------------------------------------------
    async def cancel(self, symbol: str, order_id: str | None, client_order_id: str | None,
                     conditional: bool) -> Order:
        """Cancel an order; after a failure, read it back instead of guessing.

        A cancel whose answer was lost is sent again (cancelling twice is harmless) until the order
        reads back as no longer open. An order that is no longer open (canceled, filled, expired)
        is returned as the venue reports it; check its ``status``.
        """
        adapter, policy = self.adapter, self.policy
        attempt = 0
        give_up_at: float | None = None
        while True:
            attempt += 1
            try:
                return await adapter.cancel_order(
                    symbol, order_id=order_id, client_order_id=client_order_id, conditional=conditional
                )
            except _CANCEL_RETRIED as exc:
                # OrderRejected: the order may be gone already (filled, or canceled by a send whose
                # answer was lost): read it
                if isinstance(exc, ClockSkew):
                    await self._resync()
                if give_up_at is None:
                    give_up_at = time.monotonic() + policy.resolve_timeout
                found = await self._read_back(symbol, order_id, client_order_id, conditional, give_up_at, exc)
                if found is not None and not found.status.is_open:
                    return found
                if isinstance(exc, OrderRejected):
                    raise
                if attempt >= policy.attempts:
                    # a lost cancel may still take effect until the venue's deadline for it: read
                    # the order once more after that, so the error never hides a cancel that landed
                    late = await self._read_after_deadline(symbol, order_id, client_order_id, conditional,
                                                           give_up_at, exc)
                    if late is not None and not late.status.is_open:
                        return late
                    raise
                if isinstance(exc, RateLimited) and exc.retry_after is not None:
                    await asyncio.sleep(min(exc.retry_after, policy.retry_after_cap))
                    continue
            await asyncio.sleep(policy.backoff(attempt))

    async def _read_after_deadline(self, symbol: str, order_id: str | None, client_order_id: str | None,
                                   conditional: bool, give_up_at: float, cause: HedgekitError) -> Order | None:
        deadline = self.adapter.write_deadline_ms(conditional=conditional)
        if deadline is None or not isinstance(cause, AMBIGUOUS):
            return None
        while not await self._venue_clock_past(deadline + DEADLINE_MARGIN_MS):
            if time.monotonic() > give_up_at:
                return None
            wait = (deadline + DEADLINE_MARGIN_MS - self.adapter.venue_time_ms()) / 1000
            await asyncio.sleep(min(max(wait, 0.001), self.policy.lookup_interval))
        return await self._read_back(symbol, order_id, client_order_id, conditional, give_up_at, cause)

    async def _read_back(self, symbol: str, order_id: str | None, client_order_id: str | None,
                         conditional: bool, give_up_at: float, cause: HedgekitError) -> Order | None:
        asked = 0
        while True:
            asked += 1
            try:
                return await self.adapter.fetch_order(
                    symbol, order_id=order_id, client_order_id=client_order_id, conditional=conditional
                )
            except ClockSkew:
                await self._resync()
            except HedgekitError as exc:
                if not (exc.transient or isinstance(exc, MalformedResponse)) or time.monotonic() > give_up_at:
                    raise NetworkError(
                        f"the cancel's outcome is not known: its answer was lost or refused "
                        f"({type(cause).__name__}) and the order could not be read back; read it before "
                        f"cancelling again", venue=self.venue, operation="cancel_order", symbol=symbol,
                        client_order_id=client_order_id,
                    ) from exc
            await asyncio.sleep(min(self.policy.lookup_interval, self.policy.backoff(asked)))

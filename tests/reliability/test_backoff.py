"""After a rate-limit answer the whole account waits: nothing of that API key reaches the venue
until the venue's wait is over, from any client of it in the process; other keys are not held.

Waits per venue (shared/VENUES.md §1.8, §2.8, §3.8, §4.8): Binance and Aster HTTP 429 ``-1003`` with
``Retry-After`` (seconds); Bybit ``10006`` with ``X-Bapi-Limit-Reset-Timestamp`` (ms); OKX ``50011``
names no wait, so the account waits OKX's 2-second window (hedgekit_okx.limits.BACKOFF).
"""

from __future__ import annotations

import asyncio
import secrets
from decimal import ROUND_CEILING, Decimal
from typing import Any

import pytest

import hedgekit
from hedgekit import HedgeClient, RetryPolicy
from hedgekit.errors import RateLimited
from hedgekit.testing import SimulatedVenue
from hedgekit.testing.faults import FaultKind
from hedgekit.testing.frontend import RecordedRequest
from hedgekit.throttle import MAX_GATE_WAIT, Backoff, Gate, Limit, Pacer, Weight

from ..conftest import VENUES

BTC = "BTC/USDT:USDT"
MARKS = {BTC: Decimal("60000")}
#: The request each venue's position-mode read sends: the one that meets the rate limit.
MODE_PATH = {
    "binance": "/fapi/v1/positionSide/dual",
    "aster": "/fapi/v3/positionSide/dual",
    "bybit": "/v5/position/list",
    "okx": "/api/v5/account/config",
}
#: The wait each venue asks for in the test (the fault's retry_after), or OKX's documented default.
WAIT_S = {"binance": 0.5, "aster": 0.5, "bybit": 0.5, "okx": 2.0}
SLACK_MS = 3  # the venue stamps receipt with the wall clock, the gate runs on the monotonic one


def key_of(venue: str, request: RecordedRequest) -> str:
    """The API key a request was signed with (Aster v3: the main wallet, ``user``)."""
    header = {"binance": "X-MBX-APIKEY", "bybit": "X-BAPI-API-KEY", "okx": "OK-ACCESS-KEY"}.get(venue)
    if header is not None:
        return str(request.headers.get(header, ""))
    return str(request.params.get("user", "")).lower()


def other_credentials(venue: str, creds: dict[str, Any]) -> dict[str, Any]:
    """The same credentials with another API key: another account (the venue refuses it)."""
    key = "0x" + secrets.token_hex(20) if venue == "aster" else secrets.token_hex(len(creds["api_key"]) // 2 + 1)
    return dict(creds, api_key=key)


def quantity(hk: HedgeClient) -> Decimal:
    market = hk.market(BTC)
    qty = max(market.min_quantity, market.min_notional / (MARKS[BTC] * market.contract_size), Decimal("0.01"))
    return (qty / market.lot_step).to_integral_value(rounding=ROUND_CEILING) * market.lot_step


@pytest.mark.parametrize("venue_name", VENUES)
async def test_a_rate_limit_answer_pauses_every_client_of_the_account(venue_name: str) -> None:
    async with SimulatedVenue(venue_name, mark_prices=MARKS) as venue:
        creds = dict(venue.credentials)
        other = other_credentials(venue_name, creds)
        own_key, other_key = (str(c["api_key"]).lower() if venue_name == "aster" else str(c["api_key"])
                              for c in (creds, other))
        url = venue.base_url
        async with hedgekit.connect(venue_name, base_url=url, retry=RetryPolicy.disabled(), **creds) as one, \
                hedgekit.connect(venue_name, base_url=url, **creds) as two, \
                hedgekit.connect(venue_name, base_url=url, retry=RetryPolicy.disabled(), **other) as stranger:
            venue.inject(FaultKind.RATE_LIMIT, method="GET", path=MODE_PATH[venue_name], retry_after=WAIT_S[venue_name])
            with pytest.raises(RateLimited):
                await one.position_mode(BTC)
            limited = [r for r in venue.requests if r.path == MODE_PATH[venue_name]][-1]
            seen = len(venue.requests)
            results = await asyncio.gather(
                one.legs(BTC), one.open_orders(BTC),  # other endpoints, the client that met the limit
                two.legs(BTC), two.open_orders(BTC), two.open_long(BTC, quantity(two)),  # a second client
                stranger.position_mode(BTC),  # another key on the same host
                return_exceptions=True,
            )
        assert not any(isinstance(r, BaseException) for r in results[:5]), results
        assert isinstance(results[5], hedgekit.AuthenticationError)  # it reached the venue, which refused it
        after = venue.requests[seen:]
        mine = [r.time - limited.time for r in after if key_of(venue_name, r) == own_key]
        theirs = [r.time - limited.time for r in after if key_of(venue_name, r) == other_key]
        wait_ms = WAIT_S[venue_name] * 1000
        assert len(mine) >= 5 and min(mine) >= wait_ms - SLACK_MS, mine  # nothing inside the wait
        assert theirs and max(theirs) < wait_ms / 2, theirs  # the other key went at once


@pytest.mark.parametrize("venue_name", VENUES)
async def test_retries_and_orders_go_through_after_the_pause(venue_name: str) -> None:
    policy = RetryPolicy(attempts=3, backoff_initial=0.01, backoff_cap=0.02)
    async with SimulatedVenue(venue_name, mark_prices=MARKS) as venue:
        async with hedgekit.connect(venue_name, base_url=venue.base_url, retry=policy, **venue.credentials) as hk:
            venue.inject(FaultKind.RATE_LIMIT, method="GET", path=MODE_PATH[venue_name], retry_after=0.3)
            read = asyncio.ensure_future(hk.position_mode(BTC))  # meets the limit, retried after the wait
            await asyncio.sleep(0.05)
            order = await hk.open_long(BTC, quantity(hk))  # the order loop waits at the gate, then sends
            state = await read
        assert state.mode is hedgekit.PositionMode.ONE_WAY and order.client_order_id
        limited = [r for r in venue.requests if r.path == MODE_PATH[venue_name]]
        assert len(limited) >= 2  # the refused read and its retry
        wait_ms = (2000 if venue_name == "okx" else 300) - SLACK_MS
        assert all(r.time - limited[0].time >= wait_ms for r in venue.requests if r.time > limited[0].time)


# -- the gate on a virtual clock ---------------------------------------------------------------------


class VirtualTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


BACKOFF = Backoff(statuses=frozenset({429, 418}), codes=frozenset({-1003}), default_wait=60.0)
UNIT = Weight(((Limit("w", 100, 1.0), 1),))


def pacer(rate_limit: bool = True, key: str | None = None) -> tuple[Pacer, VirtualTime]:
    time = VirtualTime()
    p = Pacer("v", "http://h", key or secrets.token_hex(8), table={}, default=UNIT, backoff=BACKOFF,
              rate_limit=rate_limit)
    p.gate.clock, p.gate.sleep = time.clock, time.sleep
    if p.limiter is not None:
        p.limiter.clock, p.limiter.sleep = time.clock, time.sleep
    return p, time


def refusal(code: int | None, status: int, retry_after: float | None) -> RateLimited:
    return RateLimited("too many", retry_after=retry_after, code=code, http_status=status, venue="v")


async def test_the_gate_holds_requests_for_the_venues_wait() -> None:
    p, time = pacer()
    p.after(refusal(-1003, 429, 1.5))
    await p.before("m", {}, operation="op")
    assert time.now == pytest.approx(1.5)  # waited for the venue's Retry-After
    await p.before("m", {}, operation="op")
    assert time.now == pytest.approx(1.5) and p.gate.until == 0  # open again: one attribute test


async def test_a_wait_the_venue_does_not_name_is_its_documented_default_only_when_limiting() -> None:
    p, time = pacer(rate_limit=True)
    p.after(refusal(-1003, 429, None))
    assert p.gate.remaining() == pytest.approx(BACKOFF.default_wait)
    q, _ = pacer(rate_limit=False)
    q.after(refusal(-1003, 429, None))
    assert q.gate.remaining() == 0  # nothing to go by: the retry policy's backoff only
    q.after(refusal(None, 418, 2.0))
    assert q.gate.remaining() == pytest.approx(2.0)  # a wait the venue names holds without limiting too


async def test_only_the_venues_rate_limit_answers_close_the_gate() -> None:
    p, _ = pacer()
    p.after(refusal(-1015, 400, 5.0))  # TOO_MANY_ORDERS: not in this venue's Backoff
    p.after(hedgekit.ExchangeUnavailable("busy", http_status=503))
    assert p.gate.remaining() == 0
    p.after(refusal(None, 418, 3.0))
    assert p.gate.remaining() == pytest.approx(3.0)


async def test_a_pause_longer_than_the_gate_waits_refuses_at_once_without_sending() -> None:
    p, time = pacer()
    p.after(refusal(None, 418, 600.0))  # an IP ban: the venue says ten minutes
    with pytest.raises(RateLimited) as info:
        await p.before("m", {}, operation="op", client_order_id="cid1")
    assert time.now == 0 and info.value.retry_after == pytest.approx(600.0)
    assert info.value.client_order_id == "cid1" and info.value.http_status is None
    time.now = 600.0 - MAX_GATE_WAIT / 2
    await p.before("m", {}, operation="op")  # within the gate's wait now: it waits instead
    assert time.now == pytest.approx(600.0)


def test_clients_of_one_account_share_the_gate_and_others_do_not() -> None:
    a = Pacer("v", "http://h", "key-1", table={}, default=UNIT, backoff=BACKOFF, rate_limit=True)
    b = Pacer("v", "http://h", "key-1", table={}, default=UNIT, backoff=BACKOFF, rate_limit=False)
    c = Pacer("v", "http://h", "key-2", table={}, default=UNIT, backoff=BACKOFF, rate_limit=True)
    d = Pacer("v", "http://testnet", "key-1", table={}, default=UNIT, backoff=BACKOFF, rate_limit=True)
    assert a.gate is b.gate and a.gate is not c.gate and a.gate is not d.gate
    assert isinstance(a.gate, Gate) and b.limiter is None and a.limiter is not None
    assert a.limiter is not c.limiter  # the budget is counted per client
    from hedgekit import throttle

    assert all("key-1" not in part for key in throttle._ACCOUNTS for part in key)  # only its digest

"""The OKX client-side limiter: OKX's own limit per endpoint (N requests per 2 s), no shared budget.

The limiter runs on a virtual clock here, so the waits are exact and the tests take no time.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Sequence
from pathlib import Path

import pytest
from ccxt.abstract.okx import ImplicitAPI

import hedgekit
from hedgekit.testing import SimulatedVenue
from hedgekit_okx import transport
from hedgekit_okx.transport import LIMITS, RATE_WINDOW_S, EndpointLimiter

ALGO = "privateGetTradeOrdersAlgoPending"
CONFIG = "privateGetAccountConfig"
#: The requests of one validated switch of the position mode on OKX: the mode read, the exposure
#: check (positions, regular orders, one algo list per ordType) and the switch itself.
SWITCH = [CONFIG, "privateGetAccountPositions", "privateGetTradeOrdersPending", *[ALGO] * 7,
          "privatePostAccountSetPositionMode"]


class VirtualTime:
    """A clock that only moves when a request sleeps; records every wait."""

    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def limiter() -> tuple[EndpointLimiter, VirtualTime]:
    time = VirtualTime()
    return EndpointLimiter(clock=time.clock, sleep=time.sleep), time


async def send(lim: EndpointLimiter, methods: Sequence[str], params: dict[str, str] | None = None) -> list[float]:
    """Acquire a place for each request in turn (sent at once); the send times."""
    times = []
    for method in methods:
        await lim.acquire(lim.buckets(method, params or {}))
        times.append(lim.clock())
    return times


def test_limits_are_okx_limits_as_ccxt_prices_them() -> None:
    # ccxt okx.py: rateLimit 100 ms (+10 %) per unit, cost = 20 / N for N requests per 2 s
    for method, (per_2s, _) in LIMITS.items():
        entry = inspect.getattr_static(ImplicitAPI, method)  # ccxt's declaration of the endpoint
        assert per_2s == round(20 / entry.config["cost"]), method
    assert LIMITS[ALGO] == (20, False) and LIMITS[CONFIG] == (5, False)
    assert LIMITS["privatePostAccountSetPositionMode"] == (5, False)
    assert LIMITS["privatePostTradeOrder"] == (60, True)  # per instrument


def test_every_endpoint_the_adapter_calls_has_its_limit() -> None:
    source = "".join(Path(transport.__file__).with_name(name).read_text()
                     for name in ("adapter.py", "transport.py"))
    called = set(re.findall(r'"((?:public|private)(?:Get|Post)[A-Za-z]+)"', source))
    assert called and called <= set(LIMITS), called - set(LIMITS)


async def test_a_burst_within_an_endpoints_limit_goes_out_at_once() -> None:
    lim, time = limiter()
    assert await send(lim, [ALGO] * 20) == [0.0] * 20
    assert time.waits == []
    assert await send(lim, [ALGO]) == [pytest.approx(RATE_WINDOW_S)]  # the 21st: when the 1st left the window
    assert RATE_WINDOW_S == pytest.approx(2.2)  # OKX's 2 s plus ccxt's 10 % margin


async def test_endpoints_are_counted_apart() -> None:
    lim, time = limiter()
    await send(lim, [ALGO] * 20 + [CONFIG] * 5 + ["privateGetAccountPositions"] * 10)
    assert time.waits == []  # a shared budget (ccxt's) would have made these wait
    await send(lim, [CONFIG])
    assert time.waits == [pytest.approx(RATE_WINDOW_S)]


async def test_orders_are_counted_per_instrument_and_per_sub_account() -> None:
    lim, time = limiter()
    for inst in ("BTC-USDT-SWAP", "ETH-USDT-SWAP"):
        await send(lim, ["privatePostTradeOrder"] * 60, {"instId": inst})
    assert time.waits == []
    await send(lim, ["privatePostTradeOrder"], {"instId": "BTC-USDT-SWAP"})
    assert time.waits == [pytest.approx(RATE_WINDOW_S)]
    lim, time = limiter()
    for n in range(17):  # 1020 orders over 17 instruments: the sub-account's 1000 per 2 s binds
        await send(lim, ["privatePostTradeOrder"] * 60, {"instId": f"X{n}-USDT-SWAP"})
    assert len(time.waits) == 1 and time.now == pytest.approx(RATE_WINDOW_S)


async def test_back_to_back_mode_switches_wait_only_where_okx_would_refuse() -> None:
    lim, time = limiter()
    starts: list[float] = []
    sent: list[tuple[str, float]] = []
    for _ in range(20):
        starts.append(time.now)
        sent += zip(SWITCH, await send(lim, SWITCH))
    # never more than OKX's N requests of one endpoint in any 2-second window ...
    for method, (per_2s, _) in LIMITS.items():
        stamps = [at for m, at in sent if m == method]
        assert all(stamps[i + per_2s] - stamps[i] >= 2.0 for i in range(len(stamps) - per_2s)), method
    # ... and each wait only until the oldest request left the window: the binding limit is the 7
    # algo lists per switch (20 per 2.2 s: 140 lists in 6 windows), where ccxt's shared 10-second
    # window (90.9 units, 17-21 units a switch) let four switches through and then stalled ~9 s.
    assert starts[:3] == [0.0, 0.0, 0.0]  # two switches and a half (20 algo lists) at once
    assert max(time.waits) <= RATE_WINDOW_S + 1e-9
    assert time.now == pytest.approx(6 * RATE_WINDOW_S)


async def test_the_transport_limits_only_when_rate_limit_is_on(venue: SimulatedVenue) -> None:
    async with hedgekit.connect("okx", base_url=venue.base_url, **venue.credentials) as hk:
        tr = hk.adapter._transport  # type: ignore[attr-defined]
        assert isinstance(tr.limiter, EndpointLimiter)
        assert tr.exchange.enableRateLimit is False  # ccxt's shared budget is off: ours replaces it
        await hk.position_mode()
        assert tr.limiter.delay(tr.limiter.buckets(CONFIG, {})) == 0
        assert len(tr.limiter._sent[(CONFIG, "")]) == 1
    async with hedgekit.connect("okx", base_url=venue.base_url, rate_limit=False, **venue.credentials) as hk:
        assert hk.adapter._transport.limiter is None  # type: ignore[attr-defined]

"""An answer whose body is no answer at all (empty, cut short, a gateway's HTML page) is asked again
when the call was a read; a well-formed answer with a bad field is not (the same answer would come
back), and it still fails loudly."""

from __future__ import annotations

import json

import pytest

import hedgekit
from hedgekit import MalformedResponse, RetryPolicy
from hedgekit.testing import SimulatedVenue
from hedgekit.testing.faults import FaultKind
from hedgekit.testing.frontend import Handler, RecordedRequest, WireResponse

from ..conftest import BTC, MARKS, VENUES

MARKETS = {"binance": "/fapi/v1/exchangeInfo", "aster": "/fapi/v3/exchangeInfo",
           "bybit": "/v5/market/instruments-info", "okx": "/api/v5/public/instruments"}
POSITIONS = {"binance": "/fapi/v3/positionRisk", "aster": "/fapi/v3/positionRisk",
             "bybit": "/v5/position/list", "okx": "/api/v5/account/positions"}
POLICY = RetryPolicy(attempts=4, backoff_initial=0.001, backoff_cap=0.005)


def connect(venue: SimulatedVenue, policy: RetryPolicy = POLICY) -> hedgekit.HedgeClient:
    return hedgekit.connect(venue.venue, base_url=venue.base_url, retry=policy, rate_limit=False,
                            **venue.credentials)


def hits(venue: SimulatedVenue, path: str) -> int:
    return sum(1 for r in venue.requests if r.path == path)


@pytest.mark.parametrize("body", ["html", "empty", "truncated"])
@pytest.mark.parametrize("name", VENUES)
async def test_connect_asks_again_after_an_unreadable_markets_answer(name: str, body: str) -> None:
    async with SimulatedVenue(name, mark_prices=dict(MARKS)) as venue:
        venue.inject(FaultKind.UNREADABLE, method="GET", path=MARKETS[name], count=2, body=body)
        async with connect(venue) as hk:
            assert BTC in hk.markets
        assert hits(venue, MARKETS[name]) == 3


@pytest.mark.parametrize("name", VENUES)
async def test_a_read_asks_again_after_an_unreadable_answer(name: str) -> None:
    async with SimulatedVenue(name, mark_prices=dict(MARKS)) as venue:
        async with connect(venue) as hk:
            venue.inject(FaultKind.UNREADABLE, method="GET", path=POSITIONS[name], body="html")
            pair = await hk.legs(BTC)
            assert pair.long.size == 0 and pair.short.size == 0


@pytest.mark.parametrize("name", VENUES)
async def test_unreadable_every_time_fails_loudly_after_the_attempts(name: str) -> None:
    async with SimulatedVenue(name, mark_prices=dict(MARKS)) as venue:
        venue.inject(FaultKind.UNREADABLE, method="GET", path=MARKETS[name], count=10, body="html")
        with pytest.raises(MalformedResponse) as caught:
            await connect(venue).open()
        assert caught.value.unreadable
        assert hits(venue, MARKETS[name]) == POLICY.attempts


@pytest.mark.parametrize("name", VENUES)
async def test_a_bad_field_is_not_asked_again(name: str) -> None:
    """A readable answer with a field of the wrong type: one request, a MalformedResponse."""

    async def bad_sizes(request: RecordedRequest, call_next: Handler) -> WireResponse:
        answer = await call_next(request)
        if request.path != POSITIONS[name]:
            return answer
        data = json.loads(answer.body)
        rows = data if isinstance(data, list) else data.get("data", data.get("result", {}))
        rows = rows.get("list", []) if isinstance(rows, dict) else rows
        for row in rows:
            for key in ("positionAmt", "size", "pos"):
                if key in row:
                    row[key] = {"x": 1}
        return WireResponse(answer.status, json.dumps(data), answer.content_type, answer.headers)

    async with SimulatedVenue(name, mark_prices=dict(MARKS)) as venue:
        async with connect(venue) as hk:
            await hk.set_position_mode(hedgekit.PositionMode.HEDGE, BTC)
            await hk.open_long(BTC, hk.market(BTC).min_quantity * 10)
            venue.add_middleware(bad_sizes)
            before = hits(venue, POSITIONS[name])
            with pytest.raises(MalformedResponse) as caught:
                await hk.positions()
            assert not caught.value.unreadable
            assert hits(venue, POSITIONS[name]) - before == 1

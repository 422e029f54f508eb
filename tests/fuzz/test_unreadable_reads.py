"""Reads fail loudly: an answer hedgekit cannot read completely is a MalformedResponse, never a
zero leg, a dropped order or a guessed mode.

Each venue's simulator is driven into hedge mode with an open long and short leg, a resting limit
order and a stop. A middleware then takes the simulator's real answer to one read (the position
list, the open orders, a single order, the mode) and, for every field of the row under test,
removes it or gives it a wrong type: a JSON object, a list, ``true`` (a string where the field is
a boolean), and a non-numeric string where a number is expected. The public calls that make the
read must raise :class:`hedgekit.MalformedResponse`, unless the field is one hedgekit does not
read: those are listed per venue below with the reason, and removing one must leave every call
working (so the lists cannot go stale). A body that is not JSON, truncated JSON and an empty body
with HTTP 200 fail the same way.
"""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import pytest

import hedgekit
from hedgekit import HedgeClient, MalformedResponse, PositionMode, PositionSide, RetryPolicy
from hedgekit.testing import SimulatedVenue
from hedgekit.testing.frontend import Handler, RecordedRequest, WireResponse

from ..conftest import VENUES

BTC = "BTC/USDT:USDT"
MISSING = object()  # "remove the field"


@dataclass
class Scene:
    """The account every read is tried against, and the switches of the middleware."""

    hk: HedgeClient
    venue: SimulatedVenue
    limit_id: str
    stop_id: str
    read: Read | None = None
    change: Callable[[dict[str, Any]], None] | None = None
    body: Callable[[str], str] | None = None
    hits: int = 0


Call = Callable[[Scene], Awaitable[Any]]


def legs(s: Scene) -> Awaitable[Any]:
    return s.hk.legs(BTC)


def positions(s: Scene) -> Awaitable[Any]:
    return s.hk.positions()


def snapshot(s: Scene) -> Awaitable[Any]:
    return s.hk.snapshot([BTC])


def exposure(s: Scene) -> Awaitable[Any]:
    return s.hk.exposure(BTC)


def open_orders(s: Scene) -> Awaitable[Any]:
    return s.hk.open_orders(BTC)


def all_open_orders(s: Scene) -> Awaitable[Any]:
    return s.hk.open_orders()


def fetch_limit(s: Scene) -> Awaitable[Any]:
    return s.hk.fetch_order(BTC, s.limit_id)


def fetch_stop(s: Scene) -> Awaitable[Any]:
    return s.hk.fetch_order(BTC, s.stop_id, conditional=True)


def position_mode(s: Scene) -> Awaitable[Any]:
    return s.hk.position_mode(BTC)


def mode_check(s: Scene) -> Awaitable[Any]:
    """set_position_mode's check: reads the mode and the exposure; already hedged, so nothing is sent."""
    return s.hk.set_position_mode(PositionMode.HEDGE, BTC)


Rows = Callable[[Any], list[dict[str, Any]]]


def listed(data: Any) -> list[dict[str, Any]]:
    return data if isinstance(data, list) else []


def itself(data: Any) -> list[dict[str, Any]]:
    return [data] if isinstance(data, dict) else []


def bybit_list(data: Any) -> list[dict[str, Any]]:
    return list(data["result"]["list"]) if isinstance(data, dict) and isinstance(data.get("result"), dict) else []


def okx_data(data: Any) -> list[dict[str, Any]]:
    return list(data["data"]) if isinstance(data, dict) and isinstance(data.get("data"), list) else []


@dataclass
class Read:
    """One kind of answer: where it comes from, which row is mangled, the calls that read it."""

    name: str
    path: str
    rows: Rows
    pick: Callable[[dict[str, Any], Scene], bool]
    calls: tuple[Call, ...]
    #: fields hedgekit does not read in this answer, each with the reason
    unread: dict[str, str] = field(default_factory=dict)
    #: fields that hold digits but are text (ids): a non-numeric string is a valid value
    text_ids: frozenset[str] = frozenset()


def long_leg(key: str, value: Any, symbol_key: str = "symbol", symbol: str = "BTCUSDT") -> Callable[[dict[str, Any], Scene], bool]:
    return lambda row, s: row.get(key) == value and row.get(symbol_key) == symbol


def order(key: str, which: str) -> Callable[[dict[str, Any], Scene], bool]:
    return lambda row, s: str(row.get(key)) == (s.limit_id if which == "limit" else s.stop_id)


def every(*names: str, why: str) -> dict[str, str]:
    return {name: why for name in names}


# -- Binance USDⓈ-M (BNC models, shared/VENUES.md §2) --------------------------------------------
BINANCE_ORDER_UNREAD = every("cumQuote", "workingType", "priceProtect", "origType", "priceMatch",
                             "selfTradePreventionMode", "goodTillDate",
                             why="not part of hedgekit's Order (regular orders are never conditional since "
                                 "the Algo Service)")
BINANCE_ALGO_UNREAD = every("algoType", "timeInForce", "actualOrderId", "actualPrice", "icebergQuantity",
                            "tpTriggerPrice", "tpPrice", "slTriggerPrice", "slPrice", "tpOrderType",
                            "selfTradePreventionMode", "workingType", "priceMatch", "priceProtect",
                            "triggerTime", "goodTillDate",
                            why="not part of hedgekit's Order (algoType is always CONDITIONAL)")
BINANCE = (
    Read("positions", "/fapi/v3/positionRisk", listed, long_leg("positionSide", "LONG"),
         (legs, positions, snapshot, exposure),
         every("breakEvenPrice", "marginAsset", "isolatedWallet", "maintMargin", "positionInitialMargin",
               "openOrderInitialMargin", "adl", "bidNotional", "askNotional",
               why="not part of hedgekit's Leg (margin is isolatedMargin or initialMargin)")),
    Read("symbol config", "/fapi/v1/symbolConfig", listed, long_leg("marginType", "CROSSED"), (legs,),
         every("isAutoAddMargin", "maxNotionalValue", why="not part of hedgekit's Leg")),
    Read("open orders", "/fapi/v1/openOrders", listed, order("orderId", "limit"),
         (open_orders, all_open_orders, exposure), BINANCE_ORDER_UNREAD),
    Read("open algo orders", "/fapi/v1/openAlgoOrders", listed, order("algoId", "stop"),
         (open_orders, all_open_orders, exposure), BINANCE_ALGO_UNREAD),
    Read("order", "/fapi/v1/order", itself, order("orderId", "limit"), (fetch_limit,), BINANCE_ORDER_UNREAD),
    Read("algo order", "/fapi/v1/algoOrder", itself, order("algoId", "stop"), (fetch_stop,), BINANCE_ALGO_UNREAD),
    Read("mode", "/fapi/v1/positionSide/dual", itself, lambda row, s: True, (position_mode, mode_check)),
)

# -- Aster (AST3, shared/VENUES.md §1) -------------------------------------------------------------
ASTER_ORDER_UNREAD = every("cumQuote", "workingType", "priceProtect", why="not part of hedgekit's Order")
ASTER = (
    Read("positions", "/fapi/v3/positionRisk", listed, long_leg("positionSide", "LONG"),
         (legs, positions, snapshot, exposure),
         every("isAutoAddMargin", "maxNotionalValue", why="not part of hedgekit's Leg")),
    Read("open orders", "/fapi/v3/openOrders", listed, order("orderId", "limit"),
         (open_orders, all_open_orders, exposure), ASTER_ORDER_UNREAD),
    Read("open stops", "/fapi/v3/openOrders", listed, order("orderId", "stop"),
         (open_orders, all_open_orders, exposure), ASTER_ORDER_UNREAD),
    Read("order", "/fapi/v3/order", itself, order("orderId", "limit"), (fetch_limit,), ASTER_ORDER_UNREAD),
    Read("stop", "/fapi/v3/order", itself, order("orderId", "stop"), (fetch_stop,), ASTER_ORDER_UNREAD),
    Read("mode", "/fapi/v3/positionSide/dual", itself, lambda row, s: True, (position_mode, mode_check)),
)

# -- Bybit v5 linear (position.mdx, open-order.mdx; shared/VENUES.md §3) ----------------------------
BYBIT_POSITION_UNREAD = {
    **every("riskId", "riskLimitValue", "tradeMode", "autoAddMargin", "positionStatus", "bustPrice", "positionMM",
            "takeProfit", "stopLoss", "sessionAvgPrice", "delta", "gamma", "vega", "theta", "curRealisedPnl",
            "cumRealisedPnl", "adlRankIndicator", "createdTime", "seq", "isReduceOnly", "mmrSysUpdatedTime",
            "leverageSysUpdatedTime", "tpslMode", "breakEvenPrice", "positionIMByMp", "positionMMByMp", "openTime",
            why="not part of hedgekit's Leg"),
    "positionValue": "the notional is taken at the mark; positionValue is at entry",
    "positionBalance": "deprecated (position.mdx: refer to positionIM)",
    "trailingStop": "read only when a TrailingStop order is listed (its callback rate)",
}
BYBIT_ORDER_UNREAD = {
    **every("blockTradeId", "isLeverage", "createType", "cancelType", "rejectReason", "leavesQty", "leavesValue",
            "cumExecValue", "cumExecFee", "orderIv", "marketUnit", "takeProfit", "stopLoss", "tpslMode",
            "ocoTriggerBy", "tpLimitPrice", "slLimitPrice", "tpTriggerBy", "slTriggerBy", "triggerBy", "basePrice",
            "placeType", "smpType", "smpGroup", "smpOrderId", "cumFeeDetail", why="not part of hedgekit's Order"),
    "lastPriceOnCreated": "read only on a TrailingStop row (the reference of its callback rate)",
}
BYBIT_MODE_READ = frozenset({"positionIdx", "symbol"})
BYBIT = (
    Read("positions", "/v5/position/list", bybit_list, long_leg("positionIdx", 1),
         (legs, positions, snapshot, exposure), BYBIT_POSITION_UNREAD),
    Read("open orders", "/v5/order/realtime", bybit_list, order("orderId", "limit"),
         (open_orders, all_open_orders, exposure, fetch_limit), BYBIT_ORDER_UNREAD),
    Read("open stops", "/v5/order/realtime", bybit_list, order("orderId", "stop"),
         (open_orders, all_open_orders, exposure, fetch_stop), BYBIT_ORDER_UNREAD),
    # no mode endpoint: the mode is the positionIdx of the symbol's position rows
    Read("mode", "/v5/position/list", bybit_list, long_leg("positionIdx", 1), (position_mode,),
         {"*": "the mode read needs positionIdx and symbol only (the legs read checks the rest)"}),
)

# -- OKX v5 SWAP (docs-v5 #get-positions, #get-order-details, #get-algo-order-list; VENUES.md §4) -----
OKX_POSITION_UNREAD = {
    **every("adl", "availPos", "baseBal", "baseBorrowed", "baseInterest", "bePx", "bizRefId", "bizRefType", "cTime",
            "ccy", "clSpotInUseAmt", "closeOrderAlgo", "deltaBS", "deltaPA", "fee", "fundingFee", "gammaBS", "gammaPA",
            "hedgedPos", "idxPx", "interest", "last", "liab", "liabCcy", "liqPenalty", "maxSpotInUseAmt", "mgnRatio",
            "mmr", "optVal", "pendingCloseOrdLiabVal", "pnl", "posCcy", "posId", "quoteBal", "quoteBorrowed",
            "quoteInterest", "realizedPnl", "spotInUseAmt", "spotInUseCcy", "thetaBS", "thetaPA", "tradeId",
            "uplLastPx", "uplRatio", "uplRatioLastPx", "usdPx", "vegaBS", "vegaPA", "nonSettleAvgPx", "settledPnl",
            why="not part of hedgekit's Leg"),
    "notionalUsd": "in USD; the notional is taken in USDT at the mark",
}
OKX_ORDER_UNREAD = every(
    "algoClOrdId", "algoId", "attachAlgoClOrdId", "attachAlgoOrds", "cancelSource", "cancelSourceReason", "category",
    "ccy", "fee", "feeCcy", "fillPx", "fillSz", "fillTime", "isTpLimit", "lever", "linkedAlgoOrd", "pnl", "pxType",
    "pxUsd", "pxVol", "quickMgnType", "rebate", "rebateCcy", "slOrdPx", "slTriggerPx", "slTriggerPxType", "source",
    "stpId", "stpMode", "tag", "tdMode", "tgtCcy", "tpOrdPx", "tpTriggerPx", "tpTriggerPxType", "tradeId",
    why="not part of hedgekit's Order (attached TP/SL are separate algo orders)")
OKX_ALGO_UNREAD = {
    **every("actualPx", "actualSide", "actualSz", "amendPxOnTriggerType", "attachAlgoOrds", "callbackSpread", "ccy",
            "chaseType", "chaseVal", "clOrdId", "failCode", "isTradeBorrowMode", "last", "lever", "linkedOrd",
            "maxChaseType", "maxChaseVal", "moveTriggerPx", "ordId", "ordIdList", "ordPx", "pxLimit", "pxSpread",
            "pxVar", "quickMgnType", "slOrdPx", "slTriggerPxType", "szLimit", "tag", "tdMode", "tgtCcy",
            "timeInterval", "tpOrdPx", "tpTriggerPxType", "triggerPxType", "triggerTime", "tradeQuoteCcy",
            why="not part of hedgekit's Order"),
    **every("activePx", "callbackRatio", why="read on a move_order_stop (trailing) row only"),
    "triggerPx": "read on a trigger row only (this one is conditional: slTriggerPx/tpTriggerPx)",
}
OKX_IDS = frozenset({"ordId", "algoId"})  # "Order ID" / "Algo ID": String
OKX = (
    Read("positions", "/api/v5/account/positions", okx_data, long_leg("posSide", "long", "instId", "BTC-USDT-SWAP"),
         (legs, positions, snapshot, exposure), OKX_POSITION_UNREAD),
    Read("open orders", "/api/v5/trade/orders-pending", okx_data, order("ordId", "limit"),
         (open_orders, all_open_orders, exposure), OKX_ORDER_UNREAD, OKX_IDS),
    Read("open algo orders", "/api/v5/trade/orders-algo-pending", okx_data, order("algoId", "stop"),
         (open_orders, all_open_orders, exposure), OKX_ALGO_UNREAD, OKX_IDS),
    Read("order", "/api/v5/trade/order", okx_data, order("ordId", "limit"), (fetch_limit,), OKX_ORDER_UNREAD, OKX_IDS),
    Read("algo order", "/api/v5/trade/order-algo", okx_data, order("algoId", "stop"), (fetch_stop,), OKX_ALGO_UNREAD,
         OKX_IDS),
    Read("mode", "/api/v5/account/config", okx_data, lambda row, s: True, (position_mode, mode_check),
         {"*": "the mode read needs posMode and acctLv only"}),
)
OKX_MODE_READ = frozenset({"posMode", "acctLv"})

READS: dict[str, tuple[Read, ...]] = {"binance": BINANCE, "aster": ASTER, "bybit": BYBIT, "okx": OKX}
#: what a read with an "*" entry reads; every other field of its row is unread for the reason given
READ_ONLY = {("bybit", "mode"): BYBIT_MODE_READ, ("okx", "mode"): OKX_MODE_READ}


def test_every_venue_has_its_reads() -> None:
    assert sorted(READS) == sorted(VENUES)


def is_unread(venue: str, read: Read, name: str) -> bool:
    if "*" in read.unread:
        return name not in READ_ONLY[(venue, read.name)]
    return name in read.unread


def numeric(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    if isinstance(value, str) and value:
        try:
            return Decimal(value).is_finite()
        except InvalidOperation:
            return False
    return False


def wrong_values(name: str, value: Any, read: Read) -> list[Any]:
    """The wrong-typed replacements of a field: an object, a list, ``true`` (a string for a boolean)
    and, where a number is expected, a non-numeric string."""
    out: list[Any] = [{"x": 1}, [1], "true" if isinstance(value, bool) else True]
    if numeric(value) and name not in read.text_ids:
        out.append("abc")
    return out


@asynccontextmanager
async def scene(name: str) -> AsyncIterator[Scene]:
    holder: dict[str, Scene] = {}

    async def mangle(request: RecordedRequest, call_next: Handler) -> WireResponse:
        answer = await call_next(request)
        s = holder.get("scene")
        if s is None or s.read is None or request.method != "GET" or request.path != s.read.path:
            return answer
        if s.body is not None:
            s.hits += 1
            return WireResponse(200, s.body(answer.body), answer.content_type, answer.headers)
        if s.change is None:
            return answer
        data = json.loads(answer.body)
        for row in s.read.rows(data):
            if s.read.pick(row, s):
                s.change(row)
                s.hits += 1
        return WireResponse(answer.status, json.dumps(data), answer.content_type, answer.headers)

    async with SimulatedVenue(name, mark_prices={BTC: Decimal("60000")}) as venue:
        venue.add_middleware(mangle)
        policy = RetryPolicy(attempts=2, backoff_initial=0.0005, backoff_cap=0.001, retry_after_cap=0.001)
        async with hedgekit.connect(name, base_url=venue.base_url, retry=policy, rate_limit=False,
                                    **venue.credentials) as hk:
            await hk.set_position_mode(PositionMode.HEDGE, BTC)
            await hk.open_long(BTC, Decimal("0.01"))
            await hk.open_short(BTC, Decimal("0.01"))
            limit = await hk.open_short(BTC, Decimal("0.01"), price=Decimal("70000"))
            stop = await hk.stop_market(BTC, PositionSide.LONG, Decimal("50000"))
            s = holder["scene"] = Scene(hk, venue, limit.order_id, stop.order_id)
            yield s


def real_row(s: Scene, read: Read) -> list[dict[str, Any]]:
    """Records the row under test as the simulator writes it, when the next call reads it."""
    seen: list[dict[str, Any]] = []
    s.read, s.change = read, lambda row: seen.append(copy.deepcopy(row))
    return seen


async def outcome(s: Scene, call: Call) -> BaseException | None:
    s.hits = 0
    try:
        await call(s)
    except Exception as exc:
        return exc
    finally:
        assert s.hits, "the middleware did not reach the row under test"
    return None


def remover(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda row: row.pop(key, None) and None


CASES = [(venue, read.name) for venue in sorted(READS) for read in READS[venue]]


def read_of(venue: str, name: str) -> Read:
    return next(r for r in READS[venue] if r.name == name)


@pytest.mark.parametrize("venue, name", CASES)
async def test_every_field_is_read_strictly_or_declared_unread(venue: str, name: str) -> None:
    read = read_of(venue, name)
    async with scene(venue) as s:
        seen = real_row(s, read)
        await read.calls[0](s)  # the real answer, untouched
        assert seen, f"{venue} {name}: no row to mangle in the simulator's answer"
        row = seen[0]
        silent: list[str] = []
        for key, value in row.items():
            if is_unread(venue, read, key):
                s.change = remover(key)
                for call in read.calls:
                    exc = await outcome(s, call)
                    assert exc is None, f"{venue} {name}: without the unread field {key!r}, {call.__name__} failed: {exc!r}"
                continue
            for bad in (MISSING, *wrong_values(key, value, read)):
                def change(r: dict[str, Any], k: str = key, b: Any = bad) -> None:
                    if b is MISSING:
                        r.pop(k, None)
                    else:
                        r[k] = b
                s.change = change
                for call in read.calls:
                    exc = await outcome(s, call)
                    if not isinstance(exc, MalformedResponse):
                        shown = "removed" if bad is MISSING else f"= {bad!r}"
                        silent.append(f"{key} {shown}: {call.__name__} -> {exc!r}")
        assert not silent, f"{venue} {name}: read without a MalformedResponse:\n" + "\n".join(silent)


def html(body: str) -> str:
    return "<html><body><h1>502 Bad Gateway</h1></body></html>"


def truncated(body: str) -> str:
    return body[: len(body) // 2]


def empty(body: str) -> str:
    return ""


@pytest.mark.parametrize("venue, name", CASES)
@pytest.mark.parametrize("spoil", [html, truncated, empty])
async def test_a_body_that_is_not_json_is_malformed(venue: str, name: str, spoil: Callable[[str], str]) -> None:
    read = read_of(venue, name)
    async with scene(venue) as s:
        s.read, s.body = read, spoil
        for call in read.calls:
            exc = await outcome(s, call)
            assert isinstance(exc, MalformedResponse), f"{venue} {name} {spoil.__name__}: {call.__name__} -> {exc!r}"


@pytest.mark.parametrize("venue", sorted(READS))
async def test_a_row_of_another_symbol_is_malformed(venue: str) -> None:
    """The position answer for BTC holding only another contract's rows is not "BTC is flat"."""
    read = READS[venue][0]
    other = {"binance": "ETHUSDT", "aster": "ETHUSDT", "bybit": "ETHUSDT", "okx": "ETH-USDT-SWAP"}[venue]
    key = "instId" if venue == "okx" else "symbol"
    async with scene(venue) as s:
        s.read = read
        s.change = lambda row: row.__setitem__(key, other)
        assert isinstance(await outcome(s, legs), MalformedResponse)

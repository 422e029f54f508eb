"""OKX's margin rules per position (issue 13, item 4).

* set-leverage refuses an isolated change while isolated orders are pending with 59101 "Leverage
  can't be modified. Please cancel all pending isolated margin orders before adjusting the
  leverage." (error_code.md, account class);
* margin-balance answers the "Real leverage after the margin adjustment" (trading_account.md,
  Increase/decrease margin): the notional at the mark over the isolated margin;
* the margin mode belongs to the position (``mgnMode`` per positions row, chosen by each order's
  ``tdMode``): a cross long and an isolated short on one instrument at once.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from hedgekit import ExchangeError, HedgeClient, MarginMode, PositionMode, PositionSide
from hedgekit.testing import SimulatedVenue
from hedgekit.testing import engine_types as E

from .conftest import BTC, last_body
from .test_okx_simulator import Raw, raw  # noqa: F401 (the fixture)

INST = "BTC-USDT-SWAP"
LEVERAGE_BLOCKED = ("59101", "Leverage can't be modified. Please cancel all pending isolated margin orders before "
                             "adjusting the leverage.")


async def _ok(raw: Raw, method: str, path: str, body: Any = None) -> list[dict[str, Any]]:
    status, answer = await raw.send(method, path, body)
    assert status == 200 and answer["code"] == "0", answer
    rows = answer["data"]
    assert isinstance(rows, list)
    return rows


async def _hedge(raw: Raw) -> None:
    await _ok(raw, "POST", "/api/v5/account/set-position-mode", {"posMode": "long_short_mode"})


async def _lever(raw: Raw, lever: str, mgn_mode: str, pos_side: str | None = None) -> tuple[str, str]:
    body = {"instId": INST, "lever": lever, "mgnMode": mgn_mode}
    if pos_side is not None:
        body["posSide"] = pos_side
    _, answer = await raw.send("POST", "/api/v5/account/set-leverage", body)
    return answer["code"], answer["msg"]


async def _order(raw: Raw, td_mode: str, side: str, pos_side: str, sz: str = "1", px: str | None = None) -> str:
    body = {"instId": INST, "tdMode": td_mode, "side": side, "posSide": pos_side, "sz": sz,
            "ordType": "market" if px is None else "limit"}
    if px is not None:
        body["px"] = px
    _, answer = await raw.send("POST", "/api/v5/trade/order", body)
    row = answer["data"][0]
    assert isinstance(row, dict)
    return f'{row["sCode"]} {row["ordId"] or row["sMsg"]}'


async def _positions(raw: Raw) -> dict[str, dict[str, Any]]:
    rows = await _ok(raw, "GET", f"/api/v5/account/positions?instId={INST}")
    return {row["posSide"]: row for row in rows}


# ----------------------------------------------------------------------- 59101


async def test_isolated_leverage_change_with_pending_isolated_orders_is_refused(raw: Raw) -> None:
    await _hedge(raw)
    assert await _lever(raw, "10", "isolated", "long") == ("0", "")
    placed = await _order(raw, "isolated", "buy", "long", px="50000")
    assert placed.startswith("0 ")
    assert await _lever(raw, "5", "isolated", "long") == LEVERAGE_BLOCKED
    assert await _lever(raw, "10", "isolated", "long") == ("0", "")  # the leverage it has: nothing to modify
    assert await _lever(raw, "5", "isolated", "short") == ("0", "")  # the other posSide has no pending order
    assert await _lever(raw, "7", "cross") == ("0", "")  # cross leverage is not held by isolated orders
    info = await _ok(raw, "GET", f"/api/v5/account/leverage-info?instId={INST}&mgnMode=isolated")
    assert {row["posSide"]: row["lever"] for row in info} == {"long": "10", "short": "5"}
    await _ok(raw, "POST", "/api/v5/trade/cancel-order", {"instId": INST, "ordId": placed.split()[1]})
    assert await _lever(raw, "5", "isolated", "long") == ("0", "")


async def test_net_mode_isolated_change_with_a_pending_isolated_order_is_refused(raw: Raw) -> None:
    body = {"instId": INST, "tdMode": "isolated", "side": "sell", "sz": "1", "ordType": "limit", "px": "70000"}
    _, placed = await raw.send("POST", "/api/v5/trade/order", body)
    assert placed["data"][0]["sCode"] == "0"
    assert await _lever(raw, "3", "isolated") == LEVERAGE_BLOCKED


async def test_cross_orders_do_not_block_an_isolated_change(raw: Raw) -> None:
    await _hedge(raw)
    assert (await _order(raw, "cross", "buy", "long", px="50000")).startswith("0 ")
    assert await _lever(raw, "4", "isolated", "long") == ("0", "")


async def test_hedgekit_set_leverage_reports_59101(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.set_position_mode(PositionMode.HEDGE)
    await hk.set_margin_mode(BTC, MarginMode.ISOLATED)
    await hk.open_long(BTC, Decimal("0.01"), price=Decimal("50000"))
    with pytest.raises(ExchangeError) as caught:
        await hk.set_leverage(BTC, 3, PositionSide.LONG)
    assert (caught.value.code, caught.value.venue_message) == LEVERAGE_BLOCKED
    assert venue.engine.leverage(BTC, E.PositionSide.LONG) == 20  # unchanged
    assert (await hk.set_leverage(BTC, 3, PositionSide.SHORT)).short == 3


# ----------------------------------------------------------------------- margin-balance


async def test_margin_balance_answers_the_real_leverage(raw: Raw) -> None:
    await _hedge(raw)
    assert await _lever(raw, "10", "isolated", "long") == ("0", "")
    assert (await _order(raw, "isolated", "buy", "long", sz="2")).startswith("0 ")  # 0.02 BTC, 1200 USDT
    assert (await _positions(raw))["long"]["margin"] == "120"
    (added,) = await _ok(raw, "POST", "/api/v5/account/position/margin-balance",
                         {"instId": INST, "posSide": "long", "type": "add", "amt": "120"})
    assert added == {"amt": "120", "ccy": "USDT", "instId": INST, "leverage": "5", "posSide": "long", "type": "add"}
    (reduced,) = await _ok(raw, "POST", "/api/v5/account/position/margin-balance",
                           {"instId": INST, "posSide": "long", "type": "reduce", "amt": "50"})
    assert reduced["leverage"] == "6.32"  # 1200 / 190, two decimals
    assert (await _positions(raw))["long"]["margin"] == "190"


async def test_margin_balance_refuses_a_cross_leg(raw: Raw) -> None:
    await _hedge(raw)
    assert (await _order(raw, "cross", "buy", "long")).startswith("0 ")
    _, answer = await raw.send("POST", "/api/v5/account/position/margin-balance",
                               {"instId": INST, "posSide": "long", "type": "add", "amt": "10"})
    assert answer["code"] == "59300"


# ----------------------------------------------------------------------- cross and isolated side by side


async def test_a_cross_long_and_an_isolated_short_on_one_instrument(raw: Raw, venue: SimulatedVenue) -> None:
    await _hedge(raw)
    assert await _lever(raw, "10", "cross") == ("0", "")
    assert await _lever(raw, "4", "isolated", "short") == ("0", "")
    assert (await _order(raw, "cross", "buy", "long", sz="3")).startswith("0 ")
    assert (await _order(raw, "isolated", "sell", "short", sz="2")).startswith("0 ")
    rows = await _positions(raw)
    long, short = rows["long"], rows["short"]
    assert (long["mgnMode"], long["lever"], long["pos"], long["margin"], long["imr"]) == ("cross", "10", "3", "", "180")
    assert (short["mgnMode"], short["lever"], short["pos"], short["margin"], short["imr"]) == (
        "isolated", "4", "2", "300", "")
    (account,) = await _ok(raw, "GET", "/api/v5/account/balance")
    assert account["isoEq"] == "300"  # the isolated short only
    assert (account["details"][0]["availBal"]) == str(10000 - 300 - 180)  # the cross wallet less the cross IM
    # each leg closes in its own margin mode; the other mode has nothing to close
    refused = await _order(raw, "isolated", "sell", "long", sz="1")
    assert refused.startswith("51169 ")
    assert (await _order(raw, "cross", "sell", "long", sz="1")).startswith("0 ")
    assert (await _order(raw, "isolated", "buy", "short", sz="1")).startswith("0 ")
    rows = await _positions(raw)
    assert (rows["long"]["pos"], rows["short"]["pos"], rows["short"]["margin"]) == ("2", "1", "150")
    # simulator limit: one margin mode per leg (OKX would open a second, isolated long)
    assert (await _order(raw, "isolated", "buy", "long", sz="1")).startswith("51000 ")
    _, closed = await raw.send("POST", "/api/v5/trade/close-position",
                               {"instId": INST, "mgnMode": "isolated", "posSide": "short"})
    assert closed["code"] == "0"
    assert set(await _positions(raw)) == {"long"}
    assert venue.engine.leg(BTC, E.PositionSide.LONG).margin_type is E.MarginType.CROSSED


async def test_liquidating_the_isolated_leg_leaves_the_cross_leg(raw: Raw, venue: SimulatedVenue) -> None:
    await _hedge(raw)
    assert await _lever(raw, "50", "isolated", "short") == ("0", "")
    assert (await _order(raw, "cross", "buy", "long")).startswith("0 ")
    assert (await _order(raw, "isolated", "sell", "short")).startswith("0 ")
    liq = Decimal((await _positions(raw))["short"]["liqPx"])
    assert Decimal("60000") < liq < Decimal("61200")  # 2% isolated margin, less the maintenance margin
    venue.engine.set_mark_price(BTC, liq + 1)
    rows = await _positions(raw)
    assert set(rows) == {"long"} and rows["long"]["mgnMode"] == "cross"


async def test_hedgekit_holds_a_cross_long_and_an_isolated_short(hk: HedgeClient, venue: SimulatedVenue) -> None:
    await hk.set_position_mode(PositionMode.HEDGE)
    await hk.set_margin_mode(BTC, MarginMode.CROSS)
    await hk.open_long(BTC, Decimal("0.03"))
    assert last_body(venue, "trade/order")["tdMode"] == "cross"
    await hk.set_margin_mode(BTC, MarginMode.ISOLATED)
    await hk.open_short(BTC, Decimal("0.02"))
    assert last_body(venue, "trade/order")["tdMode"] == "isolated"
    pair = await hk.legs(BTC)
    assert (pair.long.size, pair.long.margin_mode) == (Decimal("0.03"), MarginMode.CROSS)
    assert (pair.short.size, pair.short.margin_mode, pair.short.margin) == (
        Decimal("0.02"), MarginMode.ISOLATED, Decimal("60"))
    after = await hk.adjust_margin(BTC, PositionSide.SHORT, Decimal("40"))
    assert after.margin == Decimal("100")
    assert last_body(venue, "account/position/margin-balance")["posSide"] == "short"
    await hk.close_long(BTC, Decimal("0.01"))  # the long is cross, whatever was chosen since
    assert last_body(venue, "trade/order")["tdMode"] == "cross"
    await hk.close_short(BTC, Decimal("0.01"))
    assert last_body(venue, "trade/order")["tdMode"] == "isolated"
    pair = await hk.legs(BTC)
    assert (pair.long.size, pair.short.size) == (Decimal("0.02"), Decimal("0.01"))

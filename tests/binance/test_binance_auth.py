"""Binance request signing: hedgekit's HMAC signer builds exactly the request ccxt's would."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import hedgekit
from hedgekit.ccxt_loader import exchange_class
from hedgekit_binance import adapter as binance_adapter
from hedgekit.signing import HmacSha256
from hedgekit_binance.auth import install_hmac_signer, signed_query

KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
NOW = 1_700_000_000_123

#: Sample parameters for every endpoint the adapter calls, in the shapes the adapter sends.
PARAMS: dict[str, dict[str, Any]] = {
    "fapiPublicGetExchangeInfo": {},
    "fapiPublicGetTime": {},
    "fapiPublicGetPremiumIndex": {"symbol": "BTCUSDT"},
    "fapiPrivateGetPositionSideDual": {},
    "fapiPrivatePostPositionSideDual": {"dualSidePosition": "true"},
    "fapiPrivateV3GetPositionRisk": {"symbol": "BTCUSDT"},
    "fapiPrivateGetSymbolConfig": {},
    "fapiPrivateGetOpenOrders": {"symbol": "BTCUSDT"},
    "fapiPrivateGetOpenAlgoOrders": {},
    "fapiPrivatePostOrder": {
        "symbol": "BTCUSDT", "side": "BUY", "positionSide": "LONG", "type": "LIMIT", "quantity": "0.01",
        "newClientOrderId": "hk.a:b/c_d-e", "newOrderRespType": "RESULT", "price": "59000.1",
        "timeInForce": "GTC",
    },
    "fapiPrivatePostAlgoOrder": {
        "algoType": "CONDITIONAL", "symbol": "BTCUSDT", "side": "SELL", "positionSide": "LONG",
        "type": "STOP_MARKET", "clientAlgoId": "hk1", "workingType": "MARK_PRICE", "closePosition": "true",
        "triggerPrice": "58000",
    },
    "fapiPrivateGetOrder": {"symbol": "BTCUSDT", "origClientOrderId": "hk1"},
    "fapiPrivateGetAlgoOrder": {"symbol": "BTCUSDT", "algoId": "42"},
    "fapiPrivateDeleteOrder": {"symbol": "BTCUSDT", "orderId": "7"},
    "fapiPrivateDeleteAlgoOrder": {"symbol": "BTCUSDT", "clientAlgoId": "hk 2"},
    "fapiPrivatePostPositionMargin": {"symbol": "BTCUSDT", "positionSide": "SHORT", "amount": "25", "type": "1"},
    "fapiPrivatePostLeverage": {"symbol": "BTCUSDT", "leverage": "20"},
    "fapiPrivatePostMarginType": {"symbol": "BTCUSDT", "marginType": "ISOLATED"},
    # account views
    "fapiPublicGetFundingInfo": {},
    "fapiPublicGetFundingRate": {"symbol": "BTCUSDT", "limit": "1000", "startTime": "1700000000000"},
    "fapiPrivateGetIncome": {"symbol": "BTCUSDT", "incomeType": "FUNDING_FEE", "limit": "1000"},
    "fapiPrivateGetUserTrades": {"symbol": "BTCUSDT", "limit": "1000", "startTime": "1700000000000",
                                 "endTime": "1700604799999"},
    "fapiPrivateV3GetAccount": {},
    "fapiPrivatePutOrder": {"symbol": "BTCUSDT", "orderId": "7", "quantity": "0.02", "price": "51000", "side": "BUY"},
    # COIN-M reads of the mode-change check
    "dapiPrivateGetPositionRisk": {},
    "dapiPrivateGetOpenOrders": {},
    "dapiPrivateGetOpenAlgoOrders": {},
}


def test_every_endpoint_the_adapter_calls_has_a_sample() -> None:
    source = Path(binance_adapter.__file__).read_text()
    called = set(re.findall(r'"([fd]api(?:Public|Private)\w*(?:Get|Post|Put|Delete)\w+)"', source))
    assert called and called <= set(PARAMS), sorted(called - set(PARAMS))


def _exchange(ours: bool) -> Any:
    exchange = exchange_class("binanceusdm")({
        "apiKey": KEY, "secret": SECRET, "options": {"recvWindow": 5000, "timeDifference": 250},
    })
    exchange.milliseconds = lambda: NOW
    sent: list[tuple[str, str, Any, Any]] = []

    async def fetch(url: str, method: str = "GET", headers: Any = None, body: Any = None) -> Any:
        sent.append((url, method, headers, body))
        return {}

    exchange.fetch = fetch
    exchange.sent = sent
    if ours:
        install_hmac_signer(exchange)
    return exchange


@pytest.mark.parametrize("method", sorted(PARAMS))
async def test_same_request_as_ccxt(method: str) -> None:
    ours, theirs = _exchange(True), _exchange(False)
    try:
        await getattr(ours, method)(dict(PARAMS[method]))
        await getattr(theirs, method)(dict(PARAMS[method]))
        assert ours.sent == theirs.sent
        url, _, headers, body = ours.sent[0]
        if "Private" in method:
            assert headers["X-MBX-APIKEY"] == KEY
            signed = body if body is not None else url.split("?", 1)[1]
            assert f"timestamp={NOW - 250}" in signed and "recvWindow=5000" in signed
    finally:
        await ours.close()
        await theirs.close()


def test_signature_matches_the_documented_example() -> None:
    # Binance's SIGNED endpoint example (binance-connector-python authentication.md, HMAC)
    query = ("symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000"
             "&timestamp=1499827319559")
    assert HmacSha256(SECRET.encode()).hexdigest(query.encode()) == "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"


def test_signed_query_orders_and_encodes_like_ccxt() -> None:
    text = signed_query(HmacSha256(b"k"), {"b": True, "a": "x y/z", "recvWindow": 100, "timestamp": 1}, 99, 5000)
    query, _, sig = text.rpartition("&signature=")
    assert query == "timestamp=99&b=true&a=x%20y%2Fz&recvWindow=100"
    assert sig == HmacSha256(b"k").hexdigest(query.encode())


async def test_pem_keys_keep_ccxt_signing() -> None:
    exchange = _exchange(True)
    exchange.secret = "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----"
    signed: list[Any] = []
    exchange.eddsa = lambda message, secret, algorithm: signed.append(message) or "ed25519-signature"
    try:
        await exchange.fapiPrivateGetPositionSideDual({})
        assert signed and exchange.sent[0][0].endswith("&signature=ed25519-signature")
    finally:
        await exchange.close()


async def test_a_users_own_exchange_keeps_its_signing() -> None:
    exchange = exchange_class("binanceusdm")({"apiKey": KEY, "secret": SECRET})
    ccxt_sign = exchange.sign
    client = hedgekit.connect("binance", exchange=exchange)
    try:
        made = client.adapter._make_exchange()  # type: ignore[attr-defined]
        assert made is exchange and made.sign == ccxt_sign
    finally:
        await exchange.close()


async def test_missing_key_is_an_authentication_error_before_sending() -> None:
    exchange = _exchange(True)
    exchange.apiKey = ""
    try:
        with pytest.raises(hedgekit.AuthenticationError):
            await exchange.fapiPrivateGetPositionSideDual({})
        assert exchange.sent == []
    finally:
        await exchange.close()

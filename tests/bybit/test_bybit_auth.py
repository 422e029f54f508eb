"""Bybit request signing: hedgekit's HMAC signer builds exactly the request ccxt's would."""

from __future__ import annotations

import hashlib
import hmac
import re
import types
from pathlib import Path
from typing import Any

import pytest

import hedgekit
from hedgekit.ccxt_loader import exchange_class
from hedgekit_bybit import adapter as bybit_adapter
from hedgekit_bybit.auth import install_hmac_signer, plain_text, query_string, signature

KEY = "XXXXXXXXXXXXXXXXXX"
SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3U"
NOW = 1_700_000_000_123
CURSOR = "0%3A1657711949945%2C0%3A1657711949945"  # Bybit's nextPageCursor: already percent-encoded

#: Sample parameters for every endpoint the adapter calls, in the shapes the adapter sends.
PARAMS: dict[str, dict[str, Any]] = {
    "publicGetV5MarketInstrumentsInfo": {"category": "linear", "limit": "1000"},
    "publicGetV5MarketTime": {},
    "publicGetV5MarketTickers": {"category": "linear", "symbol": "BTCUSDT"},
    # account views
    "privateGetV5AccountTransactionLog": {"accountType": "UNIFIED", "category": "linear", "type": "SETTLEMENT",
                                          "currency": "USDT", "baseCoin": "BTC", "limit": "50",
                                          "startTime": "1700000000000", "endTime": "1700604799999"},
    "privateGetV5ExecutionList": {"category": "linear", "symbol": "BTCUSDT", "execType": "Trade", "limit": "100"},
    "privateGetV5AccountWalletBalance": {"accountType": "UNIFIED", "coin": "USDT"},
    "privatePostV5OrderAmend": {"category": "linear", "symbol": "BTCUSDT", "orderId": "1321003749386327552",
                                "qty": "0.02", "price": "51000"},
    "privatePostV5PositionSwitchMode": {"category": "linear", "symbol": "BTCUSDT", "mode": 3},
    "privateGetV5PositionList": {"category": "linear", "limit": "200", "symbol": "BTCUSDT"},
    "privateGetV5AccountInfo": {},
    "privateGetV5OrderRealtime": {"category": "linear", "limit": "50", "settleCoin": "USDT", "cursor": CURSOR},
    "privatePostV5OrderCreate": {
        "category": "linear", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Limit", "qty": "0.01",
        "positionIdx": 1, "orderLinkId": "hk.a:b/c_d-e", "price": "59000.1", "timeInForce": "GTC",
        "reduceOnly": True,
    },
    "privateGetV5OrderHistory": {"category": "linear", "symbol": "BTCUSDT", "orderLinkId": "hk-2_a"},
    "privatePostV5OrderCancel": {"category": "linear", "symbol": "BTCUSDT", "orderId": "1321003749386327552"},
    "privatePostV5PositionAddMargin": {"category": "linear", "symbol": "BTCUSDT", "margin": "-10.5", "positionIdx": 2},
    "privatePostV5PositionSetLeverage": {"category": "linear", "symbol": "BTCUSDT", "buyLeverage": "10",
                                         "sellLeverage": "20"},
    "privatePostV5AccountSetMarginMode": {"setMarginMode": "ISOLATED_MARGIN"},
    "privatePostV5PositionTradingStop": {"category": "linear", "symbol": "BTCUSDT", "tpslMode": "Full",
                                         "positionIdx": 1, "trailingStop": "50", "activePrice": "60000"},
}

#: More shapes: the other ones the adapter sends, and values it does not send (nested, non-ASCII,
#: characters a url would quote), to show the encoding is ccxt's and not merely alike.
VARIANTS: list[tuple[str, dict[str, Any]]] = [
    ("privatePostV5PositionSwitchMode", {"category": "linear", "coin": "USDT", "mode": 0}),
    ("privatePostV5OrderCreate", {
        "category": "linear", "symbol": "BTCUSDT", "side": "Sell", "orderType": "Market", "qty": "0",
        "positionIdx": 1, "orderLinkId": "hk3", "triggerPrice": "58000", "triggerDirection": 2,
        "triggerBy": "MarkPrice", "reduceOnly": True, "closeOnTrigger": True,
    }),
    ("privatePostV5PositionTradingStop", {"category": "linear", "symbol": "BTCUSDT", "tpslMode": "Full",
                                          "positionIdx": 2, "trailingStop": "0"}),
    ("privateGetV5PositionList", {"category": "linear", "limit": "200", "settleCoin": "USDT", "cursor": CURSOR}),
    ("publicGetV5MarketInstrumentsInfo", {"category": "linear", "limit": "1000", "cursor": CURSOR}),
    ("privateGetV5OrderHistory", {"category": "linear", "b": True, "a": False, "n": 7, "f": 0.5,
                                  "orderLinkId": "x-y_z.k~v"}),
    ("privatePostV5OrderCreate", {"category": "linear", "orderLinkId": "€ ünï", "flag": False, "n": 1.25,
                                  "list": [1, "a", {"b": None}], "nested": {"x": [True]}}),
    ("privatePostV5OrderCancel", {}),
]

CASES = [(name, params) for name, params in PARAMS.items()] + VARIANTS


def test_every_endpoint_the_adapter_calls_has_a_sample() -> None:
    called: set[str] = set()
    for source in Path(bybit_adapter.__file__).parent.glob("*.py"):
        if not source.name.startswith("simulator"):
            called |= set(re.findall(r'"((?:public|private)(?:Get|Post|Put|Delete)\w+)"', source.read_text()))
    assert called and called <= set(PARAMS), sorted(called - set(PARAMS))


def _exchange(ours: bool, **options: Any) -> Any:
    exchange = exchange_class("bybit")({
        "apiKey": KEY, "secret": SECRET, "enableRateLimit": False, "timeout_on_exit": 0,  # no session to wait for
        "options": {"recvWindow": 5000, "timeDifference": 250, **options},
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


@pytest.mark.parametrize(("method", "params"), CASES, ids=[f"{name}-{i}" for i, (name, _) in enumerate(CASES)])
async def test_same_request_as_ccxt(method: str, params: dict[str, Any]) -> None:
    ours, theirs = _exchange(True), _exchange(False)
    try:
        await getattr(ours, method)(dict(params))
        await getattr(theirs, method)(dict(params))
        assert ours.sent == theirs.sent
        assert [list(h or ()) for _, _, h, _ in ours.sent] == [list(h or ()) for _, _, h, _ in theirs.sent]  # order too
        url, verb, headers, body = ours.sent[0]
        if method.startswith("private"):
            assert headers["X-BAPI-API-KEY"] == KEY and headers["X-BAPI-RECV-WINDOW"] == "5000"
            assert headers["X-BAPI-TIMESTAMP"] == str(NOW - 250)
            payload = body if verb == "POST" else url.split("?", 1)[1]
            text = plain_text(str(NOW - 250), KEY, "5000", payload)
            assert headers["X-BAPI-SIGN"] == signature(SECRET.encode(), text)
    finally:
        await ours.close()
        await theirs.close()


@pytest.mark.parametrize("options", [
    {"brokerId": "HEDGEKIT"}, {"brokerId": ""}, {"brokerId": 42}, {"brokerId": None},
    {"timeDifference": "-12.7"}, {"timeDifference": None}, {"recvWindow": 20000},
], ids=str)
async def test_same_request_as_ccxt_under_other_options(options: dict[str, Any]) -> None:
    ours, theirs = _exchange(True, **options), _exchange(False, **options)
    try:
        for method in ("privatePostV5OrderCreate", "privateGetV5PositionList"):
            await getattr(ours, method)(dict(PARAMS[method]))
            await getattr(theirs, method)(dict(PARAMS[method]))
        assert ours.sent == theirs.sent
    finally:
        await ours.close()
        await theirs.close()


@pytest.mark.parametrize("settings", [
    {}, {"testnet": True}, {"options": {"demo": True}}, {"base_url": "http://127.0.0.1:8123"},
], ids=str)
async def test_same_request_as_ccxt_on_every_host(settings: dict[str, Any]) -> None:
    client = hedgekit.connect("bybit", api_key=KEY, secret=SECRET, rate_limit=False, **settings)
    exchange = client.adapter._make_exchange()  # type: ignore[attr-defined]
    exchange.milliseconds = lambda: NOW
    exchange.timeout_on_exit = 0
    sent: list[tuple[str, str, Any, Any]] = []

    async def fetch(url: str, method: str = "GET", headers: Any = None, body: Any = None) -> Any:
        sent.append((url, method, headers, body))
        return {}

    exchange.fetch = fetch
    try:
        assert "sign" in vars(exchange)  # hedgekit made it: hedgekit signs
        for method, params in CASES:
            await getattr(exchange, method)(dict(params))
        ours = list(sent)
        del exchange.sign  # ccxt's own again
        sent.clear()
        for method, params in CASES:
            await getattr(exchange, method)(dict(params))
        assert ours == sent
        assert all(url.startswith(settings.get("base_url", "https://api")) for url, _, _, _ in sent)
    finally:
        await exchange.close()


@pytest.mark.parametrize(("path", "api", "verb"), [
    ("contract/v3/private/position/list", ["private"], "GET"),  # ccxt adds X-BAPI-SIGN-TYPE
    ("unified/v3/private/order/create", ["private"], "POST"),
    ("v5/openapi/x", ["private"], "POST"),  # ccxt's openapi branch: no receive window
    ("v2/private/order", ["private"], "GET"),  # ccxt's legacy branch: a sign parameter
    ("v5/market/time", ["public"], "POST"),
    ("v5/market/time", "public", "GET"),
])
async def test_other_requests_keep_ccxts_signing(path: str, api: Any, verb: str) -> None:
    exchange = _exchange(True)

    def outcome(sign: Any) -> Any:
        try:
            return sign(path, api, verb, {"category": "linear", "b": True})
        except Exception as exc:  # what ccxt raises, ours must raise too
            return type(exc)

    try:
        assert outcome(exchange.sign) == outcome(types.MethodType(type(exchange).sign, exchange))
    finally:
        await exchange.close()


def test_signature_matches_the_documented_example() -> None:
    # Bybit v5 guide.mdx, "Create A Request", GET: the plain text for timestamp 1658384314791, key
    # XXXXXXXXXX, recv_window 5000 and category=option&symbol=BTC-29JUL22-25000-C. The page names no
    # secret for the signature it shows, so the HMAC is checked against the standard library instead.
    query = query_string({"category": "option", "symbol": "BTC-29JUL22-25000-C"})
    text = plain_text("1658384314791", "XXXXXXXXXX", "5000", query)
    assert text == "1658384314791XXXXXXXXXX5000category=option&symbol=BTC-29JUL22-25000-C"
    assert signature(b"s3cr3t", text) == hmac.new(b"s3cr3t", text.encode(), hashlib.sha256).hexdigest()


def test_query_string_is_ccxts_rawencode_for_plain_values() -> None:
    assert query_string({"b": True, "a": "x-y_z.k~v", "n": 3, "f": 0.1}) == "b=true&a=x-y_z.k~v&n=3&f=0.1"
    assert query_string({}) == ""


def test_query_string_percent_encodes_every_other_value() -> None:
    # ccxt's rawencode would send these raw: "1&symbol=ETHUSDT" as two parameters, a space or CR/LF
    # breaking the request line; every value reaches Bybit as one parameter, as sent
    assert query_string({"orderId": "1&symbol=ETHUSDT&x=1"}) == "orderId=1%26symbol%3DETHUSDT%26x%3D1"
    assert query_string({"orderLinkId": "a b\r\nc"}) == "orderLinkId=a%20b%0D%0Ac"
    assert query_string({"orderLinkId": "x y/z&k=v%20€+"}) == "orderLinkId=x%20y%2Fz%26k%3Dv%2520%E2%82%AC%2B"


async def test_a_pem_secret_goes_to_ccxt() -> None:
    exchange = _exchange(True)
    exchange.secret = "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----"
    calls: list[str] = []
    exchange.rsa = lambda text, secret, algorithm: calls.append(text) or "rsa-signature"
    try:
        await exchange.privateGetV5AccountInfo({})
        assert calls and exchange.sent[0][2]["X-BAPI-SIGN"] == "rsa-signature"
    finally:
        await exchange.close()


async def test_a_users_own_exchange_keeps_its_signing() -> None:
    exchange = exchange_class("bybit")({"apiKey": KEY, "secret": SECRET})
    ccxt_sign = exchange.sign
    client = hedgekit.connect("bybit", exchange=exchange)
    try:
        made = client.adapter._make_exchange()  # type: ignore[attr-defined]
        assert made is exchange and made.sign == ccxt_sign and "sign" not in vars(made)
    finally:
        await exchange.close()


async def test_missing_key_is_an_authentication_error_before_sending() -> None:
    exchange = _exchange(True)
    exchange.apiKey = ""
    try:
        with pytest.raises(hedgekit.AuthenticationError):
            await exchange.privateGetV5AccountInfo({})
        with pytest.raises(hedgekit.AuthenticationError):
            await exchange.privatePostV5OrderCreate(dict(PARAMS["privatePostV5OrderCreate"]))
        assert exchange.sent == []
        assert await exchange.publicGetV5MarketTime({}) == {}  # market data needs no key
    finally:
        await exchange.close()

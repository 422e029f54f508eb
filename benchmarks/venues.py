"""Per-venue facts the benchmarks need: the raw-ccxt baseline of each venue and how to aim it.

Each venue hedgekit registers is measured against the ccxt class a user would otherwise pick
(binance: ``binanceusdm``, bybit: ``bybit``, okx: ``okx``, aster: ``aster``), in its **default**
set-up: only the credentials and the hosts are given. A venue without an entry here is still
measured where no ccxt baseline is needed, and reported as "no baseline" elsewhere.

ccxt's default set-up calls endpoints the simulator does not serve (currencies, spot listings, a
builder approval). :data:`CCXT_DEFAULT_STUBS` holds the smallest valid answer to each; the
simulator host serves them only when asked (``stubs on``), after the benchmark has recorded the
request the raw default failed on. Empty answers make ccxt's work *smaller* than against the real
venue (no currencies to parse), so a ratio measured with them favours the baseline.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "BASELINES",
    "CCXT_DEFAULT_STUBS",
    "CcxtBaseline",
    "make_ccxt",
    "make_ccxtpro",
    "point_at",
]


@dataclass(frozen=True)
class CcxtBaseline:
    """How to build and drive the raw ccxt baseline of one venue.

    Attributes:
        ccxt_class: Name of the class in ``ccxt.async_support``.
        order_method: ccxt implicit method that sends one regular order.
        order_path: The path that method hits (checked against what hedgekit sent).
        client_id_param: The order's client-id parameter (a fresh id per order).
        auth_params: Parameters the signer adds; stripped from the recorded request before
            it is handed to ccxt, which adds its own.
    """

    ccxt_class: str
    order_method: str
    order_path: str
    client_id_param: str
    auth_params: frozenset[str] = field(default_factory=frozenset)


BASELINES: dict[str, CcxtBaseline] = {
    "binance": CcxtBaseline(
        "binanceusdm", "fapiPrivatePostOrder", "/fapi/v1/order", "newClientOrderId",
        frozenset({"timestamp", "recvWindow", "signature"}),
    ),
    "aster": CcxtBaseline(
        "aster", "fapiPrivatePostV3Order", "/fapi/v3/order", "newClientOrderId",
        frozenset({"nonce", "user", "signer", "signature", "timestamp", "recvWindow"}),
    ),
    "bybit": CcxtBaseline("bybit", "privatePostV5OrderCreate", "/v5/order/create", "orderLinkId"),
    "okx": CcxtBaseline("okx", "privatePostTradeOrder", "/api/v5/trade/order", "clOrdId"),
}

_OK_BYBIT = {"retCode": 0, "retMsg": "OK", "result": {"rows": []}, "retExtInfo": {}, "time": 0}

#: The smallest valid answer to each request ccxt's default set-up makes that the simulator does
#: not serve (VENUES.md §5, "What load_markets calls"), by venue, then (method, path).
CCXT_DEFAULT_STUBS: dict[str, dict[tuple[str, str], Any]] = {
    "binance": {
        # fetchCurrencies (on by default when keys are set)
        ("GET", "/sapi/v1/capital/config/getall"): [],
        ("GET", "/sapi/v1/margin/allPairs"): [],
    },
    "bybit": {
        # fetchCurrencies
        ("GET", "/v5/asset/coin/query-info"): _OK_BYBIT,
    },
    "okx": {
        # fetchCurrencies
        ("GET", "/api/v5/asset/currencies"): {"code": "0", "msg": "", "data": []},
    },
    "aster": {
        # spot exchangeInfo, called twice (spot markets, then currencies)
        ("GET", "/api/v3/exchangeInfo"): {"timezone": "UTC", "serverTime": 0, "symbols": [], "assets": []},
        # sign_in: ccxt's builder-fee approval (options['builderFee'] defaults to True)
        ("GET", "/fapi/v3/builder"): [],
        ("POST", "/fapi/v3/approveBuilder"): {"code": 200, "msg": "success"},
    },
}

_HOST = re.compile(r"^https?://[^/]+")


def point_at(exchange: Any, base_url: str) -> None:
    """Aim every host of a ccxt exchange at ``base_url``, keeping each URL's path.

    This is VENUES.md §5 "Pointing ccxt at a local base URL", applied to *every* key of
    ``urls['api']`` so that no request of the default set-up can leave the machine.

    Raises:
        RuntimeError: A URL was left pointing elsewhere.
    """

    def rewrite(value: Any) -> Any:
        if isinstance(value, str):
            return _HOST.sub(base_url, value)
        if isinstance(value, Mapping):
            return {k: rewrite(v) for k, v in value.items()}
        return value

    exchange.urls["api"] = rewrite(exchange.urls["api"])
    stray = [v for v in _flatten(exchange.urls["api"]) if not v.startswith(base_url)]
    if stray:
        raise RuntimeError(f"ccxt {exchange.id}: URLs not aimed at the simulator: {stray}")


def _flatten(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [s for v in value.values() for s in _flatten(v)]
    return []


def make_ccxt(
    venue: str, base_url: str, credentials: Mapping[str, str], *, rate_limit: bool | None = None,
    sign_as_api_wallet: bool = False,
) -> Any:
    """A raw ccxt exchange for ``venue`` in its default set-up, aimed at ``base_url``.

    Args:
        venue: hedgekit's venue name.
        base_url: The simulator's ``http://127.0.0.1:<port>``.
        credentials: The simulator's credentials (``api_key``, ``secret``, ``password``).
        rate_limit: ``None`` keeps ccxt's default (on); ``False`` turns the limiter off.
        sign_as_api_wallet: Aster only. ccxt's ``aster`` derives ``user`` from the key it signs
            with, so it can only sign as a main wallet; the simulator's credentials are an API
            wallet (agent) of a main wallet. ``True`` pre-seeds ccxt's own wallet-address cache
            (``options['cachedWalletAddress']``) with the main wallet, so ccxt's signing code
            runs unchanged and produces requests the simulator accepts.

    Raises:
        KeyError: The venue has no ccxt baseline.
    """
    import ccxt.async_support as ccxt_async

    spec = BASELINES[venue]
    config: dict[str, Any] = {}
    if venue == "aster":
        config["privateKey"] = credentials["secret"]
    else:
        config["apiKey"] = credentials.get("api_key")
        config["secret"] = credentials.get("secret")
        if credentials.get("password"):
            config["password"] = credentials["password"]
    if rate_limit is not None:
        config["enableRateLimit"] = rate_limit
    exchange = getattr(ccxt_async, spec.ccxt_class)(config)
    if venue == "aster" and sign_as_api_wallet:
        key = credentials["secret"]
        exchange.options["signerAddress"] = exchange.eth_get_address_from_private_key(key)
        exchange.options["cachedWalletAddress"] = credentials["api_key"]
        exchange.options["privateKeyHashForCachedWalletAddress"] = exchange.hash(
            exchange.encode(key), "keccak", "hex"
        )
    point_at(exchange, base_url)
    return exchange


async def make_ccxtpro(venue: str, base_url: str, credentials: Mapping[str, str]) -> Any:
    """A ``ccxt.pro`` exchange for ``venue`` aimed at the simulator's REST and private websocket, markets loaded.

    The same aiming as ``tests/thirdparty/test_ccxtpro_*.py`` (shared/STREAMS.md, "what ccxt.pro
    dials"): ccxt's own parsing and dialling run unchanged; only hosts are replaced, the limiter is
    off, and the listings the simulator does not serve (currencies, spot and inverse contracts)
    are answered empty before ccxt asks.

    Raises:
        KeyError: ccxt.pro has no class for the venue here.
    """
    import ccxt.pro as ccxtpro

    ws = "ws" + base_url[len("http"):]
    if venue == "binance":
        exchange = ccxtpro.binanceusdm({"apiKey": credentials["api_key"], "secret": credentials["secret"],
                                        "enableRateLimit": False, "options": {"fetchCurrencies": False}})
        api = dict(exchange.urls["api"])
        for key, path in (("fapiPublic", "/fapi/v1"), ("fapiPrivate", "/fapi/v1"), ("fapiPublicV2", "/fapi/v2"),
                          ("fapiPrivateV2", "/fapi/v2"), ("fapiPublicV3", "/fapi/v3"),
                          ("fapiPrivateV3", "/fapi/v3"), ("fapiData", "/futures/data")):
            api[key] = base_url + path
        api["ws"] = dict(api["ws"], linear=ws + "/ws")
        exchange.urls["api"] = api
    elif venue == "bybit":
        exchange = ccxtpro.bybit({
            "apiKey": credentials["api_key"], "secret": credentials["secret"], "enableRateLimit": False,
            "options": {"enableUnifiedAccount": True, "enableUnifiedMargin": False,
                        "fetchMarkets": {"types": ["linear"]}},
        })
        exchange.has["fetchCurrencies"] = False
        api = dict(exchange.urls["api"])
        for key in ("public", "private", "spot", "futures", "v2"):
            api[key] = base_url
        api["ws"] = dict(api["ws"], private=dict(api["ws"]["private"], contract=ws + "/v5/private"))
        exchange.urls["api"] = api
        linear_only = exchange.fetch_positions

        async def fetch_positions(symbols: Any = None, params: Any = None) -> Any:
            if (params or {}).get("subType") == "inverse":
                return []  # the simulator lists linear contracts only
            return await linear_only(symbols, params or {})

        exchange.fetch_positions = fetch_positions
    elif venue == "okx":
        exchange = ccxtpro.okx({"apiKey": credentials["api_key"], "secret": credentials["secret"],
                                "password": credentials["password"], "enableRateLimit": False,
                                "options": {"fetchMarkets": {"types": ["swap"]}}})
        exchange.has["fetchCurrencies"] = False
        exchange.urls["api"] = dict(exchange.urls["api"], rest=base_url, ws=ws + "/ws/v5")
    elif venue == "aster":
        key = credentials["secret"]
        exchange = ccxtpro.aster({"privateKey": key, "enableRateLimit": False,
                                  "options": {"builderFee": False, "defaultType": "swap"}})
        # sign as the simulator's API wallet of its main wallet (see make_ccxt's sign_as_api_wallet)
        exchange.options["signerAddress"] = exchange.eth_get_address_from_private_key(key)
        exchange.options["cachedWalletAddress"] = credentials["api_key"]
        exchange.options["privateKeyHashForCachedWalletAddress"] = exchange.hash(exchange.encode(key), "keccak", "hex")
        api = {**exchange.urls["api"], "fapiPublic": f"{base_url}/fapi", "fapiPrivate": f"{base_url}/fapi"}
        api["ws"] = {**api["ws"], "private": {**api["ws"]["private"], "swap": ws + "/ws"}}
        exchange.urls["api"] = api
        exchange.has["fetchCurrencies"] = False
        # ccxt names the account type after the host ("fstream" in it: swap, else spot), and a
        # loopback host has none: give the spot balance bucket its handle_balance expects
        exchange.balance["spot"] = {}

        async def no_spot(params: Any = None) -> dict[str, Any]:
            return {"symbols": []}  # load_markets also reads the spot listing, another host

        exchange.sapiPublicGetV3ExchangeInfo = no_spot
    else:
        raise KeyError(venue)
    try:
        await exchange.load_markets()
    except BaseException:
        await exchange.close()
        raise
    return exchange


def fresh_client_id(prefix: str = "bk") -> str:
    """A client order id that fits every venue (alphanumeric, 32 characters)."""
    return prefix + secrets.token_hex(15)

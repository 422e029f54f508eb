"""How Binance USDⓈ-M requests are signed with an HMAC key (SIGNED endpoints).

Header ``X-MBX-APIKEY``; ``timestamp`` (milliseconds on the venue's clock) and ``recvWindow`` added
to the parameters; ``signature`` = lowercase hex HMAC-SHA256 of the parameter string with the
secret key. GET and DELETE carry the string in the query; POST and PUT send it as the
``application/x-www-form-urlencoded`` body (binance-connector-python ``authentication.md``;
shared/VENUES.md §2: "signature = hex HMAC-SHA256 of the totalParams").

hedgekit signs these itself instead of going through ccxt's ``binance.sign()``, and ccxt still
sends every request (its ``request``/``fetch2``/``fetch``: throttling, proxies, the reply hook).
The string is the one ccxt builds (same encoding, ``quote`` rather than ``quote_plus``; the tests
compare both on every endpoint the adapter calls). The reason is cost: ccxt's generic signer walks
some forty branches for spot, options, portfolio margin and batch endpoints on every request, about
50 µs of an order's CPU on a cold cache, as much as the whole of hedgekit's own order path. RSA
and Ed25519 keys (a PEM secret) keep ccxt's signer, and so does a ccxt exchange the user passes in.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from typing import Any

from hedgekit.ccxt_bridge import ccxt_urlencode, is_hmac_secret
from hedgekit.errors import missing_credentials
from hedgekit.signing import HmacKeys, HmacSha256

__all__ = ["PRIVATE_APIS", "PUBLIC_APIS", "install_hmac_signer", "signed_query"]

#: ccxt ``urls['api']`` keys of binanceusdm whose endpoints are SIGNED (``dapiPrivate``: the COIN-M
#: reads of the mode-change check; COIN-M signs exactly as USDⓈ-M, CM ``authentication.md``).
PRIVATE_APIS = frozenset({"fapiPrivate", "fapiPrivateV2", "fapiPrivateV3", "dapiPrivate"})
#: Keys whose endpoints take no signature (market data).
PUBLIC_APIS = frozenset({"fapiPublic", "fapiPublicV2", "fapiPublicV3", "fapiData", "dapiPublic"})


def signed_query(key: HmacSha256, params: Mapping[str, Any], timestamp: int, recv_window: int | None) -> str:
    """``timestamp``, ``params`` and ``recvWindow``, url-encoded, then ``&signature=<hex>``.

    The order is ccxt's (``timestamp`` first, ``recvWindow`` last), so the string is the one ccxt
    would sign. A ``recvWindow`` in ``params`` wins over ``recv_window``.
    """
    pairs: dict[str, Any] = {"timestamp": timestamp}
    pairs.update(params)
    pairs.pop("signature", None)
    pairs["timestamp"] = timestamp
    if "recvWindow" not in pairs and recv_window is not None:
        pairs["recvWindow"] = recv_window
    query = ccxt_urlencode(pairs)
    return f"{query}&signature={key.hexdigest(query.encode())}"


def install_hmac_signer(exchange: Any, venue: str = "binance") -> None:
    """Make ``exchange`` (ccxt ``binanceusdm``) sign its USDⓈ-M requests here (this instance only).

    Endpoints outside :data:`PRIVATE_APIS` and :data:`PUBLIC_APIS` keep ccxt's own ``sign``. The
    key, the secret, the receive window (``options['recvWindow']``) and the clock offset
    (``options['timeDifference']``, set by a time resync) are read from the exchange on each
    request, as ccxt reads them.
    """
    ccxt_sign: Callable[..., dict[str, Any]] = exchange.sign
    keys = HmacKeys()

    def sign(self: Any, path: str, api: Any = "public", method: str = "GET", params: Any = None) -> dict[str, Any]:
        api_name = api[0] if isinstance(api, list) else api
        if api_name in PUBLIC_APIS:
            url = f"{self.urls['api'][api_name]}/{path}"
            if params:
                url += "?" + ccxt_urlencode(params)
            return {"url": url, "method": method, "body": None, "headers": None}
        if api_name in PRIVATE_APIS and (not self.apiKey or not self.secret):
            raise missing_credentials(venue)  # before ccxt's own check, which has its own words
        # USER_STREAM (listenKey): the key header and no signature, as ccxt's own sign sends it
        if api_name not in PRIVATE_APIS or path == "listenKey" or not is_hmac_secret(self.secret):
            return ccxt_sign(path, api, method, params if params is not None else {})
        url = f"{self.urls['api'][api_name]}/{path}"
        options = self.options
        timestamp = self.milliseconds() - int(options.get("timeDifference") or 0)
        query = signed_query(keys.of(self.secret), params or {}, timestamp, options.get("recvWindow"))
        signed_headers = {"X-MBX-APIKEY": self.apiKey}
        if method == "GET" or method == "DELETE":
            return {"url": f"{url}?{query}", "method": method, "body": None, "headers": signed_headers}
        signed_headers["Content-Type"] = "application/x-www-form-urlencoded"
        return {"url": url, "method": method, "body": query, "headers": signed_headers}

    exchange.sign = types.MethodType(sign, exchange)

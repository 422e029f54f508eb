"""How Bybit v5 private requests are signed with an HMAC key.

Headers ``X-BAPI-API-KEY``, ``X-BAPI-TIMESTAMP`` (milliseconds on the venue's clock),
``X-BAPI-RECV-WINDOW`` and ``X-BAPI-SIGN`` = lowercase hex HMAC-SHA256, with the secret key, of
``timestamp + apiKey + recvWindow + payload``, where the payload is the query string of a GET or
the JSON body of a POST, exactly as sent (Bybit v5 ``guide.mdx``, "Create A Request"; shared/VENUES.md
§3.7: "The string to sign is timestamp + apiKey + recvWindow + (queryString | jsonBody)").

hedgekit signs these itself instead of going through ccxt's ``bybit.sign()``, and ccxt still sends
every request (its ``request``/``fetch2``/``fetch``: throttling, proxies, the reply hook). The
request is the one ccxt builds (the tests compare both on every endpoint the adapter calls): the
query in the caller's order, booleans as ``true``/``false``, the body written by ccxt's own JSON
writer (compact), ``Content-Type: application/json`` on a GET too, a bare ``?`` after a GET with
no parameters, and a ``Referer`` (``options['brokerId']``, ``CCXT`` by default) on every POST. The reason is cost: ccxt's generic
signer tells apart four generations of Bybit's API (openapi, v3 unified and contract, v5, the
legacy ``sign`` parameter) on every request, about 50 µs of an order's CPU on a cold cache, as much
as the whole of hedgekit's own order path. RSA keys (a PEM secret), urls ccxt does not sign as v5
(without ``v5``, or with ``openapi``, ``unified/v3`` or ``contract/v3``), public POSTs, and a ccxt exchange
the user passes in keep ccxt's signer.

One difference from ccxt, on purpose: ccxt writes a GET query without percent-encoding
(``rawencode``, ``unquote(urlencode(...))``), so a value with ``&`` or ``=`` becomes several
parameters at the venue and one with a space or line break breaks the request line. Here a value of
unreserved characters only (letters, digits, ``-._~``: every symbol, number, side and id the
adapter sends) is written as it is, the same bytes as ccxt's, and any other is percent-encoded
(``quote(value, safe="")``, what ccxt's ``urlencode`` writes), so the venue reads back exactly the
value sent. Bybit signs the query string as sent, so the signature covers the encoded form. The
exception is ``cursor``: Bybit hands ``nextPageCursor`` out already percent-encoded
(``"page_args%3Dfd4300ae-…%26symbol%3D6%26"``, open-order.mdx) to be sent back as it is, and a
well-formed one goes out unchanged (as ccxt sends it); a cursor that is not is encoded like any value.
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

from hedgekit.ccxt_bridge import is_hmac_secret
from hedgekit.errors import missing_credentials
from hedgekit.signing import HmacKeys, HmacSha256

__all__ = ["install_hmac_signer", "plain_text", "query_string", "signature"]


def _text(value: Any) -> str:
    """A value as ccxt's ``rawencode`` writes it: ``unquote(urlencode(...))`` undoes the quoting."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


#: Characters a query value keeps as they are: RFC 3986's unreserved set (what ``quote`` never escapes).
_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*").fullmatch
#: A value that is already percent-encoded: unreserved characters and ``%XX`` escapes only.
_ENCODED = re.compile(r"(?:[A-Za-z0-9_.~-]|%[0-9A-Fa-f]{2})*").fullmatch


def _pair(key: str, value: Any) -> str:
    text = value if value.__class__ is str else _text(value)
    if not _UNRESERVED(text) and not (key == "cursor" and _ENCODED(text)):
        text = quote(text, safe="")
    if not _UNRESERVED(key):
        key = quote(key, safe="")
    return f"{key}={text}"


def query_string(params: Mapping[str, Any]) -> str:
    """``key=value`` pairs joined by ``&``, in the given order; percent-encoded where needed.

    Unreserved text goes as it is (ccxt's ``rawencode`` writes the same bytes), anything else is
    percent-encoded so that it reaches the venue as one value; a well-formed ``cursor`` is already
    encoded and goes unchanged (module docstring).
    """
    return "&".join([_pair(key, value) for key, value in params.items()])


def plain_text(timestamp: str, api_key: str, recv_window: str, payload: str) -> str:
    """The string Bybit signs: ``timestamp + api_key + recv_window + (queryString | jsonBody)``."""
    return f"{timestamp}{api_key}{recv_window}{payload}"


def signature(secret: bytes, text: str) -> str:
    """Lowercase hex HMAC-SHA256 of ``text`` with the secret key."""
    return HmacSha256(secret).hexdigest(text.encode())


def _time_difference(value: Any) -> int:
    """``safe_integer(options, 'timeDifference', 0)``, as ccxt's ``nonce()`` reads it."""
    try:
        return int(float(value))
    except Exception:  # None, or anything ccxt would also read as 0
        return 0


def _referer(options: Mapping[str, Any]) -> str:
    """``safe_string(options, 'brokerId', 'CCXT')``: the ``Referer`` ccxt puts on every POST."""
    broker = options.get("brokerId")
    if broker.__class__ is str and broker:
        return str(broker)
    if broker.__class__ is int or broker.__class__ is float:
        return str(broker)
    return "CCXT"


def install_hmac_signer(exchange: Any, venue: str = "bybit") -> None:
    """Make ``exchange`` (ccxt ``bybit``) sign its v5 requests here (this instance only).

    Private ``v5/`` endpoints with an HMAC secret are signed here and public GETs are built here;
    anything else keeps ccxt's own ``sign``. The key, the secret, the hosts (``urls['api']``,
    ``hostname``), the receive window (``options['recvWindow']``), the clock offset
    (``options['timeDifference']``, set by a time resync) and ``options['brokerId']`` are read from
    the exchange on each request, as ccxt reads them.
    """
    ccxt_sign: Callable[..., dict[str, Any]] = exchange.sign
    keys = HmacKeys()
    dumps = exchange.json  # ccxt's JSON writer (orjson when it is importable): the body ccxt would send

    def sign(self: Any, path: str, api: Any = "public", method: str = "GET", params: Any = None) -> dict[str, Any]:
        if params is None:
            params = {}
        if api.__class__ is not list or not api:
            return ccxt_sign(path, api, method, params)
        api_name = api[0]
        base = self.urls["api"].get(api_name)
        hostname = self.hostname
        if base.__class__ is not str or not base or hostname.__class__ is not str:
            return ccxt_sign(path, api, method, params)
        url = f"{base.replace('{hostname}', hostname)}/{path}"
        if api_name == "public":
            if method != "GET":
                return ccxt_sign(path, api, method, params)
            if params:
                url = f"{url}?{query_string(params)}"
            return {"url": url, "method": method, "body": None, "headers": None}
        secret = self.secret
        api_key = self.apiKey
        if api_name == "private" and (not api_key or not secret):
            raise missing_credentials(venue)  # before ccxt's own check, which has its own words
        if (api_name != "private" or "v5" not in url or not is_hmac_secret(secret)
                or "openapi" in url or "unified/v3" in url or "contract/v3" in url):
            return ccxt_sign(path, api, method, params)
        options = self.options
        difference = options.get("timeDifference")
        if difference.__class__ is not int:
            difference = _time_difference(difference)
        timestamp = str(self.milliseconds() - difference)
        window = str(options["recvWindow"])
        headers = {
            "Content-Type": "application/json",
            "X-BAPI-API-KEY": api_key,
            "X-BAPI-TIMESTAMP": timestamp,
            "X-BAPI-RECV-WINDOW": window,
        }
        body: str | None = None
        if method == "POST":
            payload = body = dumps(params)
        else:
            payload = query_string(params)
            url = f"{url}?{payload}"
        headers["X-BAPI-SIGN"] = keys.of(secret).hexdigest(f"{timestamp}{api_key}{window}{payload}".encode())
        if method == "POST":
            headers["Referer"] = _referer(options)
        return {"url": url, "method": method, "body": body, "headers": headers}

    exchange.sign = types.MethodType(sign, exchange)

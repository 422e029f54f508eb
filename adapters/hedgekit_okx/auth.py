"""How OKX v5 requests are signed (REST authentication, HMAC keys).

Headers ``OK-ACCESS-KEY``, ``OK-ACCESS-PASSPHRASE``, ``OK-ACCESS-TIMESTAMP`` (ISO 8601 UTC with
milliseconds, ``2020-12-08T09:08:57.715Z``, on the venue's clock) and ``OK-ACCESS-SIGN`` = Base64 of
HMAC-SHA256 with the secret key of ``timestamp + METHOD + requestPath + body``, where a GET's
request path carries its ``?query`` and a POST's body is the JSON sent (OKX docs,
#overview-rest-authentication; shared/VENUES.md §4.7). Demo trading adds ``x-simulated-trading: 1``:
ccxt keeps that header in ``exchange.headers`` (``set_sandbox_mode``) and adds it when it sends.

hedgekit signs these itself instead of going through ccxt's ``okx.sign()``, and ccxt still sends
every request (its ``request``/``fetch2``/``fetch``: proxies, the extra headers, the reply hook).
The request is the one ccxt builds: the same url and query encoding (``quote`` rather than
``quote_plus``), the same compact JSON (``exchange.json``), the same headers in the same order (the
tests compare both on every endpoint the adapter calls). The reason is cost: ccxt's generic signer
(``implode_params``, ``omit``, ``extract_params``, ``safe_*`` look-ups, a ``datetime`` for the
timestamp) costs about 15 µs of CPU per request with warm caches (this one about 5 µs) and tens of
µs cold, about as much as the whole of hedgekit's own order path. What ccxt's ``sign`` does besides is left to it: a path with ``{...}``
parameters, a list body for ``trade/order``, ``trade/order-algo`` or ``trade/batch-orders`` (ccxt
adds its broker ``clOrdId`` and ``tag`` to entries without a ``clOrdId``; it adds nothing to a
single order's body), odd credentials or clock offsets. So does a ccxt exchange the user passes in.
"""

from __future__ import annotations

import base64
import time
import types
from collections.abc import Callable, Mapping
from typing import Any

from hedgekit.ccxt_bridge import ccxt_urlencode
from hedgekit.errors import missing_credentials
from hedgekit.signing import HmacKeys, HmacSha256

__all__ = ["BROKER_PATHS", "install_hmac_signer", "iso8601", "signature"]

#: Paths whose POST body ccxt's ``sign`` gives a broker ``clOrdId`` and ``tag`` where one is missing.
BROKER_PATHS = frozenset({"trade/batch-orders", "trade/order-algo", "trade/order"})

#: Timestamps ``iso8601`` writes as ccxt does: from 1970 to the end of year 9999 (ccxt's ``datetime``).
_MAX_MS = 253_402_300_800_000


def signature(secret: bytes, prehash: str) -> str:
    """Base64 HMAC-SHA256 of ``prehash`` (timestamp + METHOD + requestPath + body) with the secret key."""
    return base64.b64encode(HmacSha256(secret).digest(prehash.encode())).decode()


def _second(seconds: int) -> str:
    t = time.gmtime(seconds)
    return f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}"


def iso8601(milliseconds: int) -> str:
    """``2020-12-08T09:08:57.715Z`` for a time in milliseconds since the epoch, as ccxt's ``iso8601``."""
    seconds, ms = divmod(milliseconds, 1000)
    return f"{_second(seconds)}.{ms:03d}Z"


def _missing(value: Any) -> bool:
    """A credential ccxt's ``check_required_credentials`` calls missing."""
    return value is None or value is False or value == ""


def install_hmac_signer(exchange: Any, venue: str = "okx") -> None:
    """Make ``exchange`` (ccxt ``okx``) sign its v5 requests here (this instance only).

    Public endpoints get the url only; private ones the ``OK-ACCESS-*`` headers. The key, the
    secret, the passphrase (``password``), the REST url (``urls['api']['rest']``, ``{hostname}``
    filled in), the API version and the clock offset (``options['timeDifference']``, set by a time
    resync) are read from the exchange on each request, as ccxt reads them. Anything else keeps
    ccxt's own ``sign`` (module docstring).
    """
    ccxt_sign: Callable[..., dict[str, Any]] = exchange.sign
    keys = HmacKeys()
    last_second, last_text = -1, ""  # the last second written: one date format per second, not per request

    def sign(self: Any, path: str, api: Any = "public", method: str = "GET", params: Any = None,
             headers: Any = None, body: Any = None) -> dict[str, Any]:
        nonlocal last_second, last_text
        api_name = api[0] if api.__class__ is list and api else None
        base = self.urls["api"].get("rest")
        hostname = self.hostname
        if (api_name != "private" and api_name != "public") or "{" in path or base.__class__ is not str \
                or not base or hostname.__class__ is not str:
            return ccxt_sign(path, api, method, params if params is not None else {})
        url = base.replace("{hostname}", hostname) if "{" in base else base
        request = f"/api/{self.version}/{path}"
        url += request
        if params is None:
            params = {}
        if api_name == "public":
            if params.__class__ is not dict:
                return ccxt_sign(path, api, method, params)
            if params:
                url += "?" + ccxt_urlencode(params)
            return {"url": url, "method": method, "body": None, "headers": None}
        key, secret, passphrase = self.apiKey, self.secret, self.password
        if _missing(key) or _missing(secret) or _missing(passphrase):
            raise missing_credentials(venue)
        is_list = params.__class__ is list
        offset = self.options.get("timeDifference")
        if key.__class__ is not str or secret.__class__ is not str or passphrase.__class__ is not str \
                or offset.__class__ is not int \
                or (params.__class__ is not dict and not (is_list and method != "GET")) \
                or (is_list and method == "POST" and path in BROKER_PATHS):
            return ccxt_sign(path, api, method, params)
        now = self.milliseconds() - offset
        if now.__class__ is not int or not 0 <= now < _MAX_MS:
            return ccxt_sign(path, api, method, params)
        seconds, ms = divmod(now, 1000)
        if seconds != last_second:
            last_second, last_text = seconds, _second(seconds)
        timestamp = f"{last_text}.{ms:03d}Z"
        signed_headers = {"OK-ACCESS-KEY": key, "OK-ACCESS-PASSPHRASE": passphrase, "OK-ACCESS-TIMESTAMP": timestamp}
        json_body = None
        if method == "GET":
            if params:
                query = "?" + ccxt_urlencode(params)
                url += query
                request += query
            prehash = f"{timestamp}GET{request}"
        else:
            if is_list or params:
                json_body = self.json(params)
                prehash = f"{timestamp}{method}{request}{json_body}"
            else:
                prehash = f"{timestamp}{method}{request}"
            signed_headers["Content-Type"] = "application/json"
        signed_headers["OK-ACCESS-SIGN"] = base64.b64encode(keys.of(secret).digest(prehash.encode())).decode()
        return {"url": url, "method": method, "body": json_body, "headers": signed_headers}

    exchange.sign = types.MethodType(sign, exchange)

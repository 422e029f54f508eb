"""OKX's request deadline: the ``expTime`` header on order requests.

OKX docs, Overview › Transaction Timeouts: "Orders may not be processed in time due to network
delay or busy OKX servers. You can configure the expiry time of the request using expTime if you
want the order request to be discarded after a specific time. If expTime is specified in the
requests for Place (multiple) orders or Amend (multiple) orders, the request will not be processed
if the current system time of the server is after the expTime." REST: the header ``expTime``,
"Request effective deadline. Unix timestamp in milliseconds". Supported by Place order, Place
multiple orders, Amend order, Amend multiple orders (and the signal-bot sub order): not by cancels
and not by ``/trade/order-algo``. A request processed too late is refused with ``50036`` "The
expTime can't be earlier than the current system time. Please adjust the expTime and try again."
(error codes, REST API 50xxx).

hedgekit sends ``expTime`` = the venue's clock when the request is signed + ``recv_window``
(connect's validity window, 5 s by default). The header is not part of OKX's signature (the prehash
is timestamp + method + path + body), so it is added after signing, whoever signs.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

__all__ = ["EXP_TIME_PATHS", "install_exp_time", "signer_of"]

#: Paths (as ccxt's implicit methods name them) whose requests OKX discards past ``expTime``.
EXP_TIME_PATHS = frozenset({"trade/order", "trade/batch-orders", "trade/amend-order", "trade/amend-batch-orders"})


def install_exp_time(exchange: Any, window_ms: Callable[[], int]) -> None:
    """Make ``exchange`` (ccxt ``okx``) send ``expTime`` on every order request (this instance only).

    ``window_ms()`` gives the validity window; the venue's clock is this machine's corrected by
    ``options['timeDifference']`` (set by a time resync), as for ``OK-ACCESS-TIMESTAMP``.
    """
    signer: Callable[..., dict[str, Any]] = exchange.sign

    def sign(self: Any, path: str, api: Any = "public", method: str = "GET", params: Any = None) -> dict[str, Any]:
        request = signer(path, api, method, params if params is not None else {})  # as ccxt's fetch2 calls it
        if method == "POST" and path in EXP_TIME_PATHS:
            now = self.milliseconds() - int(self.options.get("timeDifference") or 0)
            request["headers"] = {**(request.get("headers") or {}), "expTime": str(now + window_ms())}
        return request

    sign.__wrapped__ = signer  # type: ignore[attr-defined]  # who signs: hedgekit's signer, or ccxt's
    exchange.sign = types.MethodType(sign, exchange)


def signer_of(exchange: Any) -> Any:
    """The signing method under the ``expTime`` wrapper (the exchange's own ``sign`` if none)."""
    return getattr(exchange.sign.__func__, "__wrapped__", exchange.sign)

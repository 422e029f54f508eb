"""The Aster private stream (user data stream) as a :class:`~hedgekit.stream_session.StreamSession`.

Binance's session (:mod:`hedgekit_binance.stream`) with Aster's differences (shared/STREAMS.md §2;
asterdex/api-docs ``V3(Recommended)/EN/aster-finance-futures-api-v3.md`` §User Data Streams, AST3;
``V1(Legacy)/EN/aster-finance-futures-api.md``, AST1; ``…-testnet.md``, ASTT):

* **Listen key**: ``POST /fapi/v3/listenKey`` -> ``{"listenKey"}``, ``PUT`` (keep-alive) -> ``{}``;
  USER_STREAM security is "A valid signer and signature are required": the v3 API-wallet signature
  the adapter puts on every private request. With a legacy v1 HMAC key: ``/fapi/v1/listenKey``
  (AST1: the API key). Weight 1 each. A key lives 60 minutes; the session PUTs every
  :data:`~hedgekit_binance.stream.KEEPALIVE_SECONDS`; ``-1125`` ("This listenKey does not exist.",
  AST3 error table) ends the session with ``SessionExpired``.
* **URL**: ``wss://fstream.asterdex.com/ws/<listenKey>`` (AST3: "The baseurl for websocket is
  wss://fstream.asterdex.com", "User Data Streams are accessed at /ws/<listenKey>"); testnet
  ``wss://fstream.asterdex-testnet.com`` (ASTT); with ``base_url``: its ``ws://`` twin. No
  ``/private`` split, no subscribe frame.
* **Heartbeat**: protocol PINGs every :data:`HEARTBEAT_SECONDS` (ccxt's 30 s, CCXT aster.py:74; the
  server pings every 5 minutes and drops a client silent for 15, AST3).
* **Frames**: :mod:`hedgekit_binance.stream_wire` with ``algo_service=False``: no ``ALGO_UPDATE``;
  conditional orders are ``ORDER_TRADE_UPDATE`` frames whose ``o``/``ot`` is a conditional type,
  under the id REST lists them with. Payloads are "not guaranteed to be in order during heavy
  periods; make sure to order your updates using E" (AST3); ``LegUpdate.time_ms`` is ``E``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from hedgekit.errors import MalformedResponse
from hedgekit.ws import ws_base

from hedgekit_binance.stream import ListenKeySession
from hedgekit_binance.stream_wire import Dialect

__all__ = ["AsterStreamSession", "HEARTBEAT_SECONDS", "LIVE_WS", "TESTNET_WS"]

LIVE_WS = "wss://fstream.asterdex.com"
"""AST3 "The baseurl for websocket is wss://fstream.asterdex.com"."""
TESTNET_WS = "wss://fstream.asterdex-testnet.com"
"""ASTT's websocket base."""
HEARTBEAT_SECONDS = 30.0
"""Protocol PING interval: ccxt's 30 s for Aster (CCXT aster.py:74)."""


@dataclass
class AsterStreamSession(ListenKeySession):
    """Aster: ``/fapi/v3/listenKey`` (v1 keys: ``/fapi/v1/listenKey``) and ``…/ws/<listenKey>``."""

    dialect: ClassVar[Dialect] = Dialect(venue="aster", algo_service=False)
    default_heartbeat: ClassVar[float] = HEARTBEAT_SECONDS

    async def _create_key(self) -> str:
        payload = await self._rest("listen_key_new")
        key = payload.get("listenKey") if isinstance(payload, dict) else None
        if not isinstance(key, str) or not key:
            raise MalformedResponse("malformed answer to listenKey: no listenKey", venue="aster")
        return key

    async def _keep_key(self) -> None:
        await self._rest("listen_key_keep")

    async def _rest(self, endpoint: str) -> Any:
        call = getattr(self.adapter, "_call")  # the adapter's signed, paced, translated REST path
        return await call("stream", endpoint, {})

    def _url(self, key: str) -> str:
        config = self.adapter.config
        base = ws_base(config.base_url) if config.base_url else (TESTNET_WS if config.testnet else LIVE_WS)
        return f"{base}/ws/{key}"

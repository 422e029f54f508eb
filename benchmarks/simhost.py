"""A separate process serving the simulated venues (and a bare aiohttp handler) for the benchmarks.

The client under measurement runs in another process, so ``time.process_time`` and peak RSS there
count the client only, and the simulator's CPU does not compete with the client's event loop.

Run as ``python -m benchmarks.simhost --venues binance,bybit [--latency 0.05] [--bare] [--no-log]``
(``--no-log``: no recording middleware, the simulator exactly as users get it; ``log``/``count``
then answer nothing). The first
stdout line is JSON: ``{"venues": {name: {"base_url", "credentials"}}, "bare": url | null}`` (or
``{"error": ...}``). After that, one JSON command per stdin line, one JSON answer per stdout line:

* ``{"op": "log", "venue": v, "since": n}``: requests ``n..`` as ``[method, path, query, status,
  failed, body_prefix, answered_at]`` (``answered_at``: wall-clock seconds) and the total ``count``;
* ``{"op": "count", "venue": v}``: how many requests ``v`` received;
* ``{"op": "params", "venue": v, "index": i}``: the parsed parameters of request ``i``;
* ``{"op": "latency", "value": s}``: injected latency of every venue, in seconds;
* ``{"op": "stubs", "value": bool}``: serve (or stop serving) ccxt's default-set-up endpoints
  (:data:`benchmarks.venues.CCXT_DEFAULT_STUBS`);
* ``{"op": "clear"}``: forget recorded requests (keeps memory flat over long runs);
* ``{"op": "hedge", "venue": v, "symbol": s}``: hedge mode on the engine (the symbol's, or the account's);
* ``{"op": "place", "venue": v, "symbol": s, "side": "BUY", "quantity": "0.01", "position_side": "LONG"}``:
  a market order straight on the engine (an engine change that every private stream pushes), answered
  with ``t``, the ``time.monotonic()`` just before it (one clock for every process on the machine);
* ``{"op": "streams", "venue": v}``: ``ids``, one per private websocket ``v`` holds open that receives
  position pushes (Bybit: ``position`` subscribed; OKX: ``positions`` subscribed; Binance, Aster: open);
* ``{"op": "quit"}`` or end of stdin: stop.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import socket
import sys
import time
import weakref
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from hedgekit.testing import Handler, RecordedRequest, SimulatedVenue, WireResponse

from benchmarks.venues import CCXT_DEFAULT_STUBS

#: What the bare handler answers to every request: a Binance order answer, as the simulator gives.
BARE_ORDER = {
    "orderId": 1, "symbol": "BTCUSDT", "status": "FILLED", "clientOrderId": "bk0", "price": "0",
    "avgPrice": "60000", "origQty": "0.001", "executedQty": "0.001", "cumQty": "0.001",
    "cumQuote": "60", "timeInForce": "GTC", "type": "MARKET", "reduceOnly": False,
    "closePosition": False, "side": "BUY", "positionSide": "BOTH", "stopPrice": "0",
    "workingType": "CONTRACT_PRICE", "priceProtect": False, "origType": "MARKET",
    "priceMatch": "NONE", "selfTradePreventionMode": "EXPIRE_MAKER", "goodTillDate": 0,
    "updateTime": 0,
}


def _failed(status: int, body: str) -> bool:
    """Whether an answer is a refusal: HTTP >= 400, or a venue error code inside a 200."""
    if status >= 400:
        return True
    try:
        data = json.loads(body)
    except ValueError:
        return False
    if not isinstance(data, dict):
        return False
    if "retCode" in data:
        return data["retCode"] not in (0, "0")
    code = data.get("code")
    if isinstance(code, int) and not isinstance(code, bool):
        return code < 0
    if isinstance(code, str):
        return code != "0"
    return False


def _watching_positions(conn: Any) -> bool:
    """Whether an open private websocket gets position pushes (subscribed where the venue asks for it)."""
    if conn.closing or conn.ws.closed:
        return False
    if "topics" in conn.state:  # Bybit v5
        return any(str(t).startswith("position") for t in conn.state["topics"])
    if "subs" in conn.state:  # OKX v5
        return any(isinstance(a, dict) and a.get("channel") == "positions" for a in conn.state["subs"])
    return True  # Binance, Aster: a listen-key stream pushes everything from the start


@dataclass
class _Host:
    venues: dict[str, SimulatedVenue]
    stubs: bool = False
    log: dict[str, list[list[Any]]] = field(default_factory=dict)
    params: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    serials: weakref.WeakKeyDictionary[Any, int] = field(default_factory=weakref.WeakKeyDictionary)
    """A number per private websocket, never reused (``id()`` is, once a connection is gone)."""
    serial: itertools.count[int] = field(default_factory=itertools.count)

    def middleware(self, name: str) -> Any:
        entries = self.log.setdefault(name, [])
        params = self.params.setdefault(name, [])
        table = CCXT_DEFAULT_STUBS.get(name, {})

        async def record(request: RecordedRequest, call_next: Handler) -> WireResponse:
            if self.stubs and (request.method, request.path) in table:
                answer = WireResponse.json(table[(request.method, request.path)])
            else:
                answer = await call_next(request)
            entries.append([
                request.method, request.path, request.query_string[:120], answer.status,
                _failed(answer.status, answer.body), answer.body[:200], time.time(),
            ])
            params.append(dict(request.params))
            return answer

        return record

    def command(self, cmd: dict[str, Any]) -> dict[str, Any]:
        op = cmd.get("op")
        if op == "log":
            entries = self.log.get(cmd["venue"], [])
            return {"count": len(entries), "entries": entries[int(cmd.get("since", 0)):]}
        if op == "params":
            return {"params": self.params.get(cmd["venue"], [])[int(cmd["index"])]}
        if op == "count":
            return {"count": len(self.log.get(cmd["venue"], []))}
        if op == "latency":
            for venue in self.venues.values():
                venue.latency = float(cmd["value"])
            return {"ok": True}
        if op == "stubs":
            self.stubs = bool(cmd["value"])
            return {"ok": True}
        if op == "clear":
            for name, venue in self.venues.items():
                venue.requests.clear()
                self.log.get(name, []).clear()
                self.params.get(name, []).clear()
            return {"ok": True}
        if op == "hedge":
            self.venues[cmd["venue"]].engine.set_position_mode("HEDGE", cmd.get("symbol"))
            return {"ok": True}
        if op == "place":
            engine = self.venues[cmd["venue"]].engine
            t = time.monotonic()
            engine.place_order(cmd["symbol"], cmd["side"], cmd["quantity"], position_side=cmd.get("position_side", "BOTH"))
            return {"t": t}
        if op == "streams":
            conns = [c for c in self.venues[cmd["venue"]].streams.connections if _watching_positions(c)]
            return {"ids": [self.serials.setdefault(c, next(self.serial)) for c in conns]}
        return {"error": f"unknown op {op!r}"}


async def _bare_server() -> tuple[web.AppRunner, str]:
    body = json.dumps(BARE_ORDER, separators=(",", ":"))

    async def handle(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(text=body, content_type="application/json")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    await web.SockSite(runner, sock).start()
    return runner, f"http://127.0.0.1:{port}"


async def main(venue_names: list[str], latency: float, bare: bool, record: bool = True) -> None:
    """Start the venues (and the bare handler), announce them, then serve commands until quit."""
    host = _Host({})
    started: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in venue_names:
        try:
            venue = SimulatedVenue(name, latency=latency)
            if record:
                venue.add_middleware(host.middleware(name))
            await venue.start()
        except Exception as exc:  # a venue still being written: report it, serve the others
            errors[name] = f"{type(exc).__name__}: {exc}"
            continue
        host.venues[name] = venue
        started[name] = {"base_url": venue.base_url, "credentials": dict(venue.credentials)}
    runner, bare_url = await _bare_server() if bare else (None, None)
    print(json.dumps({"venues": started, "errors": errors, "bare": bare_url}), flush=True)
    loop = asyncio.get_running_loop()
    try:
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                break
            cmd = json.loads(line)
            if cmd.get("op") == "quit":
                print(json.dumps({"ok": True}), flush=True)
                break
            print(json.dumps(host.command(cmd)), flush=True)
    finally:
        for venue in host.venues.values():
            await venue.stop()
        if runner is not None:
            await runner.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--venues", default="")
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--bare", action="store_true")
    parser.add_argument("--no-log", action="store_true")
    args = parser.parse_args()
    asyncio.run(main([v for v in args.venues.split(",") if v], args.latency, args.bare, not args.no_log))

"""Wire vocabulary of the simulated OKX venue: envelopes, refusals, parameters, shared state.

Envelopes (https://www.okx.com/docs-v5/en/#overview-rest-api): success is
``{"code":"0","msg":"","data":[...]}``; a refused request puts the code on top
(``{"code":"51000","data":[],"msg":"Parameter posSide error"}``, freqtrade issue 7932); a refused
order keeps ``code "1"`` on top and the reason per order in ``data[].sCode``/``sMsg``
(``{"code":"1","data":[{"sCode":"51000","sMsg":"Parameter posSide error ",...}],"msg":"All
operations failed"}``, live answers in huojichuanqi/ds issue 4). Codes, HTTP statuses and texts:
#error-code-rest-api-public and #error-code-rest-api-account.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from hedgekit.testing.engine_types import EngineError, Order, Reason
from hedgekit.testing.frontend import WireResponse
from hedgekit.testing.numbers import double

from hedgekit_okx.simulator_ledger import OkxEngine
from hedgekit_okx.simulator_markets import SPECS_BY_ID, InstrumentSpec

ZERO = Decimal(0)
CLIENT_ID = re.compile(r"^[A-Za-z0-9]{1,32}$")
"""clOrdId / algoClOrdId: "A combination of case-sensitive alphanumerics ... of up to 32 characters"."""


class OkxError(Exception):
    """A refusal of the whole request: ``{"code": code, "msg": msg, "data": []}`` at ``status``."""

    def __init__(self, code: str, msg: str, status: int = 200) -> None:
        super().__init__(f"[{code}] {msg}")
        self.code, self.msg, self.status = code, msg, status

    def response(self) -> WireResponse:
        """The refusal as OKX sends it."""
        return WireResponse.json({"code": self.code, "data": [], "msg": self.msg}, status=self.status)


class AuthError(OkxError):
    """An authentication refusal: HTTP 401 ``{"msg": ..., "code": ...}`` without ``data`` (ccxt issue 11109)."""

    def response(self) -> WireResponse:
        return WireResponse.json({"msg": self.msg, "code": self.code}, status=self.status)


class OrderFailure(Exception):
    """One order refused: it becomes a ``data[]`` row with ``sCode``/``sMsg`` under ``code "1"``."""

    def __init__(self, s_code: str, s_msg: str, sub_code: str = "") -> None:
        super().__init__(f"[{s_code}] {s_msg}")
        self.s_code, self.s_msg, self.sub_code = s_code, s_msg, sub_code


def empty(name: str) -> OkxError:
    """50014 ``Parameter {param0} can not be empty.`` (HTTP 400)."""
    return OkxError("50014", f"Parameter {name} can not be empty.", 400)


def param_error(name: str) -> OkxError:
    """51000 ``Parameter {param0} error`` on the whole request (HTTP 400)."""
    return OkxError("51000", f"Parameter {name} error", 400)


def param_failure(name: str) -> OrderFailure:
    """51000 for one order. The live text of the posSide case ends with a space: "Parameter posSide error "."""
    return OrderFailure("51000", f"Parameter {name} error" + (" " if name == "posSide" else ""))


UNKNOWN_INSTRUMENT = ("51001", "Instrument ID, Instrument ID code or Spread ID doesn't exist.")
ORDER_NOT_FOUND = OkxError("51603", "Order does not exist.")
CANCEL_FAILED = OrderFailure("51400", "Order cancellation failed as the order has been filled, canceled or does not exist.")
NO_POSITION_TO_CLOSE = OrderFailure(
    "51169", "Order failed because you don't have any positions in this direction for this contract to reduce or close."
)
CLOSE_EXCEEDS = OrderFailure("51112", "Close order size exceeds available size for this position.")
REDUCE_SAME_DIRECTION = OrderFailure(
    "51170", "Failed to place order. A reduce-only order can't be the same trading direction as your existing positions."
)
ACCOUNT_MODE = ("51010", "Request unsupported under current account mode")
ISOLATED_UNAVAILABLE = (
    "50072", "Isolated margin mode is no longer supported in multi-currency margin mode and portfolio margin mode."
)

#: Engine reasons -> (sCode, sMsg) for order refusals; texts from the trade-class table.
ORDER_ERRORS: dict[Reason, tuple[str, str, str]] = {
    Reason.INSUFFICIENT_MARGIN: ("51008", "Order failed. Insufficient USDT margin in account", "1001"),
    Reason.QUANTITY_NOT_ON_STEP: ("51121", "Order quantity must be a multiple of the lot size.", ""),
    Reason.QUANTITY_BELOW_MIN: ("51020", "Your order should meet or exceed the minimum order amount.", ""),
    Reason.DUPLICATE_CLIENT_ID: ("51016", "Client order ID already exists.", ""),
    Reason.POSITION_SIDE_MISMATCH: ("51000", "Parameter posSide error ", ""),
    Reason.PRICE_NOT_POSITIVE: ("51000", "Parameter px error", ""),
    # a price off the tick: "The precision of the number of trades or the price exceeds the limit."
    Reason.PRICE_NOT_ON_TICK: ("51150", "The precision of the number of trades or the price exceeds the limit.", ""),
    Reason.QUANTITY_NOT_POSITIVE: ("51000", "Parameter sz error", ""),
    # POST_ONLY_WOULD_TAKE and FOK_NOT_FILLED are no refusals at OKX: the order is accepted and
    # canceled at once (cancelSource "31" / "13"; simulator_trade.place_order)
}


KILLED_FIRST_ID = 812_345_678_900_000_001
"""The first ``ordId`` of an order accepted and canceled at once (:meth:`SimState.kill`)."""
CANCEL_SOURCES = {
    # cancelSource (order_book_trading.md, WS order channel push data; get-order-details lists
    # "1", "14" and "31" too): "13" "FOK order was canceled due to incompletely filled", "14" "IOC
    # order was partially canceled due to incompletely filled", "31" "The post-only order will take
    # liquidity in taker orders", "1" "Order canceled by user"
    Reason.FOK_NOT_FILLED: ("13", "Order canceled: FOK order was canceled due to incompletely filled."),
    Reason.POST_ONLY_WOULD_TAKE: ("31", "The post-only order will take liquidity in taker orders"),
}
"""cancelSource and cancelSourceReason of the orders OKX cancels as soon as it accepts them. The
``cancelSourceReason`` wording is UNCONFIRMED (the docs name the field only): the enum's text is used."""
IOC_CANCELED = ("14", "Order canceled: IOC order was partially canceled due to incompletely filled.")
USER_CANCELED = ("1", "Order canceled by user")


@dataclass
class AlgoRecord:
    """One OKX algo order over one or two engine conditional orders (an OCO pair has two)."""

    algo_id: str
    inst_id: str
    ord_type: str
    children: list[int]
    client_id: str
    fields: dict[str, str] = field(default_factory=dict)


@dataclass
class SimState:
    """What the frontend keeps beside the engine.

    Attributes:
        engine: The simulated account (a margin mode per leg).
        default_lever: The leverage of a contract nobody has set (cross and isolated alike).
        account_level: ``acctLv`` of /account/config ("1" spot, "2" futures, "3" multi-currency,
            "4" portfolio margin); tests may change it.
        demo: Whether the keys are demo-trading keys (then ``x-simulated-trading: 1`` is required).
        cross_lever: Cross-margin leverage per instrument.
        isolated_lever: Isolated leverage per instrument and posSide (``long``/``short``/``net``).
        algos: Algo orders by algoId.
        algo_keys: algoId by the key an algo order's engine legs (and the orders they place) carry.
        pos_ids: A stable posId per (instrument, posSide).
        quiet_ids: Engine order ids of orders placed without a clOrdId (shown with ``clOrdId ""``).
        seen_conditionals: How many of the engine's conditional orders have been offered for
            adoption (``simulator_algo.adopt`` looks at the newer ones only).
        algo_of: The algoId riding on each engine conditional order, by conditional id.
        algo_rank: The position of each algoId in :attr:`algos`.
        algos_by_client: algoIds by ``algoClOrdId``, oldest first.
        pending_pairs: Two-leg algo orders none of whose legs has fired or ended yet.
        algo_listeners: Called with each algo order once :meth:`add_algo` stored it (the private
            stream pushes its ``live`` state then: the engine published its legs before the record
            existed).
        killed: Orders OKX accepted and canceled at once, by ordId (they never reach the engine).
        killed_listeners: Called with each order :meth:`kill` stores (the private stream pushes it).

    Add algo orders with :meth:`add_algo`, which keeps the indexes above in step.
    """

    engine: OkxEngine
    default_lever: Decimal = Decimal(20)
    account_level: str = "2"
    demo: bool = False
    cross_lever: dict[str, Decimal] = field(default_factory=dict)
    isolated_lever: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    algos: dict[str, AlgoRecord] = field(default_factory=dict)
    algo_keys: dict[str, str] = field(default_factory=dict)
    pos_ids: dict[tuple[str, str], str] = field(default_factory=dict)
    quiet_ids: set[int] = field(default_factory=set)
    seen_conditionals: int = 0
    algo_of: dict[int, str] = field(default_factory=dict)
    algo_rank: dict[str, int] = field(default_factory=dict)
    algos_by_client: dict[str, list[str]] = field(default_factory=dict)
    pending_pairs: dict[str, None] = field(default_factory=dict)
    algo_listeners: list[Callable[[AlgoRecord], None]] = field(default_factory=list)
    killed: dict[int, Order] = field(default_factory=dict)
    killed_listeners: list[Callable[[Order], None]] = field(default_factory=list)

    def kill(self, order: Order) -> None:
        """Keep an order OKX accepted and canceled at once (a post-only that would take, a FOK that
        cannot fill) and tell the private stream."""
        self.killed[order.order_id] = order
        for listener in list(self.killed_listeners):
            listener(order)

    def next_killed_id(self) -> int:
        """An ``ordId`` for :meth:`kill` from a range of its own (the engine numbers its orders from
        612345678900000001)."""
        return KILLED_FIRST_ID + len(self.killed)

    def add_algo(self, record: AlgoRecord) -> None:
        """Store a new algo order and index it."""
        self.algos[record.algo_id] = record
        self.algo_rank.setdefault(record.algo_id, len(self.algo_rank))
        for child in record.children:
            self.algo_of[child] = record.algo_id
        if record.client_id:
            self.algos_by_client.setdefault(record.client_id, []).append(record.algo_id)
        if len(record.children) >= 2:
            self.pending_pairs[record.algo_id] = None
        for listener in list(self.algo_listeners):
            listener(record)

    def pos_id(self, inst_id: str, pos_side: str) -> str:
        """A stable position id, as OKX keeps one per position."""
        key = (inst_id, pos_side)
        if key not in self.pos_ids:
            self.pos_ids[key] = str(2_000_000_000_000_000_000 + len(self.pos_ids) + 1)
        return self.pos_ids[key]


class Params:
    """Request parameters as OKX reads them: names are case-sensitive; ``""`` and ``null`` are absent."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def get(self, name: str) -> str | None:
        """The value as text; booleans become ``"true"``/``"false"``."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (str, int, float)):
            return str(value)
        return None

    def required(self, name: str) -> str:
        """The value; 50014 when absent."""
        value = self.get(name)
        if value is None:
            raise empty(name)
        return value

    def decimal(self, name: str, *, required: bool = False, order: bool = False) -> Decimal | None:
        """A decimal; 51000 when malformed (per order when ``order``)."""
        value = self.required(name) if required else self.get(name)
        if value is None:
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            raise param_failure(name) if order else param_error(name)
        return number

    def boolean(self, name: str) -> bool:
        """``true``/``false`` (JSON boolean or string); absent is false."""
        value = self.get(name)
        if value is None:
            return False
        if value.lower() not in ("true", "false"):
            raise param_error(name)
        return value.lower() == "true"


def instrument_of(params: Params, *, order: bool = False) -> InstrumentSpec:
    """The mandatory ``instId``: 50014 when missing, 51001 when not listed."""
    inst_id = params.required("instId")
    spec = SPECS_BY_ID.get(inst_id)
    if spec is None:
        if order:
            raise OrderFailure(*UNKNOWN_INSTRUMENT)
        raise OkxError(*UNKNOWN_INSTRUMENT)
    return spec


def plain(value: Decimal) -> str:
    """A number as OKX writes it: no exponent, no trailing zeros, ``"0"`` for zero."""
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def figure(value: Decimal) -> str:
    """A computed figure (average price, liquidation price, PnL, margins, notional, ratios) as OKX
    writes it: the shortest decimal form of the nearest double, no exponent (the docs' and ccxt's
    captured position rows: ``"liqPx": "12608.959083877446"``, ``"notionalUsd": "1592.1760000000002"``,
    ``"upl": "0.0108608358957281"``; that OKX computes in doubles is read from those samples,
    UNCONFIRMED). Order rows use it too: an order's ``avgPx``/``fillPx``, ``fillNotionalUsd``,
    ``fee`` and ``pnl`` are computed figures, while its own ``px`` and ``sz`` are on tick and lot."""
    return double(value)


def contracts(spec: InstrumentSpec, base_quantity: Decimal) -> str:
    """A base quantity as a contract count string (exact: quantities live on the lot grid)."""
    return plain(base_quantity / spec.contract_value)


def to_base(spec: InstrumentSpec, count: Decimal) -> Decimal:
    """Contracts -> base units; 51121 off the lot, 51020 under the minimum size."""
    if count <= 0:
        raise param_failure("sz")
    if count % Decimal(spec.lot_sz):
        raise OrderFailure("51121", "Order quantity must be a multiple of the lot size.")
    if count < Decimal(spec.min_sz):
        raise OrderFailure("51020", "Your order should meet or exceed the minimum order amount.")
    return count * spec.contract_value


def size_above_max(spec: InstrumentSpec, *, market: bool) -> OrderFailure:
    """A ``sz`` over the instrument's ``maxMktSz`` (a market order) or ``maxLmtSz`` (a limit order).

    Trade-class table: 51202 "Market order amount exceeds the maximum amount." and 51203 "Order
    amount exceeds the limit {param0}.", the limit being ``maxLmtSz`` in contracts. The pairing
    follows the instrument fields' own words ("The maximum order quantity of a single market order" /
    "... limit order", #public-data-rest-api-get-instruments); no live answer was found to confirm it
    (UNCONFIRMED), and the adapter maps 51005, 51101, 51201, 51202 and 51203 alike.
    """
    if market:
        return OrderFailure("51202", "Market order amount exceeds the maximum amount.")
    return OrderFailure("51203", f"Order amount exceeds the limit {spec.max_lmt_sz}.")


def order_failure(exc: EngineError) -> OrderFailure:
    """An engine refusal of an order as OKX's sCode."""
    found = ORDER_ERRORS.get(exc.reason)
    if found is None:
        return OrderFailure("51000", "Parameter sz error")
    s_code, s_msg, sub = found
    return OrderFailure(s_code, s_msg, sub)


def ms(value: int) -> str:
    """A millisecond timestamp as OKX writes it (a string)."""
    return str(value)

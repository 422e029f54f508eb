"""Wire vocabulary of the simulated Bybit v5 venue: the envelope, error codes, parameters, ids.

Every answer is Bybit's envelope ``{"retCode", "retMsg", "result", "retExtInfo", "time"}`` with
HTTP 200, refusals included (guide.mdx "Common response parameters"; error.mdx). Codes and texts
come from error.mdx ("UMA & UTA & Futures" table); where a live answer was captured its text wins
and is cited. Texts marked UNCONFIRMED are this simulator's best guess at the live wording.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from hedgekit.testing.engine_types import EngineError, Reason
from hedgekit.testing.frontend import RecordedRequest, WireResponse

OK_MESSAGE = "OK"


def envelope(result: Any, now: int, code: int = 0, msg: str = OK_MESSAGE) -> dict[str, Any]:
    """A v5 envelope (guide.mdx): ``retExtInfo`` is ``{}`` "most of the time"."""
    return {"retCode": code, "retMsg": msg, "result": result, "retExtInfo": {}, "time": now}


class BybitError(Exception):
    """A refusal in Bybit's envelope: ``retCode``/``retMsg``, HTTP 200 unless ``status`` says otherwise."""

    def __init__(self, code: int, msg: str, status: int = 200, result: Any = None) -> None:
        super().__init__(f"[{code}] {msg}")
        self.code = code
        self.msg = msg
        self.status = status
        self.result = {} if result is None else result

    def response(self, now: int, headers: dict[str, str] | None = None) -> WireResponse:
        """The refusal as Bybit sends it."""
        return WireResponse.json(envelope(self.result, now, self.code, self.msg), self.status, headers)


# Engine reasons -> (retCode, retMsg).
ERRORS: dict[Reason, tuple[int, str]] = {
    Reason.UNKNOWN_SYMBOL: (10001, "params error: symbol invalid"),  # UNCONFIRMED text
    Reason.MODE_UNCHANGED: (110025, "Position mode has not been modified."),
    Reason.MODE_BLOCKED_BY_ORDERS: (110028, "You have existing open orders, so the position mode cannot be switched."),
    Reason.MODE_BLOCKED_BY_POSITION: (110024, "You have an existing position, so the position mode cannot be switched."),
    # captured: {"retCode":10001,"retMsg":"position idx not match position mode"} (ccxt issue 16952)
    Reason.POSITION_SIDE_MISMATCH: (10001, "position idx not match position mode"),
    Reason.REDUCE_ONLY_REJECTED: (110017, "Reduce-only rule not satisfied"),
    # captured: {"retCode":110007,"retMsg":"ab not enough for new order"} (ccxt bybit.py exceptions)
    Reason.INSUFFICIENT_MARGIN: (110007, "ab not enough for new order"),
    Reason.QUANTITY_NOT_POSITIVE: (10001, "params error: qty invalid"),  # UNCONFIRMED text
    Reason.QUANTITY_NOT_ON_STEP: (10001, "params error: qty invalid"),  # UNCONFIRMED text
    # captured: {"retCode":10001,"retMsg":"The number of contracts exceeds minimum limit allowed"}
    Reason.QUANTITY_BELOW_MIN: (10001, "The number of contracts exceeds minimum limit allowed"),
    Reason.QUANTITY_ABOVE_MAX: (10001, "The number of contracts exceeds maximum limit allowed"),
    Reason.PRICE_NOT_POSITIVE: (10001, "params error: price invalid"),  # UNCONFIRMED text
    Reason.PRICE_NOT_ON_TICK: (10001, "params error: price invalid"),  # UNCONFIRMED text
    Reason.NOTIONAL_BELOW_MIN: (110094, "Order notional value below the lower limit"),  # ccxt bybit.py
    Reason.DUPLICATE_CLIENT_ID: (110072, "OrderLinkedID is duplicate"),
    # captured on cancels: {"retCode":110001,"retMsg":"order not exists or too late to cancel"}
    Reason.ORDER_NOT_FOUND: (110001, "order not exists or too late to cancel"),
    Reason.INVALID_LEVERAGE: (10001, "leverage invalid"),  # UNCONFIRMED text
    Reason.LEVERAGE_REDUCTION_BLOCKED: (110011, "Liquidation will be triggered immediately by this adjustment"),
    Reason.NOT_ISOLATED: (110015, "The position is in cross margin mode."),
    Reason.NO_POSITION: (110033, "You can't set margin without an open position"),
    Reason.AMOUNT_NOT_POSITIVE: (10001, "params error: margin invalid"),  # UNCONFIRMED text
    Reason.INSUFFICIENT_CROSS_BALANCE: (110014, "Insufficient available balance to add additional margin."),
    Reason.INSUFFICIENT_ISOLATED_BALANCE: (110078, "Added margin more than max can reduce margin"),
}


def engine_error(exc: EngineError) -> BybitError:
    """Translate an engine refusal into Bybit's code and message."""
    code, msg = ERRORS.get(exc.reason, (10001, "params error"))
    return BybitError(code, msg)


def quantity_above_max(quantity: Decimal, maximum: Decimal) -> BybitError:
    """``10001`` for a ``qty`` over ``maxOrderQty`` (limit) or ``maxMktOrderQty`` (market).

    The live text, quantities scaled by 10^8 (pybit issue 284, v5 /order/create, market order over
    ``maxMktOrderQty`` 3600: "The number of contracts exceeds maximum limit allowed: too large,
    order_qty:579700000000 > max_qty:360000000000"; pybit issue 244 the same).
    """
    scale = Decimal(10) ** 8
    return BybitError(10001, f"The number of contracts exceeds maximum limit allowed: too large, "
                             f"order_qty:{int(quantity * scale)} > max_qty:{int(maximum * scale)}")


def param_error(msg: str) -> BybitError:
    """``10001`` "Request parameter error" with a specific message (``params error: …``)."""
    return BybitError(10001, msg)


def too_many_visits(now: int, wait_ms: int = 1000) -> WireResponse:
    """A ``10006`` answer as a fault-injection middleware sends it (rate-limit.mdx: ``"Too many
    visits!"``, ``X-Bapi-Limit-Reset-Timestamp`` = when the limit resets)."""
    headers = {"X-Bapi-Limit": "10", "X-Bapi-Limit-Status": "0", "X-Bapi-Limit-Reset-Timestamp": str(now + wait_ms)}
    return BybitError(10006, "Too many visits!").response(now, headers)


_DECIMAL = re.compile(r"^-?[0-9]{1,20}(\.[0-9]{1,20})?$")


class Params:
    """The request's parameters: query-string values are strings, JSON-body values keep their type.

    Bybit names are case-sensitive camelCase (``positionIdx``, ``orderLinkId``).
    """

    def __init__(self, request: RecordedRequest) -> None:
        self.values: dict[str, Any] = dict(request.params)

    def has(self, name: str) -> bool:
        """Whether ``name`` was sent and is not ``null``/``""``."""
        return self.values.get(name) not in (None, "")

    def text(self, name: str) -> str | None:
        """The value as text, ``None`` when absent."""
        value = self.values.get(name)
        if value in (None, ""):
            return None
        return str(value).lower() if isinstance(value, bool) else str(value)

    def required(self, name: str) -> str:
        """A mandatory value (10001 when missing)."""
        value = self.text(name)
        if value is None:
            raise param_error(f"params error: {name} is required")  # UNCONFIRMED text
        return value

    def decimal(self, name: str, *, required: bool = False) -> Decimal | None:
        """A decimal sent as a string (or a JSON number)."""
        value = self.required(name) if required else self.text(name)
        if value is None:
            return None
        if not _DECIMAL.match(value):
            raise param_error(f"params error: {name} invalid")  # UNCONFIRMED text
        try:
            return Decimal(value)
        except InvalidOperation:  # pragma: no cover - the pattern guards it
            raise param_error(f"params error: {name} invalid") from None

    def integer(self, name: str, *, default: int | None = None) -> int | None:
        """An integer sent as a JSON number or a numeric string."""
        value = self.values.get(name)
        if value in (None, ""):
            return default
        if isinstance(value, bool):
            raise param_error(f"params error: {name} invalid")
        if isinstance(value, int):
            return value
        if isinstance(value, str) and value.lstrip("-").isdigit():
            return int(value)
        raise param_error(f"params error: {name} invalid")

    def boolean(self, name: str) -> bool:
        """A JSON boolean (``true``/``false``; the strings are accepted too); absent is false."""
        value = self.values.get(name)
        if value in (None, ""):
            return False
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise param_error(f"params error: {name} invalid")


# -- order ids ------------------------------------------------------------------------------------
# Bybit order ids are UUIDs ("fd4300ae-7847-404e-b947-b46980a4d140", open-order.mdx). The engine
# numbers regular and conditional orders separately; the fourth group tells them apart.
_ID_HEAD = "5b1e7c3a-4d2f-4e8a-"
KINDS = {"regular": "8000", "conditional": "9000", "rejected": "a000"}
_ID = re.compile(r"^5b1e7c3a-4d2f-4e8a-(8000|9000|a000)-([0-9a-f]{12})$")


def order_id(kind: str, number: int) -> str:
    """The UUID-shaped wire id of an engine order number."""
    return f"{_ID_HEAD}{KINDS[kind]}-{number:012x}"


def parse_order_id(text: str) -> tuple[str, int] | None:
    """``(kind, number)`` of a wire id, ``None`` when it is not one of this venue's."""
    found = _ID.match(text)
    if found is None:
        return None
    kind = next(k for k, v in KINDS.items() if v == found.group(1))
    return kind, int(found.group(2), 16)


# -- numbers ---------------------------------------------------------------------------------------
_QUANTA: dict[int, Decimal] = {}


def fixed(value: Decimal, places: int) -> str:
    """``value`` with exactly ``places`` decimals, never ``-0``."""
    quantum = _QUANTA.get(places)
    if quantum is None:
        quantum = _QUANTA[places] = Decimal(1).scaleb(-places)
    text = f"{value.quantize(quantum):f}"
    return text[1:] if text.startswith("-") and Decimal(text) == 0 else text


def plain(value: Decimal) -> str:
    """``value`` without exponent or trailing zeros."""
    return "0" if value == 0 else f"{value.normalize():f}"


def places(step: Decimal) -> int:
    """Decimals of a tick or lot step (``0.001`` -> 3)."""
    exponent = step.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0

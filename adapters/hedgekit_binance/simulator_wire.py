"""Wire vocabulary of the simulated Binance USDⓈ-M venue: error envelopes, parameters, numbers.

Error codes and messages are Binance's
(https://developers.binance.com/docs/derivatives/usds-margined-futures/error-code, mirrored in
``rosssaunders/coincise docs/binance/usdm/error_codes.md``). Binance names parameters in
lower case inside messages (a captured answer: ``{"code":-1102,"msg":"Mandatory parameter
'timeinforce' was not sent, was empty/null, or malformed."}``; nautilus_trader issue 4231:
``Parameter 'reduceonly' sent when not required.``), and so does this module.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from hedgekit.testing.engine_types import EngineError, Reason
from hedgekit.testing.frontend import RecordedRequest, WireResponse


class BinanceError(Exception):
    """A refusal in Binance's envelope: HTTP ``status`` and ``{"code": code, "msg": msg}``."""

    def __init__(self, code: int, msg: str, status: int = 400) -> None:
        super().__init__(f"[{code}] {msg}")
        self.code = code
        self.msg = msg
        self.status = status

    def response(self) -> WireResponse:
        """The error as Binance sends it (JSON body, HTTP 400 unless auth failed)."""
        return WireResponse.json({"code": self.code, "msg": self.msg}, status=self.status)


# Engine reasons -> (code, message). Codes and texts: Binance USDⓈ-M error-code page (above).
ERRORS: dict[Reason, tuple[int, str]] = {
    Reason.UNKNOWN_SYMBOL: (-1121, "Invalid symbol."),
    Reason.MODE_UNCHANGED: (-4059, "No need to change position side."),
    Reason.MODE_BLOCKED_BY_ORDERS:
        (-4067, "Position side cannot be changed if there exists open orders."),
    Reason.MODE_BLOCKED_BY_POSITION:
        (-4068, "Position side cannot be changed if there exists position."),
    Reason.POSITION_SIDE_MISMATCH: (-4061, "Order's position side does not match user's setting."),
    Reason.REDUCE_ONLY_REJECTED: (-2022, "ReduceOnly Order is rejected."),
    Reason.INSUFFICIENT_MARGIN: (-2019, "Margin is insufficient."),
    Reason.QUANTITY_NOT_POSITIVE: (-4003, "Quantity less than zero."),
    Reason.QUANTITY_NOT_ON_STEP: (-4023, "Qty not increased by step size."),
    Reason.QUANTITY_BELOW_MIN: (-4004, "Quantity less than min quantity."),
    Reason.QUANTITY_ABOVE_MAX: (-4005, "Quantity greater than max quantity."),
    Reason.PRICE_NOT_POSITIVE: (-4001, "Price less than 0."),
    Reason.PRICE_NOT_ON_TICK: (-4014, "Price not increased by tick size."),
    # the error page's template; the number is the symbol's MIN_NOTIONAL filter, and a live
    # answer ends with a full stop (ccxt binance.py exceptions: "...no smaller than 20 (unless
    # you choose reduce only).")
    Reason.NOTIONAL_BELOW_MIN:
        (-4164, "Order's notional must be no smaller than {min_notional} (unless you choose reduce only)."),
    Reason.DUPLICATE_CLIENT_ID: (-4116, "clientOrderId is duplicated"),
    Reason.ORDER_NOT_FOUND: (-2013, "Order does not exist."),
    Reason.WOULD_IMMEDIATELY_TRIGGER: (-2021, "Order would immediately trigger."),
    # a callbackRate outside the venue's range (rules.py): -1130 INVALID_PARAMETER for the
    # parameter, as the order handlers answer it before the engine sees the order (UNCONFIRMED code)
    Reason.CALLBACK_RATE_OUT_OF_RANGE: (-1130, "Data sent for parameter 'callbackrate' is not valid."),
    # Since 2023-03-22 (change log 2023-03-08, "Order Logic After Release") a GTX or FOK order
    # that cannot meet its condition "will get rejected directly and receive error response, no
    # order_trade_update message in websocket. The order can't be found in GET /fapi/v1/order or
    # GET /fapi/v1/allOrders"; the texts are the change log's sample answers (the error-code page
    # prints them without the second sentence).
    Reason.POST_ONLY_WOULD_TAKE: (
        -5022, "Due to the order could not be executed as maker, the Post Only order will be rejected. "
        "The order will not be recorded in the order history"
    ),
    Reason.FOK_NOT_FILLED: (
        -5021, "Due to the order could not be filled immediately, the FOK order has been rejected. "
        "The order will not be recorded in the order history"
    ),
    Reason.MARGIN_TYPE_UNCHANGED: (-4046, "No need to change margin type."),
    Reason.MARGIN_TYPE_BLOCKED_BY_ORDERS:
        (-4047, "Margin type cannot be changed if there exists open orders."),
    Reason.MARGIN_TYPE_BLOCKED_BY_POSITION:
        (-4048, "Margin type cannot be changed if there exists position."),
    Reason.INVALID_LEVERAGE: (-4028, "Leverage {leverage} is not valid"),
    Reason.LEVERAGE_REDUCTION_BLOCKED: (
        -4161, "Leverage reduction is not supported in Isolated Margin Mode with open positions"
    ),
    Reason.NOT_ISOLATED: (-4049, "Add margin only support for isolated position."),
    Reason.NO_POSITION: (-4054, "Cannot add position margin: position is 0."),
    Reason.AMOUNT_NOT_POSITIVE: (-4055, "Amount must be positive."),
    Reason.INSUFFICIENT_CROSS_BALANCE: (-4050, "Cross balance insufficient."),
    Reason.INSUFFICIENT_ISOLATED_BALANCE: (-4051, "Isolated balance insufficient."),
}

# -2011 CANCEL_REJECTED answers a cancel of an order that is not open (error-code page:
# 'Cancel request failure as open order not found in the orderbook: "Unknown order sent".').
UNKNOWN_ORDER = BinanceError(-2011, "Unknown order sent.")
# -1111 BAD_PRECISION: more decimals than pricePrecision/quantityPrecision allow.
BAD_PRECISION = BinanceError(-1111, "Precision is over the maximum defined for this asset.")


def engine_error(exc: EngineError, **context: Any) -> BinanceError:
    """Translate an engine refusal into Binance's code and message."""
    code, template = ERRORS[exc.reason]
    values = {key: plain(value) for key, value in exc.values.items()}
    values.update({key: str(value) for key, value in context.items()})
    return BinanceError(code, template.format(**values) if "{" in template else template)


def mandatory(name: str) -> BinanceError:
    """-1102 for a missing, empty or malformed mandatory parameter."""
    return BinanceError(
        -1102, f"Mandatory parameter '{name.lower()}' was not sent, was empty/null, or malformed."
    )


def not_required(name: str) -> BinanceError:
    """-1106 for a parameter the request may not carry (e.g. reduceOnly in hedge mode)."""
    return BinanceError(-1106, f"Parameter '{name.lower()}' sent when not required.")


def invalid(name: str) -> BinanceError:
    """-1130 for a value a parameter may not take."""
    return BinanceError(-1130, f"Data sent for parameter '{name.lower()}' is not valid.")


_DECIMAL = re.compile(r"^([0-9]{1,20})(\.[0-9]{1,20})?$")
_INTEGER = re.compile(r"^-?[0-9]{1,20}$")


class Params:
    """The request's parameters, looked up by name without regard to case (as Binance does)."""

    def __init__(self, request: RecordedRequest) -> None:
        self._values = {str(k).lower(): str(v) for k, v in request.params.items()}

    def has(self, name: str) -> bool:
        """Whether ``name`` was sent at all (even empty)."""
        return name.lower() in self._values

    def get(self, name: str) -> str | None:
        """The value as sent, ``None`` when absent or empty."""
        value = self._values.get(name.lower())
        return value if value else None

    def required(self, name: str) -> str:
        """The value as sent; -1102 when absent or empty."""
        value = self.get(name)
        if value is None:
            raise mandatory(name)
        return value

    def decimal(self, name: str, *, required: bool = False) -> Decimal | None:
        """A non-negative decimal; -1100 (Binance's decimal pattern) when malformed."""
        value = self.required(name) if required else self.get(name)
        if value is None:
            return None
        if not _DECIMAL.match(value):
            raise BinanceError(
                -1100,
                f"Illegal characters found in parameter '{name.lower()}'; legal range is "
                f"'{_DECIMAL.pattern}'.",
            )
        try:
            return Decimal(value)
        except InvalidOperation as exc:  # pragma: no cover - the pattern already guards it
            raise mandatory(name) from exc

    def integer(self, name: str, *, required: bool = False) -> int | None:
        """An integer; -1100 when malformed."""
        value = self.required(name) if required else self.get(name)
        if value is None:
            return None
        if not _INTEGER.match(value):
            raise BinanceError(
                -1100,
                f"Illegal characters found in parameter '{name.lower()}'; legal range is "
                f"'{_INTEGER.pattern}'.",
            )
        return int(value)

    def boolean(self, name: str) -> bool | None:
        """``"true"``/``"false"`` in any case; -1130 otherwise."""
        value = self.get(name)
        if value is None:
            return None
        if value.lower() not in ("true", "false"):
            raise invalid(name)
        return value.lower() == "true"


def decimals(value: Decimal) -> int:
    """How many decimals a number needs (trailing zeros do not count)."""
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


_QUANTA: dict[int, Decimal] = {}


def fixed(value: Decimal, places: int) -> str:
    """``value`` with exactly ``places`` decimals, never ``-0``."""
    quantum = _QUANTA.get(places)
    if quantum is None:
        quantum = _QUANTA[places] = Decimal(1).scaleb(-places)
    text = f"{value.quantize(quantum):f}"
    return text[1:] if text.startswith("-") and Decimal(text) == 0 else text


def plain(value: Decimal) -> str:
    """``value`` without exponent or trailing zeros (``"0"`` for zero)."""
    if value == 0:
        return "0"
    text = f"{value.normalize():f}"
    return text


def eight(value: Decimal) -> str:
    """Eight decimals, the scale Binance uses for margin and PnL figures."""
    return fixed(value, 8)

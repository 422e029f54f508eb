"""How the simulators write computed numbers: the venue's scale, never Python's full Decimal division.

An average entry price, a realised PnL of a partial close or a liquidation price is a quotient,
and ``Decimal`` carries 28 significant digits of it (``"3000.666666666666666666666667"``), which no
venue sends. Each venue rounds such figures to a scale of its own; the venue packages' simulators
pick the scale per field (with its source), and write the figure with one of these helpers:

* :func:`at_most`: rounded to at most ``places`` decimals, trailing zeros dropped (Bybit's
  ``"avgPrice": "27464.50441675"``, ``"execPnl": "0.05"``);
* :func:`padded`: rounded to exactly ``places`` decimals (Binance's ``"unRealizedProfit": "0.00000000"``);
* :func:`scaled`: rounded to at most ``places`` decimals and padded to at least ``least`` (an
  average price on a venue that pads prices to the tick's decimals but keeps more for an average);
* :func:`double`: the shortest decimal form of the nearest IEEE 754 double (OKX's
  ``"liqPx": "12608.959083877446"``).

None of them writes an exponent or ``-0``. Values are rounded half-even, Python's ``Decimal``
default (which rounding each venue applies is not documented: UNCONFIRMED).
"""

from __future__ import annotations

from decimal import Decimal

__all__ = ["at_most", "double", "padded", "scaled"]

_QUANTA: dict[int, Decimal] = {}


def _quantum(places: int) -> Decimal:
    quantum = _QUANTA.get(places)
    if quantum is None:
        quantum = _QUANTA[places] = Decimal(1).scaleb(-places)
    return quantum


def padded(value: Decimal, places: int) -> str:
    """``value`` rounded to exactly ``places`` decimals (``padded(Decimal("1.5"), 3) == "1.500"``)."""
    text = f"{value.quantize(_quantum(places)):f}"
    return text[1:] if text.startswith("-") and Decimal(text) == 0 else text


def at_most(value: Decimal, places: int) -> str:
    """``value`` rounded to ``places`` decimals, without trailing zeros (``"0"`` for zero).

    Example: ``at_most(Decimal(60001) / 3, 8) == "20000.33333333"``, ``at_most(Decimal("2.50"), 8) == "2.5"``.
    """
    rounded = value.quantize(_quantum(places))
    if rounded == 0:
        return "0"
    return f"{rounded.normalize():f}"


def scaled(value: Decimal, least: int, places: int) -> str:
    """``value`` rounded to ``places`` decimals, then written with at least ``least`` of them.

    Example: ``scaled(Decimal("60000.1"), 2, 8) == "60000.10"``,
    ``scaled(Decimal(180001) / 3, 2, 8) == "60000.33333333"``.
    """
    rounded = value.quantize(_quantum(places)).normalize()
    exponent = rounded.as_tuple().exponent
    needed = max(0, -exponent) if isinstance(exponent, int) else 0
    return padded(rounded, max(least, min(needed, places)))


def double(value: Decimal) -> str:
    """``value`` as the shortest decimal text that reads back as the same double (``"0"`` for zero).

    Example: ``double(Decimal(180001) / 3) == "60000.333333333336"``; at most 17 significant digits.
    """
    if value == 0:
        return "0"
    return f"{Decimal(repr(float(value))).normalize():f}"

"""Tolerant, strict-where-it-matters readers of a venue's JSON, shared by every adapter.

Unknown fields are ignored; a field the parser needs that is missing or of the wrong type raises
:class:`~hedgekit.errors.MalformedResponse` naming the venue and the field, never ``KeyError`` or
``TypeError``. Numbers come out as finite Decimals, read from the venue's strings.

Three strengths of "needed", chosen per field from the venue's documented response schema:

* required (``text``, ``req_dec``, ``flag(required=True)``, ``when(required=True)``, ``number_id``):
  present and of its type, never ``""``;
* present but possibly blank (``blank_dec``, ``blank_text``): the venue documents that it sends
  the field as ``""`` when it has no value (Bybit ``liqPrice``, OKX ``avgPx`` before a fill);
* optional (``dec(required=False)``, ``opt_text``, plain ``flag``/``when``): the venue documents
  that the field may be left out (a field "only returned with" some order type).

Each adapter makes one :class:`PayloadReader` for its venue, with the few choices where venues
really differ (whether a numeric field is required unless said otherwise, whether ``""`` is text,
whether JSON floats are accepted), and binds its methods as its wire module's readers::

    _READ = PayloadReader("binance", numbers_required=True)
    obj, rows, text, dec = _READ.obj, _READ.rows, _READ.text, _READ.dec

Numbers go back out through :func:`plain`, the one writer of a Decimal in the plain notation every
venue takes (no exponent, no trailing zeros).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from hedgekit.errors import MalformedResponse

__all__ = ["PayloadReader", "plain"]

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def plain(value: Decimal) -> str:
    """A Decimal as venues take it in a string field: plain notation, no exponent, no trailing zeros.

    ``Decimal("0.010")`` -> ``"0.01"``, ``Decimal("1E+2")`` -> ``"100"``, zero -> ``"0"``.
    """
    text = str(value)
    if "E" in text or ("." in text and text[-1] == "0"):
        return format(value.normalize(), "f") if value else "0"
    return text


class PayloadReader:
    """Field readers whose errors name ``venue``.

    Args:
        venue: the venue the payloads come from.
        numbers_required: whether :meth:`dec` requires the field unless told otherwise.
        empty_text: whether ``""`` is acceptable text for :meth:`text`.
        floats: whether JSON numbers with a fraction are accepted as numbers (venues that send
            every number as a string can refuse them).
    """

    def __init__(self, venue: str, *, numbers_required: bool = False, empty_text: bool = True,
                 floats: bool = True) -> None:
        self.venue = venue
        self.numbers_required = numbers_required
        self.empty_text = empty_text
        self._number_types: tuple[type, ...] = (str, int, float) if floats else (str, int)

    def bad(self, what: str, payload: Any) -> MalformedResponse:
        """The error for a malformed answer, with a short excerpt of it."""
        shown = repr(payload)
        if len(shown) > 200:
            shown = shown[:200] + "…"
        # a text or empty payload is the body of an answer that was not JSON (ccxt hands it on as text)
        unreadable = payload is None or isinstance(payload, (str, bytes))
        return MalformedResponse(f"malformed answer: {what} ({shown})", venue=self.venue, unreadable=unreadable)

    def obj(self, payload: Any, what: str) -> dict[str, Any]:
        """``payload`` as a JSON object."""
        if not isinstance(payload, dict):
            raise self.bad(f"expected an object for {what}", payload)
        return payload

    def rows(self, payload: Any, what: str) -> list[dict[str, Any]]:
        """``payload`` as a list of JSON objects."""
        if not isinstance(payload, list) or not all(isinstance(r, dict) for r in payload):
            raise self.bad(f"expected a list of objects for {what}", payload)
        return payload

    def text(self, row: Mapping[str, Any], key: str) -> str:
        """A required string field (a JSON integer is read as its digits)."""
        value = row.get(key)
        if isinstance(value, bool) or not isinstance(value, (str, int)) or (value == "" and not self.empty_text):
            raise self.bad(f"field {key!r} missing or not text", row)
        return str(value)

    def opt_text(self, row: Mapping[str, Any], key: str) -> str | None:
        """An optional string field: ``None`` when absent or ``""``."""
        value = row.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise self.bad(f"field {key!r} is not text", row)
        return str(value)

    def blank_text(self, row: Mapping[str, Any], key: str) -> str | None:
        """A string field the venue always sends, ``""`` when it has no value (then ``None``)."""
        value = row.get(key)
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise self.bad(f"field {key!r} missing or not text", row)
        return str(value) if value != "" else None

    def number_id(self, row: Mapping[str, Any], key: str) -> str:
        """A required id the venue sends as a JSON integer (its digits in a string are taken too)."""
        value = row.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, str) and value.isdigit() and value.isascii():
            return value
        raise self.bad(f"field {key!r} missing or not an integer id", row)

    def blank_dec(self, row: Mapping[str, Any], key: str) -> Decimal | None:
        """A numeric field the venue always sends, ``""`` when it has no value (then ``None``)."""
        if row.get(key) is None:
            raise self.bad(f"field {key!r} missing", row)
        return self.dec(row, key, required=False)

    def dec(self, row: Mapping[str, Any], key: str, *, required: bool | None = None) -> Decimal | None:
        """A numeric field (string or number) as a finite Decimal; ``""`` and ``null`` are absent."""
        value = row.get(key)
        if value.__class__ is str and value:  # the usual case: a venue's numeric string
            try:
                number = Decimal(value)
            except InvalidOperation:
                raise self.bad(f"field {key!r} is not a number", row) from None
            if not number.is_finite():
                raise self.bad(f"field {key!r} is not finite", row)
            return number
        if value is None or value == "":
            if self.numbers_required if required is None else required:
                raise self.bad(f"field {key!r} missing", row)
            return None
        if isinstance(value, bool) or not isinstance(value, self._number_types):
            raise self.bad(f"field {key!r} is not a number", row)
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise self.bad(f"field {key!r} is not a number", row) from None
        if not number.is_finite():
            raise self.bad(f"field {key!r} is not finite", row)
        return number

    def req_dec(self, row: Mapping[str, Any], key: str) -> Decimal:
        """A required numeric field."""
        value = self.dec(row, key, required=True)
        assert value is not None
        return value

    def flag(self, row: Mapping[str, Any], key: str, *, required: bool = False) -> bool:
        """A boolean sent as ``true`` or ``"true"``; absent, ``null`` and ``""`` are false unless required."""
        value = row.get(key)
        if value is None or value == "":
            if required:
                raise self.bad(f"field {key!r} missing or not a boolean", row)
            return False
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise self.bad(f"field {key!r} is not a boolean", row)

    def when(self, row: Mapping[str, Any], key: str, *, required: bool = False) -> datetime | None:
        """A millisecond timestamp (string or number) as an aware UTC datetime; 0 is None, and so is
        an absent field unless required."""
        value = row.get(key)
        if isinstance(value, bool) or (required and value in (None, "")):
            raise self.bad(f"field {key!r} missing or not a timestamp", row)
        if value in (None, "", 0, "0"):
            return None
        try:
            # exact to the millisecond, and cheaper than fromtimestamp(ms / 1000, tz=utc)
            return _EPOCH + timedelta(milliseconds=int(value if isinstance(value, int) else str(value)))
        except (TypeError, ValueError, OverflowError, OSError):
            raise self.bad(f"field {key!r} is not a timestamp", row) from None

    def enum_of(self, table: Mapping[Any, Any], row: Mapping[str, Any], key: str) -> Any:
        """A field mapped through an enum table; an unknown value is a clear error."""
        value = row.get(key)
        if not isinstance(value, bool) and isinstance(value, (str, int)):
            if value in table:
                return table[value]
            if isinstance(value, int) and str(value) in table:
                return table[str(value)]
        raise self.bad(f"field {key!r} has unknown value {value!r}", row)

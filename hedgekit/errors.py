"""The hedgekit exception tree.

::

    HedgekitError
    ├── ConfigurationError          bad connect() arguments, unknown venue, closed client
    ├── InvalidRequest              refused locally, before any request (size, tick, symbol, intent)
    ├── ModeChangeBlocked           exposure in the mode's scope (local check or the venue's refusal)
    ├── PositionSideMismatch        the venue's mode is not the one the order was built for
    ├── ExchangeError               the venue answered with a refusal
    │   ├── AuthenticationError     bad key, signature or permissions         (rejected)
    │   ├── InsufficientMargin      not enough margin for the order or change  (rejected)
    │   ├── OrderRejected           the venue refused the order                (rejected)
    │   ├── MalformedResponse       an answer that cannot be read completely   (see below)
    │   ├── ExchangeUnavailable     5xx, maintenance, unknown status           (transient)
    │   ├── RateLimited             too many requests                          (transient)
    │   └── ClockSkew               timestamp outside the venue's window       (transient)
    └── NetworkError                connection failure or timeout              (transient)
        └── OrderStatusUnknown      an order's fate could not be learnt        (look it up)

Transient errors have ``transient = True``; they are the ones a retry can cure.
:class:`MalformedResponse` is not transient (a read fails loudly, it never turns an unreadable row
into an empty leg; a read whose body was no answer at all is asked again first), and after an order
or a cancel it is ambiguous: the venue may
have acted, so the order's client id is looked up before anything is decided. Every error carries
the venue, the operation, the venue's code and message where there is one, and never a secret.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hedgekit.models import Blocker, PositionMode

__all__ = [
    "AuthenticationError",
    "ClockSkew",
    "ConfigurationError",
    "ExchangeError",
    "ExchangeUnavailable",
    "HedgekitError",
    "InsufficientMargin",
    "InvalidRequest",
    "MalformedResponse",
    "ModeChangeBlocked",
    "NetworkError",
    "OrderRejected",
    "OrderStatusUnknown",
    "PositionSideMismatch",
    "RateLimited",
    "StreamDisconnected",
]


class HedgekitError(Exception):
    """Root of every error hedgekit raises."""

    transient: bool = False

    def __init__(
        self,
        message: str,
        *,
        venue: str | None = None,
        operation: str | None = None,
        symbol: str | None = None,
        code: str | int | None = None,
        venue_message: str | None = None,
        http_status: int | None = None,
        client_order_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.venue = venue
        self.operation = operation
        self.symbol = symbol
        self.code = code
        self.venue_message = venue_message
        self.http_status = http_status
        self.client_order_id = client_order_id

    def __str__(self) -> str:
        head = " ".join(part for part in (self.venue, self.operation) if part)
        code = f"[{self.code}] " if self.code is not None else ""
        return f"{head} {code}{self.message}".strip() if head else f"{code}{self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class ConfigurationError(HedgekitError):
    """The client is set up wrongly or used after it was closed."""


class InvalidRequest(HedgekitError, ValueError):
    """The request was refused locally; nothing was sent."""


class ModeChangeBlocked(HedgekitError):
    """A position-mode change cannot happen while exposure is open in its scope.

    ``blockers`` lists every position, order and conditional order found, when the local check found
    them; when the venue refused the switch on its own (exposure appeared after the check), the list
    may be empty and ``code`` holds the venue's code.
    """

    def __init__(self, message: str, *, blockers: Sequence[Blocker] = (), **context: Any) -> None:
        super().__init__(message, **context)
        self.blockers: tuple[Blocker, ...] = tuple(blockers)


class PositionSideMismatch(HedgekitError):
    """The venue's position mode differs from the one the order was built for.

    The client has re-read the mode: ``actual_mode`` holds what the venue has now. The order was not
    re-sent.
    """

    def __init__(self, message: str, *, actual_mode: PositionMode | None = None, **context: Any) -> None:
        super().__init__(message, **context)
        self.actual_mode = actual_mode


class ExchangeError(HedgekitError):
    """The venue refused a request."""


class AuthenticationError(ExchangeError):
    """Key, signature, IP or permission refused."""


class InsufficientMargin(ExchangeError):
    """Not enough margin for the order, transfer or change."""


class OrderRejected(ExchangeError):
    """The venue refused an order or an order operation."""


class MalformedResponse(ExchangeError):
    """The venue's answer could not be read completely: truncated or not JSON, an empty body, a
    field missing or of the wrong type.

    A read that gets one raises it (never an empty or zero result). After an order or a cancel it
    means the venue may have acted: hedgekit looks the order up instead of reporting a failure.

    ``unreadable`` is True when the body was no answer at all (empty, cut short, an HTML page from
    a gateway in front of the venue): a read is asked again for those, as for a transient error,
    since asking again has no effect on the account. A well-formed answer with a field missing or of
    the wrong type is not asked again: the same answer would come back.
    """

    def __init__(self, message: str, *, unreadable: bool = False, **context: Any) -> None:
        super().__init__(message, **context)
        self.unreadable = unreadable


class ExchangeUnavailable(ExchangeError):
    """The venue is down, overloaded, or answered that the outcome is unknown."""

    transient = True


class RateLimited(ExchangeError):
    """Too many requests; ``retry_after`` holds the venue's wait in seconds, when it gave one."""

    transient = True

    def __init__(self, message: str, *, retry_after: float | None = None, **context: Any) -> None:
        super().__init__(message, **context)
        self.retry_after = retry_after


class ClockSkew(ExchangeError):
    """The request's timestamp fell outside the venue's window."""

    transient = True


class NetworkError(HedgekitError):
    """Connection failed or timed out; whether the venue acted is unknown."""

    transient = True


class StreamDisconnected(NetworkError):
    """A live stream lost its connection and could not be restored within its reconnect budget.

    Raised from ``async for event in stream``; the stream's state stops updating from then on.
    """


class OrderStatusUnknown(NetworkError):
    """An order was sent, the answer was lost, and the venue could not be asked whether it took it.

    ``client_order_id`` names the order: look it up before placing it again. Every other error from
    an order call means the order is not at the venue.
    """


MISSING_CREDENTIALS = (
    "this call needs API credentials: connect with api_key and secret (and password, the key's "
    "passphrase, on OKX); nothing was sent"
)
"""The one message of :func:`missing_credentials`, the same on every venue."""


def missing_credentials(venue: str, operation: str | None = None) -> AuthenticationError:
    """The error for a private request asked for without the credentials it needs.

    Every adapter raises it from its private-request path before anything is sent (public calls,
    such as loading the markets in ``connect()``, need no credentials). The message is
    :data:`MISSING_CREDENTIALS` on every venue; ``venue`` and ``operation`` give the context.
    """
    return AuthenticationError(MISSING_CREDENTIALS, venue=venue, operation=operation)

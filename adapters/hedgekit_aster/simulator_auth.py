"""Request authentication of the simulated Aster venue: v3 API-wallet signatures and v1 HMAC.

**v3** (asterdex/api-docs ``V3(Recommended)/EN/aster-finance-futures-api-v3.md``, AST3), in the
order checked:

1. ``user``, ``signer``, ``nonce``, ``signature`` present: else ``-1102 Mandatory parameter '…' was
   not sent, was empty/null, or malformed.``
2. The EIP-712 signature (domain ``AsterSignTransaction``/``1``/chain id/``0x0…0``, message
   ``Message{msg}``) over the parameter string as sent, without its ``signature`` pair, recovers to
   the declared ``signer``. The string is taken from the part of the request (query string or body)
   that carries ``signature``. Because the Overview says parameters are "sorted by ASCII key" while
   the samples sign in insertion order, the same pairs sorted by key are accepted too. Otherwise:
   ``-1022 Signature for this request is not valid.`` (AST3 error table, INVALID_SIGNATURE).
3. ``user`` is this account and ``signer`` is the user itself or an API wallet the user approved:
   else ``-1000 Signature check failed`` (the answer integrators report for an unapproved signer;
   UNCONFIRMED, the table lists -1000 only as UNKNOWN).
4. The nonce ("V3 Nonce Mechanism", kept per signer address): a nonce already used is refused as a
   duplicate; one more than 10 s from the server's time is refused ("If it exceeds the system time or
   lags behind it by more than 10 seconds, the request is considered invalid"; the mainnet doc's
   nonce section now says 60 s, its example and the testnet doc 10 s); with the last 100 nonces
   kept, a nonce below the smallest of a full list is refused as expired. Each refusal answers
   ``-4225 Nonce Expired`` (the one refusal the docs show, AST3 §Noop sample; UNCONFIRMED).

**v1** (``V1(Legacy)/EN/aster-finance-futures-api.md``): Binance's scheme, checked as
:class:`hedgekit_binance.simulator.BinanceFrontend` checks it, with its ``sign``/``total_params``.
"""

from __future__ import annotations

import bisect
import hmac
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

from hedgekit.testing.frontend import RecordedRequest

from hedgekit_aster.auth import message_digest, recover_address
from hedgekit_binance.simulator import sign as hmac_sign
from hedgekit_binance.simulator import total_params
from hedgekit_binance.simulator_wire import BinanceError, Params, mandatory

NONCE_WINDOW_US = 10_000_000
"""A nonce more than 10 s away from the server's time is refused (AST3 example, ASTT)."""
NONCES_KEPT = 100
"""Each signer's most recent 100 nonces are kept (AST3 "V3 Nonce Mechanism")."""

INVALID_SIGNATURE = BinanceError(-1022, "Signature for this request is not valid.")
SIGNATURE_CHECK_FAILED = BinanceError(-1000, "Signature check failed")
NONCE_EXPIRED = BinanceError(-4225, "Nonce Expired")

MAX_RECV_WINDOW = 60000  # AST1: "recvWindow cannot exceed 60000"
DEFAULT_RECV_WINDOW = 5000  # AST1: "If recvWindow is not sent, it defaults to 5000"
_LEGACY_KEY = re.compile(r"^[A-Za-z0-9]{64}$")


def _without_signature(raw: str) -> tuple[str, bool]:
    parts = [part for part in raw.split("&") if part]
    kept = [part for part in parts if not part.startswith("signature=")]
    return "&".join(kept), len(kept) != len(parts)


def signed_message(request: RecordedRequest) -> str:
    """The parameter string a v3 signature covers: the part carrying ``signature``, minus it."""
    query, in_query = _without_signature(request.query_string)
    if in_query:
        return query
    body, _ = _without_signature(request.body)
    return body


@dataclass
class NonceBook:
    """The nonces one signer used recently (sorted), and the refusal rules of AST3."""

    used: list[int] = field(default_factory=list)

    def accept(self, nonce: int, now_us: int) -> None:
        """Record ``nonce`` or raise ``-4225``."""
        position = bisect.bisect_left(self.used, nonce)
        if position < len(self.used) and self.used[position] == nonce:
            raise NONCE_EXPIRED  # "If the nonce has already been used -> rejected as a duplicate"
        if abs(nonce - now_us) > NONCE_WINDOW_US:
            raise NONCE_EXPIRED
        if len(self.used) >= NONCES_KEPT and nonce < self.used[0]:
            raise NONCE_EXPIRED  # "smaller than the current minimum -> rejected as expired"
        self.used.insert(position, nonce)
        if len(self.used) > NONCES_KEPT:
            del self.used[0]  # "the oldest nonce is removed and the new one is added"


@dataclass
class V3Accounts:
    """Who may sign for the simulated account, and the nonce books per signer."""

    user: str
    chain_id: int
    agents: set[str] = field(default_factory=set)
    nonces: dict[str, NonceBook] = field(default_factory=dict)

    def authorised(self, signer: str) -> bool:
        """The user itself or an approved API wallet (addresses compare case-insensitively)."""
        return signer.lower() == self.user.lower() or signer.lower() in self.agents

    def burn(self, signer: object, nonce: object) -> None:
        """Take ``nonce`` out of use for ``signer`` (a nonce the venue refused as expired)."""
        if isinstance(signer, str) and isinstance(nonce, str) and nonce.isdigit():
            book = self.nonces.setdefault(signer.lower(), NonceBook())
            value = int(nonce)
            position = bisect.bisect_left(book.used, value)
            if position == len(book.used) or book.used[position] != value:
                book.used.insert(position, value)
                if len(book.used) > NONCES_KEPT:
                    del book.used[0]

    def verify(self, request: RecordedRequest, params: Params, now_ms: int) -> None:
        """Check a v3 request's ``user``/``signer``/``nonce``/``signature``; raise Aster's refusal."""
        user, signer = params.get("user"), params.get("signer")
        nonce, signature = params.get("nonce"), params.get("signature")
        for name, value in (("user", user), ("signer", signer), ("nonce", nonce), ("signature", signature)):
            if value is None:
                raise mandatory(name)
        assert user is not None and signer is not None and nonce is not None and signature is not None
        if not nonce.isdigit():
            raise mandatory("nonce")
        message = signed_message(request)
        wanted = signer.lower()

        def signed_by_signer(text: str) -> bool:
            address = recover_address(message_digest(text, self.chain_id), signature, checksummed=False)
            return address is not None and address.lower() == wanted

        # the parameters as sent, else sorted (either is accepted); the second recovery, the costly
        # part, only when the first does not match
        if not signed_by_signer(message):
            ordered = urlencode(sorted(parse_qsl(message, keep_blank_values=True)))
            if ordered == message or not signed_by_signer(ordered):
                raise INVALID_SIGNATURE
        if user.lower() != self.user.lower() or not self.authorised(signer):
            raise SIGNATURE_CHECK_FAILED
        self.nonces.setdefault(signer.lower(), NonceBook()).accept(int(nonce), now_ms * 1000)


def verify_v1(request: RecordedRequest, params: Params, api_key: str, secret: str, now_ms: int) -> None:
    """Check a legacy v1 request (header key, timestamp, recvWindow, HMAC); raise Aster's refusal."""
    key = request.headers.get("X-MBX-APIKEY", "")
    if not _LEGACY_KEY.match(key):
        raise BinanceError(-2014, "API-key format invalid.", status=401)
    if not hmac.compare_digest(key, api_key):
        raise BinanceError(-2015, "Invalid API-key, IP, or permissions for action.", status=401)
    timestamp = params.get("timestamp")
    if timestamp is None or not timestamp.isdigit():
        raise mandatory("timestamp")
    window = params.integer("recvWindow")
    window = DEFAULT_RECV_WINDOW if window is None else window
    if not 0 < window <= MAX_RECV_WINDOW:
        raise BinanceError(-1130, "Data sent for parameter 'recvwindow' is not valid.")
    signature = params.get("signature")
    if signature is None:
        raise mandatory("signature")
    if not hmac.compare_digest(signature.lower(), hmac_sign(secret, total_params(request))):
        raise INVALID_SIGNATURE
    if int(timestamp) >= now_ms + 1000:
        raise BinanceError(-1021, "Timestamp for this request was 1000ms ahead of the server's time.")
    if now_ms - int(timestamp) > window:
        raise BinanceError(-1021, "Timestamp for this request is outside of the recvWindow.")

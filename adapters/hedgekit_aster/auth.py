"""How Aster requests are authenticated: v3 API-wallet signatures (EIP-712) and legacy v1 HMAC.

**v3 (recommended).** A signed request carries ``user`` (the main wallet address), ``signer`` (the
API wallet, an agent the user approved), ``nonce`` (microseconds) and ``signature``: an EIP-712
signature by the signer's key over the request's url-encoded parameter string, wrapped as
``Message(string msg)`` in the domain ``AsterSignTransaction`` / version ``1`` / chain id 1666
(testnet 714) / verifying contract ``0x0…0`` (asterdex/api-docs ``V3(Recommended)/EN/
aster-finance-futures-api-v3.md`` §"Example of POST /fapi/v3/order", its testnet twin, and
``demo/aster-code.py`` ``sign_v3``). The main wallet's key is never needed.

The docs disagree on parameter order: the Overview says "sort them by ASCII key order", while every
code sample (and ccxt) signs in insertion order. :class:`V3Signer` sends the parameters sorted by
key *and* signs exactly the string it sends, so the signature holds under either reading.

**v1 (legacy).** ``X-MBX-APIKEY`` header, ``timestamp`` + ``recvWindow`` and ``signature`` = hex
HMAC-SHA256 of the parameter string (``V1(Legacy)/EN/aster-finance-futures-api.md``). "Starting
from March 25, 2026, V1 new API Key creation is no longer supported. Existing API Keys will continue
to work." (``Aster API Overview.md``).

Cryptography: Keccak-256 comes from ``ccxt.static_dependencies`` (shipped with ccxt), the
fixed-shape EIP-712 hash is computed here (checked against ``eth_account`` in the tests), and
secp256k1 signing and public-key recovery come from ``coincurve`` (a requirement of ccxt).
No secret ever appears in a ``repr``, a log line or an exception.
"""

from __future__ import annotations

import abc
import re
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from hedgekit.errors import AuthenticationError
from hedgekit.signing import HmacSha256

from hedgekit_binance.auth import signed_query

__all__ = [
    "MAINNET_CHAIN_ID",
    "TESTNET_CHAIN_ID",
    "BrokenCredentials",
    "HmacSigner",
    "RequestSigner",
    "V3Signer",
    "address_of",
    "checksum_address",
    "is_address",
    "message_digest",
    "private_key_bytes",
    "recover_address",
    "sign_digest",
]

MAINNET_CHAIN_ID = 1666
"""EIP-712 ``chainId`` of mainnet requests (AST3 example ``typed_data``; ccxt ``options['v3ChainId']``)."""
TESTNET_CHAIN_ID = 714
"""EIP-712 ``chainId`` on ``fapi.asterdex-testnet.com`` (testnet doc example; ``demo/aster-code.py``)."""
DOMAIN_NAME = "AsterSignTransaction"
DOMAIN_VERSION = "1"
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"

#: Parameters the v3 scheme adds to a request (AST3 "Authentication signature payload").
V3_AUTH_PARAMS = ("nonce", "signer", "user", "signature")

_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
_KEY = re.compile(r"^(?:0x)?[0-9a-fA-F]{64}$")
_HIGH_NIBBLES = frozenset("89abcdef")
_SIGNATURE_HEX = re.compile(r"[0-9a-fA-F]{130}").fullmatch  # r, s, v: 65 bytes
_SECP256K1_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


# -- primitives ----------------------------------------------------------------------------------
def _keccak_pure(data: bytes) -> bytes:
    from ccxt.static_dependencies.keccak import SHA3

    return bytes(SHA3(data))


def _keccak_native(data: bytes) -> bytes:
    return _crypto_keccak.new(digest_bits=256, data=data).digest()


try:  # pycryptodome's C Keccak: ~7 µs a hash against ~1 ms for ccxt's pure-Python one
    from Crypto.Hash import keccak as _crypto_keccak
except ImportError:  # pragma: no cover - pycryptodome is a dependency; ccxt's copy still works
    _keccak = _keccak_pure
else:
    _keccak = _keccak_native


def keccak(data: bytes) -> bytes:
    """Keccak-256 (Ethereum's, not NIST SHA3-256)."""
    return _keccak(data)


def is_address(value: object) -> bool:
    """Whether ``value`` is a ``0x``-prefixed 20-byte hex address."""
    return isinstance(value, str) and bool(_ADDRESS.match(value))


def checksum_address(address: str) -> str:
    """The EIP-55 mixed-case form of an address.

    Raises:
        ValueError: ``address`` is not a 20-byte hex address.
    """
    if not is_address(address):
        raise ValueError("not a 0x-prefixed 20-byte hex address")
    digits = address[2:].lower()
    digest = keccak(digits.encode()).hex()
    # a letter goes upper case where the digest's hex digit at its place is 8 or more
    return "0x" + "".join(c.upper() if h in _HIGH_NIBBLES else c for c, h in zip(digits, digest))


def private_key_bytes(secret: str) -> bytes:
    """A secp256k1 private key from 64 hex digits (``0x`` optional).

    Raises:
        ValueError: not a valid key; the message never repeats the input.
    """
    if not isinstance(secret, str) or not _KEY.match(secret.strip()):
        raise ValueError("the secret is not a secp256k1 private key (64 hex digits, 0x optional)")
    key = bytes.fromhex(secret.strip().removeprefix("0x"))
    if not 0 < int.from_bytes(key, "big") < _SECP256K1_ORDER:
        raise ValueError("the secret is outside the secp256k1 key range")
    return key


def address_of(private_key: bytes) -> str:
    """The checksummed Ethereum address of a private key."""
    import coincurve

    return _address_of_key(coincurve.PrivateKey(private_key))


def _address_of_key(key: Any) -> str:
    """The checksummed Ethereum address of a ``coincurve.PrivateKey``."""
    public = key.public_key.format(compressed=False)[1:]
    return checksum_address("0x" + keccak(public)[-20:].hex())


def _word(value: int) -> bytes:
    return value.to_bytes(32, "big")


_DOMAIN_TYPE_HASH = b""
_MESSAGE_TYPE_HASH = b""
_DOMAIN_SEPARATORS: dict[int, bytes] = {}


def domain_separator(chain_id: int) -> bytes:
    """EIP-712 ``hashStruct(EIP712Domain)`` of Aster's signing domain for ``chain_id`` (cached)."""
    global _DOMAIN_TYPE_HASH
    separator = _DOMAIN_SEPARATORS.get(chain_id)
    if separator is None:
        if not _DOMAIN_TYPE_HASH:
            _DOMAIN_TYPE_HASH = keccak(
                b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
            )
        separator = keccak(
            _DOMAIN_TYPE_HASH + keccak(DOMAIN_NAME.encode()) + keccak(DOMAIN_VERSION.encode())
            + _word(chain_id) + _word(int(ZERO_ADDRESS, 16))
        )
        _DOMAIN_SEPARATORS[chain_id] = separator
    return separator


def message_digest(message: str, chain_id: int) -> bytes:
    """The EIP-712 hash of ``Message{msg: message}`` in Aster's signing domain.

    ``keccak(0x1901 ‖ domainSeparator ‖ keccak(typeHash("Message(string msg)") ‖ keccak(msg)))``: what
    ``eth_account``'s ``encode_typed_data`` + ``sign_message`` sign in the AST3 sample, computed
    directly (the domain and type hashes are constants).
    """
    global _MESSAGE_TYPE_HASH
    if not _MESSAGE_TYPE_HASH:
        _MESSAGE_TYPE_HASH = keccak(b"Message(string msg)")
    struct_hash = keccak(_MESSAGE_TYPE_HASH + keccak(message.encode()))
    return keccak(b"\x19\x01" + domain_separator(chain_id) + struct_hash)


def sign_digest(digest: bytes, private_key: bytes) -> str:
    """``0x`` + r + s + v (v = 27/28), the form ``eth_account`` and ccxt produce."""
    import coincurve

    return _signature_text(coincurve.PrivateKey(private_key), digest)


def _signature_text(key: Any, digest: bytes) -> str:
    """``0x`` + r + s + v of ``digest`` signed by a ``coincurve.PrivateKey``."""
    raw: bytes = key.sign_recoverable(digest, hasher=None)
    return "0x" + raw[:64].hex() + format(27 + raw[64], "02x")


def recover_address(digest: bytes, signature: str, *, checksummed: bool = True) -> str | None:
    """The address that produced ``signature`` over ``digest`` (EIP-55 checksummed, or lower case
    with ``checksummed=False``, which saves a hash for a caller that compares case-insensitively);
    ``None`` if malformed.

    Accepts 65-byte signatures with or without ``0x`` and with v in {0, 1, 27, 28}.
    """
    import coincurve

    text = signature[2:] if signature.lower().startswith("0x") else signature
    if not _SIGNATURE_HEX(text):
        return None
    raw = bytes.fromhex(text)
    v = raw[64] - 27 if raw[64] >= 27 else raw[64]
    if v not in (0, 1):
        return None
    try:
        public = coincurve.PublicKey.from_signature_and_message(raw[:64] + bytes([v]), digest, hasher=None)
    except ValueError:
        return None
    address = "0x" + keccak(public.format(compressed=False)[1:])[-20:].hex()
    return checksum_address(address) if checksummed else address


# -- request signers -----------------------------------------------------------------------------
class RequestSigner(abc.ABC):
    """Turns a request's parameters into the signed parameter string (and headers) Aster expects.

    ``offset_ms`` is the venue's clock minus this machine's, set by a time resync.
    """

    version: str = ""
    offset_ms: int = 0

    @abc.abstractmethod
    def sign(self, params: Mapping[str, str]) -> tuple[str, dict[str, str]]:
        """The url-encoded parameter string with its signature, and extra headers."""


class V3Signer(RequestSigner):
    """Signs v3 requests as the API wallet ``private_key`` on behalf of ``user``.

    Args:
        user: The main wallet address (the account).
        private_key: The API wallet's private key (32 bytes).
        chain_id: The EIP-712 chain id (1666 mainnet, 714 testnet).

    Example::

        signer = V3Signer("0x63DD…7C4e", private_key_bytes(SECRET), MAINNET_CHAIN_ID)
        query, headers = signer.sign({"symbol": "BTCUSDT"})   # …&signature=0x…
    """

    version = "v3"

    def __init__(self, user: str, private_key: bytes, chain_id: int) -> None:
        self.user = checksum_address(user)
        import coincurve

        self._key = coincurve.PrivateKey(private_key)  # this signer's own; made once, not per request
        self.signer = _address_of_key(self._key)
        self.chain_id = chain_id
        self._last_nonce = 0

    def __repr__(self) -> str:
        return f"V3Signer(user={self.user!r}, signer={self.signer!r}, chain_id={self.chain_id})"

    def nonce(self) -> int:
        """Microseconds on the venue's clock, strictly increasing in this process.

        "Clients should use the current timestamp (microsecond precision)"; a reused nonce is
        refused (AST3 "V3 Nonce Mechanism").
        """
        now = time.time_ns() // 1000 + self.offset_ms * 1000
        self._last_nonce = max(now, self._last_nonce + 1)
        return self._last_nonce

    def sign(self, params: Mapping[str, str]) -> tuple[str, dict[str, str]]:
        pairs = {k: str(v) for k, v in params.items() if k not in V3_AUTH_PARAMS}
        chosen = params.get("nonce")  # a nonce the caller fixed (an order and the noop that voids it)
        pairs.update(nonce=str(chosen) if chosen else str(self.nonce()), user=self.user, signer=self.signer)
        text = urlencode(sorted(pairs.items()))
        signature = _signature_text(self._key, message_digest(text, self.chain_id))
        return f"{text}&signature={signature}", {}


class HmacSigner(RequestSigner):
    """Signs legacy v1 requests: ``X-MBX-APIKEY`` + ``timestamp``/``recvWindow`` + hex HMAC-SHA256."""

    version = "v1"

    def __init__(self, api_key: str, secret: str, recv_window: int) -> None:
        self._api_key = api_key
        self._key = HmacSha256(secret.encode())
        self.recv_window = recv_window

    def __repr__(self) -> str:
        return f"HmacSigner(recv_window={self.recv_window})"

    def sign(self, params: Mapping[str, str]) -> tuple[str, dict[str, str]]:
        # Binance's scheme, so Binance's signer: timestamp, the parameters, recvWindow, signature
        pairs = {k: v for k, v in params.items() if k != "recvWindow"}
        timestamp = int(time.time() * 1000) + self.offset_ms
        return signed_query(self._key, pairs, timestamp, self.recv_window), {"X-MBX-APIKEY": self._api_key}


class BrokenCredentials(RequestSigner):
    """Credentials that cannot sign: every signed request fails with ``AuthenticationError``, unsent."""

    def __init__(self, reason: str, version: str = "v3") -> None:
        self.reason = reason
        self.version = version

    def __repr__(self) -> str:
        return f"BrokenCredentials({self.reason!r})"

    def sign(self, params: Mapping[str, str]) -> tuple[str, dict[str, str]]:
        raise AuthenticationError(self.reason, venue="aster")

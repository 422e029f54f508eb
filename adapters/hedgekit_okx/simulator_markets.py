"""The instruments the simulated OKX venue lists, in ``GET /api/v5/public/instruments`` form.

BTC-USDT-SWAP and ETH-USDT-SWAP are field-for-field the live records of 2026-09-25 (reproduced in
a public test fixture of an OKX adapter: ``ctVal`` 0.01 BTC / 0.1 ETH, ``lotSz`` = ``minSz`` = 0.01
contracts, ``tickSz`` 0.1 / 0.01, ``lever`` 100, ``maxMktSz`` 35000 / 90000, ``maxLmtSz``
100000000) with their live position tier 1 (``imr`` 0.01, ``mmr`` 0.004, ``maxLever`` 100).
SOL-USDT-SWAP (``ctVal`` 1) and ADA-USDT-SWAP (``ctVal`` 100, ``lotSz`` 0.1) take ``ctVal``,
``lotSz`` and ``minSz`` from a 2025 snapshot of the same endpoint; their tick size, leverage,
size caps and maintenance rate are plausible values that may drift from live ones.

Every field of the live record is served (empty strings where the venue writes them), so that
ccxt's ``parse_market`` and python-okx read the listing as they read the venue's.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from hedgekit.testing.engine_types import Market


@dataclass(frozen=True)
class InstrumentSpec:
    """One row of the listing table."""

    inst_id: str
    base: str
    ct_val: str
    lot_sz: str
    min_sz: str
    tick_sz: str
    lever: str
    max_mkt_sz: str
    max_lmt_sz: str
    mmr: str
    list_time: str
    inst_id_code: int
    default_mark: str

    @property
    def symbol(self) -> str:
        """The unified symbol, ``BTC/USDT:USDT``."""
        return f"{self.base}/USDT:USDT"

    @property
    def contract_value(self) -> Decimal:
        """``ctVal``: base units per contract."""
        return Decimal(self.ct_val)


SPECS: tuple[InstrumentSpec, ...] = (
    InstrumentSpec("BTC-USDT-SWAP", "BTC", "0.01", "0.01", "0.01", "0.1", "100", "35000", "100000000",
                   "0.004", "1573557408000", 10459, "60000"),
    InstrumentSpec("ETH-USDT-SWAP", "ETH", "0.1", "0.01", "0.01", "0.01", "100", "90000", "100000000",
                   "0.004", "1573557408000", 10461, "3000"),
    InstrumentSpec("SOL-USDT-SWAP", "SOL", "1", "0.01", "0.01", "0.01", "50", "50000", "100000000",
                   "0.005", "1611916828000", 10655, "150"),
    InstrumentSpec("ADA-USDT-SWAP", "ADA", "100", "0.1", "0.1", "0.0001", "50", "50000", "100000000",
                   "0.005", "1611916828000", 10507, "0.5"),
)
SPECS_BY_ID = {spec.inst_id: spec for spec in SPECS}


def engine_market(spec: InstrumentSpec) -> Market:
    """The engine's view of an instrument: sizes in base units (contracts × ``ctVal``)."""
    ct_val = spec.contract_value
    return Market(
        symbol_id=spec.inst_id,
        symbol=spec.symbol,
        base=spec.base,
        quote="USDT",
        settle="USDT",
        tick_size=Decimal(spec.tick_sz),
        lot_step=Decimal(spec.lot_sz) * ct_val,
        min_qty=Decimal(spec.min_sz) * ct_val,
        max_qty=Decimal(spec.max_lmt_sz) * ct_val,
        market_max_qty=Decimal(spec.max_mkt_sz) * ct_val,
        min_notional=Decimal(0),  # OKX swaps have a minimum size, no minimum notional
        max_leverage=int(spec.lever),
        maintenance_margin_rate=Decimal(spec.mmr),
    )


def instrument(spec: InstrumentSpec) -> dict[str, Any]:
    """The instrument row, in the live record's field order."""
    return {
        "alias": "", "auctionEndTime": "", "baseCcy": "", "category": "1",
        "contTdSwTime": "1611916860000", "ctMult": "1", "ctType": "linear", "ctVal": spec.ct_val,
        "ctValCcy": spec.base, "expTime": "", "floatPxLmtPct": "0.005", "freq": "",
        "futureSettlement": False, "groupId": "4", "initPxLmtPct": "0.02", "instCategory": "1",
        "instFamily": f"{spec.base}-USDT", "instId": spec.inst_id, "instIdCode": spec.inst_id_code,
        "instType": "SWAP", "lever": spec.lever, "listTime": spec.list_time,
        "longPosRemainingQuota": "", "lotSz": spec.lot_sz,
        "maxIcebergSz": f"{spec.max_lmt_sz}.0000000000000000", "maxLmtAmt": "20000000",
        "maxLmtSz": spec.max_lmt_sz, "maxMktAmt": "", "maxMktSz": spec.max_mkt_sz,
        "maxPlatOICoinLmt": "", "maxPlatOILmt": "", "maxPxLmtPct": "0.01",
        "maxStopSz": spec.max_mkt_sz, "maxTriggerSz": f"{spec.max_lmt_sz}.0000000000000000",
        "maxTwapSz": f"{spec.max_lmt_sz}.0000000000000000", "method": "", "minSz": spec.min_sz,
        "openType": "call_auction", "optType": "", "posLmtAmt": "250000", "posLmtPct": "30",
        "preMktSwTime": "", "quoteCcy": "", "rpiMinLevel": "3", "rpiMinPxBand": "20",
        "ruleType": "normal", "seriesId": "", "settleCcy": "USDT", "shortPosRemainingQuota": "",
        "state": "live", "stk": "", "tickSz": spec.tick_sz, "tradeQuoteCcyList": [],
        "uly": f"{spec.base}-USDT", "upcChg": [],
    }

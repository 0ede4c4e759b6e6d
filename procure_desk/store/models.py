"""The tables of a .pdesk evaluation file (one evaluation per file).

Ids are the user's own (``B1``, ``Q1``...) so that a file, its exports and the
interchange JSON all speak of the same records. ``position`` keeps the order
the user gave. Children cascade on delete; the service layer reads what a
delete removes first, so the audit log and undo keep it.
"""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class Meta(SQLModel, table=True):
    key: str = Field(primary_key=True)
    value: str


class Evaluation(SQLModel, table=True):
    id: int = Field(default=1, primary_key=True)
    title: str
    reference: str = ""
    authority: str = ""
    currency: str = "GBP"
    scale_max: float = 5
    scale_step: float = 1
    descriptors: str = "{}"  # JSON object: score -> words
    years: int = 5
    discount_rate: float = 0.035
    cost_basis: str = "npv"
    spread_flag: float = 2
    procedure: str = "options_appraisal"  # or competitive_tender (docs/scoring.md)
    marking: str = "OFFICIAL-SENSITIVE: COMMERCIAL"  # the security marking on documents
    abnormally_low: float = 0.2
    award: str | None = None  # JSON: notice_date, standstill_days, contact
    ocid_prefix: str | None = None


class Criterion(SQLModel, table=True):
    id: str = Field(primary_key=True)
    position: int = Field(index=True)
    name: str
    kind: str
    weight: float | None = None
    parent_id: str | None = Field(default=None, foreign_key="criterion.id",
                                  ondelete="CASCADE", index=True)
    min_score: float | None = None
    guidance: str | None = None
    formula: str | None = None
    descriptors: str | None = None  # JSON object, scored criteria only


class Bid(SQLModel, table=True):
    id: str = Field(primary_key=True)
    position: int = Field(index=True)
    supplier: str
    option_type: str
    sme: bool = False
    term_years: int | None = None
    notes: str = ""
    tender: bool = False  # a supplier's tender (competes in a competitive tender)
    supplier_id: str | None = None  # JSON: {"scheme", "id"} (e.g. GB-COH and a number)


class CostLine(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    bid_id: str = Field(foreign_key="bid.id", ondelete="CASCADE", index=True)
    position: int
    item: str
    category: str
    amount: float
    start_year: int
    years: int


class Evaluator(SQLModel, table=True):
    id: str = Field(primary_key=True)
    position: int = Field(index=True)
    name: str
    role: str = ""
    declared_on: str | None = None  # the declaration of interests: ISO date (None: none yet)
    interests: str | None = None  # what was declared ("" is a nil return)
    submitted_at: str | None = None  # when the evaluator signed off their scores (UTC)


class Conflict(SQLModel, table=True):
    evaluator_id: str = Field(foreign_key="evaluator.id", ondelete="CASCADE",
                              primary_key=True)
    bid_id: str = Field(foreign_key="bid.id", ondelete="CASCADE", primary_key=True)
    position: int
    declared_on: str = ""  # ISO date the declaration was made
    nature: str = ""  # what the interest is
    mitigation: str = ""  # what was agreed to manage it


class Score(SQLModel, table=True):
    evaluator_id: str = Field(foreign_key="evaluator.id", ondelete="CASCADE",
                              primary_key=True)
    bid_id: str = Field(foreign_key="bid.id", ondelete="CASCADE", primary_key=True)
    criterion_id: str = Field(foreign_key="criterion.id", ondelete="CASCADE",
                              primary_key=True)
    position: int = Field(index=True)
    score: float
    comment: str = ""


class Consensus(SQLModel, table=True):
    bid_id: str = Field(foreign_key="bid.id", ondelete="CASCADE", primary_key=True)
    criterion_id: str = Field(foreign_key="criterion.id", ondelete="CASCADE",
                              primary_key=True)
    position: int
    score: float
    rationale: str


class Gateway(SQLModel, table=True):
    bid_id: str = Field(foreign_key="bid.id", ondelete="CASCADE", primary_key=True)
    criterion_id: str = Field(foreign_key="criterion.id", ondelete="CASCADE",
                              primary_key=True)
    position: int
    passed: bool
    note: str = ""


class Feedback(SQLModel, table=True):
    """Reasons written for the bidder (kept apart from evaluators' internal comments)."""

    bid_id: str = Field(foreign_key="bid.id", ondelete="CASCADE", primary_key=True)
    criterion_id: str = Field(foreign_key="criterion.id", ondelete="CASCADE",
                              primary_key=True)
    position: int
    text: str


class Partner(SQLModel, table=True):
    id: str = Field(primary_key=True)
    position: int = Field(index=True)
    name: str
    population: int = 0
    baseline_annual_cost: float = 0


class Apportionment(SQLModel, table=True):
    bid_id: str = Field(foreign_key="bid.id", ondelete="CASCADE", primary_key=True)
    method: str
    all_partners: bool = True  # partners not listed: every partner shares


class ApportionmentShare(SQLModel, table=True):
    bid_id: str = Field(foreign_key="apportionment.bid_id", ondelete="CASCADE",
                        primary_key=True)
    partner_id: str = Field(foreign_key="partner.id", ondelete="CASCADE", primary_key=True)
    position: int
    share: float | None = None  # percent, custom method only


class AuditEvent(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    at: str = Field(index=True)  # ISO 8601, UTC
    actor: str
    action: str  # e.g. "score.set", "bid.delete", "import.json"
    entity: str  # e.g. "score", "bid"
    entity_id: str  # e.g. "E1/B2/Q1"
    before: str | None = None  # JSON
    after: str | None = None  # JSON
    # The audit chain (docs/audit-chain.md): the event before's hash, a digest of the
    # evaluation's data as this event's transaction left it, and this event's own hash.
    prev_hash: str | None = None
    data_digest: str | None = None
    hash: str | None = None

"""Server evaluations' addresses: whether a name is one rather than a file, and what
it names (libpq's part, the evaluation, its schema), told without importing the
database libraries, so read-only commands stay light.

Address: ``postgresql://[login@]host[:port]/database?evaluation=REF`` (any libpq
parameter may follow). Each evaluation lives in its own schema, listed in the
catalogue table ``procuredesk.evaluation``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..errors import BadInput

SCHEMES = ("postgresql:", "postgres:")


def is_address(value: object) -> bool:
    """Whether `value` names a server evaluation rather than a file."""
    return isinstance(value, str) and value.lower().startswith(SCHEMES)


CATALOGUE = "procuredesk"


@dataclass(frozen=True)
class Address:
    """A parsed server address: libpq's part, the evaluation's reference and names."""

    conninfo: str  # the address without `evaluation`, as libpq takes it
    reference: str
    database: str
    host: str

    @classmethod
    def parse(cls, value: str, *, need_reference: bool = True) -> Address:
        parts = urlsplit(value)
        query = parse_qsl(parts.query, keep_blank_values=True)
        refs = [v for k, v in query if k == "evaluation"]
        rest = [(k, v) for k, v in query if k != "evaluation"]
        if need_reference and (not refs or not refs[0].strip()):
            raise BadInput.one(shown(value), "names no evaluation: add "
                                             "?evaluation=REFERENCE to the address")
        scheme = "postgresql"
        conninfo = urlunsplit((scheme, parts.netloc, parts.path, urlencode(rest), ""))
        params = dict(rest)
        database = parts.path.lstrip("/") or params.get("dbname") or params.get("service", "")
        host = parts.hostname or params.get("host", "") or "localhost"
        return cls(conninfo, refs[0].strip() if refs else "", database, host)

    @property
    def schema(self) -> str:
        return schema_name(self.reference)

    @property
    def shown(self) -> str:
        """How the evaluation is named to a user (no login, no password)."""
        return f"postgresql:{self.database}/{self.reference}"


def shown(value: str) -> str:
    """An address as it may be shown: any login and password removed."""
    parts = urlsplit(value)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("password", "user")]
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query), ""))


def schema_name(reference: str) -> str:
    """The schema an evaluation lives in: readable, unique, within PostgreSQL's 63 bytes."""
    slug = re.sub(r"[^a-z0-9]+", "_", reference.lower()).strip("_")[:30] or "evaluation"
    tag = hashlib.sha256(reference.encode()).hexdigest()[:8]
    return f"ev_{slug}_{tag}"

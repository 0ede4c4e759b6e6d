"""The floors the command-line goals are measured against, each a fresh process.

A floor is the least any program must do for the same result, measured in the same
run on the same machine, so the ratio of a command to its floor stays meaningful
however loaded the machine is:
- `import`: read the interchange file, check it (`interchange.validate`, the one set
  of rules) and insert the same rows into a file of the same schema with sqlite3's
  `executemany`, in one transaction;
- `read`: import numpy and sqlite3 and read the score table raw into arrays.

Run as `python -m benchmarks.floors import SRC SCHEMA_FROM OUT` or
`python -m benchmarks.floors read PDESK`.
"""

from __future__ import annotations

import sys


def import_floor(src: str, schema_from: str, out: str) -> None:
    import sqlite3

    from procure_desk.interchange import read_json_file, validate

    doc = validate(read_json_file(src))
    old = sqlite3.connect(schema_from)
    tables = [sql for (sql,) in old.execute(
        "SELECT sql FROM sqlite_master WHERE type IN ('table', 'index') AND sql IS NOT NULL")]
    old.close()
    con = sqlite3.connect(out, isolation_level=None)
    con.execute("PRAGMA journal_mode = DELETE")
    con.execute("PRAGMA synchronous = FULL")
    con.execute("BEGIN")
    for sql in tables:
        con.execute(sql)
    con.executemany("INSERT INTO criterion (id, position, name, kind, weight, parent_id) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    ((c["id"], i, c["name"], c["kind"], c.get("weight"), c.get("parent"))
                     for i, c in enumerate(doc["criteria"])))
    con.executemany("INSERT INTO bid (id, position, supplier, option_type, sme, notes, tender) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    ((b["id"], i, b["supplier"], b["option_type"], b["sme"], b["notes"],
                      b.get("tender", False)) for i, b in enumerate(doc["bids"])))
    con.executemany("INSERT INTO costline (bid_id, position, item, category, amount, "
                    "start_year, years) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    ((b["id"], j, line["item"], line["category"], line["amount"],
                      line["start_year"], line["years"])
                     for b in doc["bids"] for j, line in enumerate(b["costs"])))
    con.executemany("INSERT INTO evaluator (id, position, name, role) VALUES (?, ?, ?, ?)",
                    ((e["id"], i, e["name"], e["role"])
                     for i, e in enumerate(doc["evaluators"])))
    con.executemany("INSERT INTO score (evaluator_id, bid_id, criterion_id, position, score, "
                    "comment) VALUES (?, ?, ?, ?, ?, ?)",
                    ((r["evaluator"], r["bid"], r["criterion"], i, r["score"], r["comment"])
                     for i, r in enumerate(doc["scores"])))
    con.executemany("INSERT INTO consensus (bid_id, criterion_id, position, score, rationale) "
                    "VALUES (?, ?, ?, ?, ?)",
                    ((r["bid"], r["criterion"], i, r["score"], r["rationale"])
                     for i, r in enumerate(doc["consensus"])))
    con.executemany("INSERT INTO gateway (bid_id, criterion_id, position, passed, note) "
                    "VALUES (?, ?, ?, ?, ?)",
                    ((r["bid"], r["criterion"], i, r["passed"], r["note"])
                     for i, r in enumerate(doc["gateways"])))
    con.execute("COMMIT")
    con.close()


def read_floor(pdesk: str) -> None:
    import sqlite3

    import numpy as np

    con = sqlite3.connect(pdesk)
    rows = con.execute("SELECT evaluator_id, bid_id, criterion_id, score FROM score").fetchall()
    np.array([r[3] for r in rows], dtype=float)
    con.close()


if __name__ == "__main__":
    if sys.argv[1] == "import":
        import_floor(*sys.argv[2:5])
    else:
        read_floor(sys.argv[2])

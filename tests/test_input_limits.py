"""The input limits (docs/bad-input.md): ids, names, long texts, hidden characters,
counts and depth, through `validate`, the command line and the edits of a file."""

from __future__ import annotations

import json
import time

import pytest
from helpers import example

from procure_desk import interchange
from procure_desk.cli import main
from procure_desk.errors import BadInput
from procure_desk.interchange import id_problem, limits, safe_id, safe_text, validate
from procure_desk.services import EvaluationFile


def problems(d: dict, *, strict: bool = True) -> list[str]:
    """The messages `validate` gives, as `where: message` lines ([] if accepted)."""
    try:
        validate(d, strict=strict)
    except BadInput as exc:
        return [str(p) for p in exc.problems]
    return []


def refused_once(d: dict, where: str) -> str:
    """The one message about `where` (and there must be exactly one)."""
    found = problems(d)
    about = [m for m in found if m.startswith(f"{where}: ")]
    assert len(about) == 1, found
    return about[0][len(where) + 2:]


# ---- ids -------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", ["B?", "B*", "B~1", "B 1", "Bé", "B/1", "B:1", "=B1", "B\u00a01"])
def test_an_id_holds_only_letters_digits_dot_underscore_and_hyphen(bad):
    d = example()
    d["bids"][1]["id"] = bad
    for key in ("scores", "consensus", "gateways"):  # references follow the new id
        for r in d[key]:
            if r["bid"] == "B2":
                r["bid"] = bad
    d["evaluators"][1]["conflicts"] = [bad]
    message = refused_once(d, "bids[1].id")
    assert message.startswith(f'{json.dumps(bad, ensure_ascii=False)} may hold only the letters '
                              'A-Z and a-z, digits, ".", "_" and "-"') or "space" in message
    # one message: references to the refused id do not repeat it
    assert len(problems(d)) == 1


@pytest.mark.parametrize(("key", "index"), [("criteria", 2), ("evaluators", 0),
                                            ("partners", 0)])
def test_every_kind_of_id_follows_the_rule(key, index):
    d = example()
    d[key][index]["id"] = "X?"
    assert "may hold only" in problems(d)[0]
    assert problems(d)[0].startswith(f"{key}[{index}].id: ")


def test_an_id_of_40_characters_is_accepted_and_41_refused():
    d = example()
    d["partners"][0]["id"] = "C" * 40
    assert problems(d) == []
    d["partners"][0]["id"] = "C" * 41
    assert "an id has at most 40" in refused_once(d, "partners[0].id")


def test_ids_may_use_dots_underscores_and_hyphens():
    d = example()
    d["partners"][0]["id"] = "North_Kesteven-1.2"
    assert problems(d) == []


def test_a_reference_to_a_missing_id_still_says_what_it_is_not():
    d = example()
    d["scores"][0]["bid"] = "B?"
    assert refused_once(d, "scores[0].bid") == '"B?" is not a bid'


def test_id_problem_names_the_character():
    assert id_problem("B1") is None
    assert id_problem("B?") == ('"B?" may hold only the letters A-Z and a-z, digits, ".", "_" '
                                'and "-" ("?" at character 2 is not allowed)')
    assert id_problem(None) == "is required (non-blank text)"
    assert id_problem(7) == "7 is not text"
    assert "right-to-left override (U+202E) at character 2" in id_problem("B\u202e1")


# ---- safe_id: old ids made valid --------------------------------------------------------

def test_safe_id_replaces_each_character_not_allowed():
    assert safe_id("B?", set()) == "B_"
    assert safe_id("Lot 1 / A", set()) == "Lot_1___A"
    assert safe_id("Bé", set()) == "B_"
    assert safe_id("", set()) == "_"


def test_safe_id_numbers_a_clash():
    assert safe_id("B?", {"B_"}) == "B_-2"
    assert safe_id("B?", {"B_", "B_-2"}) == "B_-3"
    assert safe_id("B1", {"B2"}) == "B1"  # a valid id not taken comes back unchanged


def test_safe_id_cuts_to_40_with_room_for_the_number():
    long = "Q" * 60
    assert safe_id(long, set()) == "Q" * 40
    assert safe_id(long, {"Q" * 40}) == "Q" * 38 + "-2"


def test_safe_id_always_gives_valid_distinct_ids():
    old = ["B?", "B*", "B_", " B1 ", "B\u202e1", "half \ud800", "x" * 100, "x" * 101, "", "Bé",
           "B1"]
    taken: set[str] = set()
    for value in old:
        new = safe_id(value, taken)
        assert id_problem(new) is None, (value, new)
        assert new not in taken
        taken.add(new)


def test_safe_text_repairs_old_text_and_keeps_good_text():
    assert safe_text("Kestrel\nSystems\tLtd") == "Kestrel Systems Ltd"
    assert safe_text("Evil\u202eLtd") == "EvilLtd"
    assert safe_text("x" * 300) == "x" * limits.MAX_NAME
    assert safe_text("Café  Ltd") == "Café  Ltd"
    assert safe_text("line\r\nbreak\x07", one_line=False, limit=limits.MAX_TEXT) == "line\nbreak"
    assert interchange.name_problem(safe_text("A\u200bB\u00adC\ud800")) is None


# ---- names and long texts --------------------------------------------------------------

NAME_FIELDS = [
    ("evaluation", "title"), ("evaluation", "authority"), ("bids.0", "supplier"),
    ("criteria.1", "name"), ("evaluators.0", "name"), ("evaluators.0", "role"),
    ("partners.0", "name"), ("bids.0.costs.0", "item"),
]
LONG_FIELDS = [
    ("scores.0", "comment"), ("consensus.0", "rationale"), ("gateways.0", "note"),
    ("bids.0", "notes"), ("criteria.1", "guidance"),
]


def _record(d: dict, path: str) -> dict:
    node = d
    for part in path.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def _where(path: str, field: str) -> str:
    parts = path.split(".")
    out = parts[0]
    for p in parts[1:]:
        out += f"[{p}]" if p.isdigit() else f".{p}"
    return f"{out}.{field}"


@pytest.mark.parametrize(("path", "field"), NAME_FIELDS)
def test_a_name_is_at_most_200_characters(path, field):
    d = example()
    _record(d, path)[field] = "n" * limits.MAX_NAME
    assert problems(d) == []
    _record(d, path)[field] = "n" * (limits.MAX_NAME + 1)
    assert refused_once(d, _where(path, field)) == ("is 201 characters long; at most 200 are "
                                                    "allowed")


def test_the_reference_is_at_most_100_characters():
    d = example()
    d["evaluation"]["reference"] = "R" * 101
    assert "at most 100" in refused_once(d, "evaluation.reference")


@pytest.mark.parametrize(("char", "said"), [
    ("\n", "a line break (U+000A)"), ("\t", "a tab (U+0009)"),
    ("\r", "a carriage return (U+000D)"), ("\x07", "a control character (U+0007)"),
    ("\u0085", "a control character (U+0085)"), ("\u200f", "right-to-left mark (U+200F)"),
    ("\u200b", "zero width space (U+200B)"), ("\u00ad", "soft hyphen (U+00AD)"),
    ("\u2028", "a line separator (U+2028)"),
])
@pytest.mark.parametrize(("path", "field"), NAME_FIELDS)
def test_a_name_is_one_line_of_visible_text(path, field, char, said):
    d = example()
    _record(d, path)[field] = f"Kes{char}trel"
    message = refused_once(d, _where(path, field))
    assert said in message
    assert "at character 4" in message
    assert char not in message


@pytest.mark.parametrize(("path", "field"), LONG_FIELDS)
def test_a_long_text_is_at_most_20000_characters(path, field):
    d = example()
    _record(d, path)[field] = "t" * limits.MAX_TEXT
    assert problems(d) == []
    _record(d, path)[field] = "t" * (limits.MAX_TEXT + 1)
    assert "at most 20,000" in refused_once(d, _where(path, field))


@pytest.mark.parametrize(("path", "field"), LONG_FIELDS)
def test_a_long_text_keeps_tabs_line_breaks_and_direction_marks(path, field):
    d = example()
    text = "Line one\n\tindented \u05e9\u05dc\u05d5\u05dd\u200f (ref. 4.2)\u200d"
    _record(d, path)[field] = text
    assert _record(validate(d), path)[field] == text


def test_a_carriage_return_in_a_long_text_is_read_as_a_line_break():
    d = example()
    d["scores"][0]["comment"] = "Windows\r\nline\rends"
    assert validate(d)["scores"][0]["comment"] == "Windows\nline\nends"


@pytest.mark.parametrize(("char", "said"), [
    ("\x00", "a control character (U+0000)"), ("\x1b", "a control character (U+001B)"),
    ("\u2029", "a paragraph separator (U+2029)"), ("\ufeff", "byte order mark"),
    ("\U000e0041", "tag latin capital letter a (U+E0041)"),
])
@pytest.mark.parametrize(("path", "field"), LONG_FIELDS)
def test_a_long_text_refuses_control_and_hidden_characters(path, field, char, said):
    d = example()
    _record(d, path)[field] = f"ab{char}c"
    message = refused_once(d, _where(path, field))
    assert said in message
    assert message.endswith("at character 3")


def test_a_huge_text_or_field_name_is_refused_quickly_and_shown_short():
    d = example()
    d["bids"][0]["supplier"] = "é" * 5_000_000
    d["bids"][0]["x" * 1_000_000] = 1
    started = time.perf_counter()
    found = problems(d)
    assert time.perf_counter() - started < 2
    assert "bids[0].supplier: is 5,000,000 characters long; at most 200 are allowed" in found
    unknown = [m for m in found if "known field" in m]
    assert unknown == ["bids[0]." + "x" * 60 + "…: is not a known field"]


def test_a_descriptor_is_one_line_of_at_most_500_characters():
    d = example()
    d["evaluation"]["scale"]["descriptors"] = {"0": "x" * 501, "1": "a\nb"}
    assert "at most 500" in refused_once(d, "evaluation.scale.descriptors.0")
    assert "line break" in refused_once(d, "evaluation.scale.descriptors.1")


# ---- characters refused in any string ----------------------------------------------------

DIRECTION = {
    "\u202a": "left-to-right embedding", "\u202b": "right-to-left embedding",
    "\u202c": "pop directional formatting", "\u202d": "left-to-right override",
    "\u202e": "right-to-left override", "\u2066": "left-to-right isolate",
    "\u2067": "right-to-left isolate", "\u2068": "first strong isolate",
    "\u2069": "pop directional isolate",
}


@pytest.mark.parametrize("char", list(DIRECTION))
def test_direction_overrides_and_isolates_are_refused_even_in_long_texts(char):
    d = example()
    d["scores"][0]["comment"] = f"Good{char} answer"
    message = refused_once(d, "scores[0].comment")
    assert message == (f"contains an invisible {DIRECTION[char]} (U+{ord(char):04X}) "
                       "at character 5")


def test_the_message_names_the_override_and_never_repeats_the_text():
    d = example()
    d["bids"][0]["supplier"] = "Evil\u202eLtd"
    assert problems(d) == ["bids[0].supplier: contains an invisible right-to-left override "
                           "(U+202E) at character 5"]


def test_an_unpaired_surrogate_is_refused_and_not_echoed():
    d = example()
    d["gateways"][0]["note"] = "ok \ud83d then"
    message = refused_once(d, "gateways[0].note")
    assert message == ("contains a damaged character (half of a surrogate pair, U+D83D) "
                       "at character 4")
    message.encode("utf-8")  # printable anywhere


@pytest.mark.parametrize("where", ["scores.0.bid", "evaluators.1.conflicts.0",
                                   "criteria.1.parent", "bids.0.option_type"])
def test_hidden_characters_in_a_reference_or_choice_give_one_message(where):
    d = example()
    *head, last = where.split(".")
    node = _record(d, ".".join(head))
    node[int(last) if isinstance(node, list) else last] = "B2\u2066"
    expected = _where(".".join(head[:-1]) or head[0], head[-1]) if last.isdigit() else None
    found = problems(d)
    assert len(found) == 1, found
    assert "left-to-right isolate (U+2066) at character 3" in found[0]
    assert "\u2066" not in found[0]
    if expected:
        assert found[0].startswith(f"{expected}[{last}]: ")


def test_a_hidden_character_in_a_field_name_is_refused_without_echoing_it():
    d = example()
    d["evaluation"]["scale"]["descriptors"] = {"3\u202e": "Fine"}
    d["bids"][0]["sup\u200bplier"] = "x"
    found = problems(d)
    assert found == [
        "evaluation.scale.descriptors: a field name contains an invisible right-to-left "
        "override (U+202E) at character 2",
        "bids[0]: a field name contains an invisible zero width space (U+200B) at character 4",
    ]


def test_every_unicode_format_character_is_refused_in_a_name():
    import sys
    import unicodedata

    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        if unicodedata.category(ch) in ("Cf", "Cc", "Zl", "Zp"):
            assert interchange.name_problem(f"A{ch}B") is not None, hex(code)


def test_q_escapes_what_it_quotes():
    assert interchange.q("B\u202e1") == '"B\\u202e1"'
    assert interchange.q("x\ud800") == '"x\\ud800"'
    assert interchange.q("\U000e0041") == '"\\U000e0041"'
    assert interchange.q("Café") == '"Café"'
    assert len(interchange.q("y" * 10_000)) < 110


# ---- counts ------------------------------------------------------------------------------

def _many(d: dict, key: str, n: int) -> None:
    if key == "bids":
        d["bids"] = [dict(d["bids"][0], id=f"B{i}") for i in range(n)]
        d["scores"], d["consensus"], d["gateways"] = [], [], []
        d["evaluators"][1]["conflicts"] = []
    elif key == "criteria":
        d["criteria"] += [{"id": f"X{i}", "name": f"Q {i}", "kind": "scored", "weight": 1,
                           "parent": "Q"} for i in range(n - len(d["criteria"]))]
    elif key == "evaluators":
        d["evaluators"] = [{"id": f"E{i}", "name": f"Evaluator {i}"} for i in range(n)]
        d["scores"] = []
    elif key == "partners":
        d["partners"] = [{"id": f"C{i}", "name": f"Council {i}"} for i in range(n)]


@pytest.mark.parametrize(("key", "limit", "word"), [
    ("bids", limits.MAX_BIDS, "bids"), ("criteria", limits.MAX_CRITERIA, "criteria"),
    ("evaluators", limits.MAX_EVALUATORS, "evaluators"),
    ("partners", limits.MAX_PARTNERS, "partners"),
])
def test_a_list_at_its_limit_is_accepted_and_one_more_refused(key, limit, word):
    d = example()
    _many(d, key, limit)
    assert problems(d) == []
    _many(d, key, limit + 1)
    assert problems(d) == [f"{key}: {limit + 1:,} {word}; an evaluation may have at most "
                           f"{limit:,}"]


def test_cost_lines_are_limited_per_bid_and_per_file():
    d = example()
    line = d["bids"][0]["costs"][0]
    d["bids"][0]["costs"] = [dict(line) for _ in range(limits.MAX_COST_LINES_PER_BID)]
    assert problems(d) == []
    d["bids"][0]["costs"].append(dict(line))
    assert problems(d) == ["bids[0].costs: 501 cost lines; a bid may have at most 500"]

    d = example()
    _many(d, "bids", 101)
    for b in d["bids"]:
        b["costs"] = [line] * 496  # within the limit per bid, 50,096 in all
    assert problems(d) == ["bids: 50,096 cost lines in all; an evaluation may have at most "
                           "50,000"]


def test_too_many_scores_are_refused_before_any_is_read():
    d = example()
    d["scores"] = [d["scores"][0]] * (limits.MAX_SCORES + 1)
    started = time.perf_counter()
    assert problems(d) == ["scores: 2,000,001 scores; an evaluation may have at most 2,000,000"]
    assert time.perf_counter() - started < 2


# ---- depth -------------------------------------------------------------------------------

def chain(levels: int) -> dict:
    """A document whose criteria are one chain `levels` deep ending in a scored leaf."""
    d = example()
    crit = [{"id": f"L{i}", "name": f"Level {i}", "kind": "section", "weight": 1,
             "parent": f"L{i - 1}" if i > 1 else None} for i in range(1, levels)]
    crit.append({"id": f"L{levels}", "name": "Leaf", "kind": "scored", "weight": 1,
                 "parent": f"L{levels - 1}" if levels > 1 else None})
    d["criteria"] = crit
    d["scores"], d["consensus"], d["gateways"] = [], [], []
    return d


def test_eight_levels_are_accepted_and_nine_refused():
    assert problems(chain(limits.MAX_DEPTH)) == []
    assert problems(chain(limits.MAX_DEPTH + 1)) == [
        'criteria[8].parent: "L8" would put this criterion 9 levels deep; criteria may nest '
        "at most 8 levels"]


def test_a_thousand_level_chain_is_refused_with_one_message_not_a_recursion_error():
    started = time.perf_counter()
    found = problems(chain(1_000))
    assert time.perf_counter() - started < 2
    assert found == ['criteria[8].parent: "L8" would put this criterion 9 levels deep; '
                     "criteria may nest at most 8 levels"]


def test_a_long_cycle_is_refused_without_recursion():
    d = chain(1_000)
    d["criteria"][0]["parent"] = "L999"  # L1 under L999: a cycle of 999 sections
    found = problems(d)
    assert len([m for m in found if "makes a cycle of parents" in m]) == 999
    assert not any("levels deep" in m for m in found)


def test_a_deep_branch_gets_one_message_however_many_leaves_it_has():
    d = chain(10)
    d["criteria"][-1]["kind"] = "section"
    d["criteria"] += [{"id": f"Leaf{i}", "name": "Leaf", "kind": "scored", "weight": 1,
                       "parent": "L10"} for i in range(50)]
    found = problems(d)
    assert found == ['criteria[8].parent: "L8" would put this criterion 9 levels deep; '
                     "criteria may nest at most 8 levels"]


# Validation's growth with the file is measured in the benchmarks (benchmarks/goals.py),
# not timed here: a loaded machine makes a timed test fail for nothing.


# ---- through the command line and the edits -------------------------------------------------

def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(("mutate", "says"), [
    (lambda d: d["partners"][0].__setitem__("id", "C?"),
     'procure-desk: partners[0].id: "C?" may hold only the letters A-Z and a-z, digits, ".", "_" '
     'and "-" ("?" at character 2 is not allowed)\n'),
    (lambda d: d["bids"][0].__setitem__("supplier", "Evil\u202eLtd"),
     "procure-desk: bids[0].supplier: contains an invisible right-to-left override (U+202E) "
     "at character 5\n"),
    (lambda d: d["scores"][1].__setitem__("comment", "\udc80"),
     "procure-desk: scores[1].comment: contains a damaged character (half of a surrogate "
     "pair, U+DC80) at character 1\n"),
    (lambda d: d.update({k: v for k, v in chain(1_000).items() if k != "bids"}),
     'procure-desk: criteria[8].parent: "L8" would put this criterion 9 levels deep; '
     "criteria may nest at most 8 levels\n"),
])
def test_import_json_refuses_with_exit_2_and_writes_nothing(capsys, tmp_path, mutate, says):
    d = example()
    mutate(d)
    src = tmp_path / "in.json"
    src.write_text(json.dumps(d))  # ASCII escapes: a lone surrogate survives as \\udc80
    out = tmp_path / "out.pdesk"
    code, stdout, err = run(capsys, "import-json", str(src), str(out))
    assert code == 2
    assert stdout == ""
    assert err == says
    assert not out.exists()
    assert not list(tmp_path.glob(".out.pdesk*"))


def test_an_edit_in_the_application_obeys_the_same_rules(tmp_path):
    with EvaluationFile.create(tmp_path / "e.pdesk", example(), actor="t") as ef:
        before = ef.document()
        with pytest.raises(BadInput, match=r"right-to-left override \(U\+202E\) at character 5"):
            ef.update_bid("t", "B1", {"supplier": "Evil\u202eLtd"})
        with pytest.raises(BadInput, match="may hold only"):
            ef.add_bid("t", {"id": "B?", "supplier": "New Ltd", "option_type": "build"})
        with pytest.raises(BadInput, match="one line"):
            ef.add_evaluator("t", {"name": "Two\nlines"})
        with pytest.raises(BadInput, match="at most 200"):
            ef.update_evaluation("t", {"title": "T" * 201})
        assert ef.document() == before  # nothing was written
        ef.update_bid("t", "B1", {"notes": "Windows\r\nline"})
        assert ef.document()["bids"][0]["notes"] == "Windows\nline"


def test_an_edit_may_not_nest_criteria_too_deep(tmp_path):
    with EvaluationFile.create(tmp_path / "e.pdesk", chain(limits.MAX_DEPTH), actor="t") as ef:
        ef.update_criterion("t", "L8", {"kind": "section"})
        with pytest.raises(BadInput, match="9 levels deep; criteria may nest at most 8"):
            ef.add_criterion("t", {"name": "Too deep", "kind": "scored", "weight": 1,
                                   "parent": "L8"})

"""The shipped templates: data under resources/, checked by the import rules."""

from __future__ import annotations

import pytest

from procure_desk import interchange, templates
from procure_desk.engine import effective_weights
from procure_desk.errors import BadInput
from procure_desk.paths import TEMPLATES

NAMES = ["buy-small", "mat-60-40", "shared-service"]


def scored(doc: dict) -> list[dict]:
    return [c for c in doc["criteria"] if c["kind"] == "scored"]


def test_the_three_templates_are_there_as_data():
    assert set(NAMES) <= set(templates.names())
    for name in NAMES:
        assert (TEMPLATES / f"{name}.json").is_file()


@pytest.mark.parametrize("name", NAMES)
def test_template_loads_and_validates(name):
    doc = templates.load(name)
    # already normalised: checking it again changes nothing
    assert interchange.validate(doc) == doc
    assert doc["bids"] == []
    assert doc["scores"] == []
    eff = effective_weights(doc["criteria"])
    leaves = [eff[c["id"]] for c in doc["criteria"] if c["kind"] in ("scored", "price")]
    assert sum(leaves) == pytest.approx(100)
    assert any(c["kind"] == "price" for c in doc["criteria"])
    for c in scored(doc):
        assert c["guidance"].strip(), f"{c['id']} has no guidance"


@pytest.mark.parametrize("name", NAMES)
def test_load_gives_a_fresh_copy(name):
    doc = templates.load(name)
    doc["criteria"].clear()
    doc["evaluation"]["title"] = "changed"
    again = templates.load(name)
    assert again["criteria"]
    assert again["evaluation"]["title"] != "changed"


def test_unknown_template_is_bad_input():
    with pytest.raises(BadInput) as info:
        templates.load("nope")
    assert "buy-small" in str(info.value)


# ---- buy small, be prepared to throw away -----------------------------------------------

BUY_SMALL = {
    "exit cost": ("exit",),
    "data portability": ("portab",),
    "configuration not customisation": ("configur", "customis"),
    "modularity": ("modular",),
    "open standards": ("open standard",),
    "contract flexibility": ("contract", "flexib"),
    "time to value": ("time to", "value"),
}


@pytest.mark.parametrize("topic", list(BUY_SMALL))
def test_buy_small_has_each_criterion(topic):
    doc = templates.load("buy-small")
    keywords = BUY_SMALL[topic]
    matches = [c for c in scored(doc) if all(k in c["name"].lower() for k in keywords)]
    assert len(matches) == 1, f"no single scored criterion about {topic}"
    c = matches[0]
    # guidance, and a descriptor for every point of the 0-5 scale
    assert len(c["guidance"]) > 40
    descriptors = c.get("descriptors") or doc["evaluation"]["scale"]["descriptors"]
    assert set(descriptors) == {"0", "1", "2", "3", "4", "5"}
    assert all(text.strip() for text in descriptors.values())


def test_buy_small_gateways():
    doc = templates.load("buy-small")
    gates = [c["name"] for c in doc["criteria"] if c["kind"] == "pass_fail"]
    assert any("Cyber Essentials Plus" in g for g in gates)
    assert any("UK GDPR" in g for g in gates)
    assert any("WCAG 2.2 AA" in g for g in gates)


def test_buy_small_prices_npv_over_five_years_including_exit():
    doc = templates.load("buy-small")
    assert doc["evaluation"]["appraisal"]["years"] == 5
    assert doc["evaluation"]["appraisal"]["cost_basis"] == "npv"
    assert doc["evaluation"]["scale"]["max"] == 5
    price = [c for c in doc["criteria"] if c["kind"] == "price"]
    assert len(price) == 1
    assert "exit" in price[0]["name"].lower()


# ---- most advantageous tender, 60/40 ------------------------------------------------------

def test_mat_60_40_split_with_ten_percent_social_value():
    doc = templates.load("mat-60-40")
    eff = effective_weights(doc["criteria"])
    by_name = {c["name"].lower(): c for c in doc["criteria"]}
    social = [c for n, c in by_name.items() if "social value" in n and c["parent"] is None]
    assert len(social) == 1
    assert eff[social[0]["id"]] == pytest.approx(10)
    price = sum(eff[c["id"]] for c in doc["criteria"] if c["kind"] == "price")
    quality = sum(eff[c["id"]] for c in scored(doc))
    assert price == pytest.approx(40)
    assert quality == pytest.approx(60)  # social value counts among the quality 60


# ---- shared service -----------------------------------------------------------------------

def test_shared_service_has_partners():
    doc = templates.load("shared-service")
    partners = doc["partners"]
    assert len(partners) >= 2
    for p in partners:
        assert p["name"].strip()
        assert p["population"] > 0
        assert p["baseline_annual_cost"] > 0

"""Where the shipped data lives: templates, styles and the sample tender."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "resources"
TEMPLATES = RESOURCES / "templates"
SAMPLE_BIDS = ROOT / "sample_bids"
SAMPLE_TENDER = SAMPLE_BIDS / "harrowmere.json"

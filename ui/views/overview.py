"""Overview: placeholder replaced below."""
from __future__ import annotations

from .base import View


class OverviewView(View):
    title = "Overview"

"""ProcureDesk core: evaluation files, scoring, analysis and exports. No Qt here."""

__version__ = "0.1.0"

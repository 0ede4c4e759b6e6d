"""Supplier bid workbooks and evaluators' offline scoring sheets.

Every workbook that comes back from outside (a supplier's bid, an evaluator's
scoring sheet) is hostile until proven otherwise: `safety.open_workbook` checks
the package before openpyxl parses anything. The modules import openpyxl only
inside their functions so that the command line stays quick to start.
"""

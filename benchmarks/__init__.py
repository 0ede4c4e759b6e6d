"""Performance benchmarks for ProcureDesk: `python -m benchmarks` (or `make bench`).

Each benchmark is a plain function `(Context) -> list[Row]`, listed in
`benchmarks.__main__.BENCHMARKS`; a missed target is reported, never raised.
"""

"""Property-based fuzzing of the hostile-input fronts: feed parsing, detection, rendering.

Each test module lists its properties in `PROPERTIES` (name → `Property`), so the pytest run
(small, deterministic budget) and `bench/fuzz_report.py` (large budget, random seed, exact
counts) exercise the very same strategies and checks.
"""

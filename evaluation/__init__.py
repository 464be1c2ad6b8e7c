"""The scorecard: compare an export with the ground truth of a synthetic corpus.

Imports only the kernel (and rapidfuzz). Used by `sohoa eval` and the benchmarks.
"""

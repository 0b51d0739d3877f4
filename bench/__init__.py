"""Benchmarks: each compares the bot with a floor measured side by side in the same run.

Absolute numbers on a shared, noisy machine say little; a ratio against a baseline run at the same
moment on the same machine says whether our code adds cost. Run them all with `make bench`.
"""

"""unspin benchmark: spin clean text, measure what the engine restores and damages, and how fast.

Run ``python -m bench`` (or ``--smoke``); see bench/README.md.
"""

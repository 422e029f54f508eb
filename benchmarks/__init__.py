"""hedgekit benchmarks (issue 7): each a ratio against a baseline measured in the same run.

Run ``python -m benchmarks`` (``--quick`` for a smoke pass); see :mod:`benchmarks.__main__`.
"""

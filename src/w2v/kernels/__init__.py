"""Compiled kernels (numba) and the constants they share; importing this package starts no numba."""
import numpy as np

# Exact powers of ten in float64: a decimal with at most 15 significant digits times or
# divided by one of these is correctly rounded (Clinger's fast path).  Used by the text
# parser and writer (kernels/textio.py; the C parser has its own copy).
POW10 = np.array([10.0 ** i for i in range(23)], dtype=np.float64)

"""Build the optional C extension; everything else is in pyproject.toml.

``w2v._textio`` (the text-format reader's inner loops) is optional: where no C compiler
is available, the install still succeeds and w2v reads text files with its numba kernels
instead (same results, more memory while loading).
"""
from setuptools import Extension, setup

setup(ext_modules=[Extension("w2v._textio", ["src/w2v/_textio.c"], optional=True)])

"""Plain-text tables for the terminal: words left-aligned, numbers right-aligned."""
import numbers

import numpy as np


def _cell(value, floatfmt):
    if isinstance(value, (float, np.floating)):
        return format(float(value), floatfmt)
    if value is None:
        return ""
    return str(value)


def format_table(frame, floatfmt=".4f", indent=""):
    """Render a pandas DataFrame as an aligned text table with a rule under the header."""
    columns = [str(c) for c in frame.columns]
    raw = [list(row) for row in frame.itertuples(index=False, name=None)]
    is_number = [bool(len(raw)) and all(isinstance(r[k], numbers.Number) for r in raw)
                 for k in range(len(columns))]
    cells = [[_cell(v, floatfmt) for v in row] for row in raw]
    widths = [max([len(c)] + [len(r[k]) for r in cells]) for k, c in enumerate(columns)]

    def line(values):
        parts = [v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, is_number)]
        return (indent + "  ".join(parts)).rstrip()

    out = [line(columns), indent + "  ".join("-" * w for w in widths)]
    out += [line(row) for row in cells]
    return "\n".join(out)

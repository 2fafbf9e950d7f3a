"""The article's diverging colour scale: blue (−2) – white (0) – red (+2), clipped at ±2.

One numpy function maps values to RGB so the PNG/SVG pictures and the terminal blocks
show exactly the same colour for the same number; matplotlib only gets the finished
RGB array (and a matching colormap for the colour bar).
"""
import numpy as np

LIMIT = 2.0
BLUE = (0.16, 0.40, 0.80)
WHITE = (1.0, 1.0, 1.0)
RED = (0.80, 0.15, 0.15)


def to_rgb(values, limit=LIMIT):
    """RGB floats in [0, 1], shape ``values.shape + (3,)``: linear blue→white→red, clipped at ±limit."""
    t = np.clip(np.asarray(values, dtype=np.float64) / limit, -1.0, 1.0)[..., None]
    blue, white, red = (np.asarray(c) for c in (BLUE, WHITE, RED))
    # Negative values mix white towards blue, positive towards red; |t| = 1 is the pure end colour.
    return np.where(t < 0, white + (blue - white) * -t, white + (red - white) * t)


def to_rgb255(values, limit=LIMIT):
    """Like :func:`to_rgb`, as 0–255 integers (for 24-bit terminal colours)."""
    return np.rint(to_rgb(values, limit) * 255).astype(np.int64)


def text_colour(value, limit=LIMIT):
    """Black on light cells, white on dark ones, so printed numbers stay readable."""
    return "white" if abs(value) > 0.55 * limit else "black"


def colormap():
    """A matplotlib colormap equal to :func:`to_rgb` over [−limit, +limit] (for colour bars)."""
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list("w2v_diverging", [BLUE, WHITE, RED], N=256)

"""Colour rows: one row per word, one cell per dimension, blue (−2) – white (0) – red (+2).

Stacking rows lets a reader compare columns: dimensions where "king", "man" and "boy"
agree show up as a vertical stripe of the same colour.
"""
import shutil

import numpy as np

from . import colors
from .common import lookup, new_figure, save_figure

# Layout, in inches: readable at any dimension (50 … 300) without the picture growing without bound.
_ROW_HEIGHT = 0.42
_ROW_HEIGHT_NUMBERS = 0.62
_CELLS_WIDTH = (4.0, 12.0)
_CELLS_WIDTH_NUMBERS_MAX = 30.0
_LABEL_FONT = 12


def _label_width(labels, fontsize=_LABEL_FONT):
    # DejaVu Sans averages ~0.6 em per character; a little slack keeps long words inside the margin.
    return 0.25 + 0.62 * fontsize / 72 * max(len(s) for s in labels)


def _cells_width(dims, numbers):
    if numbers:
        # Up to 30 cells are wide enough for horizontal numbers; more get narrow cells with vertical ones.
        return min(max(dims * 0.5 if dims <= 30 else dims * 0.19, _CELLS_WIDTH[0]), _CELLS_WIDTH_NUMBERS_MAX)
    return float(np.clip(dims * 0.22, *_CELLS_WIDTH))


def rows_figure(labels, matrix, numbers=False, title=None, limit=colors.LIMIT, label_colours=None,
                separators=(), decimals=2, total_dims=None):
    """Draw the colour rows of ``matrix`` (one labelled row each) and return the Figure.

    ``separators`` are row positions after which a thicker gap is drawn (the analogy
    picture separates the inputs from the result); ``label_colours`` optionally
    colours individual labels.
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    n, d = matrix.shape
    label_w = _label_width(labels)
    cells_w = _cells_width(d, numbers)
    row_h = _ROW_HEIGHT_NUMBERS if numbers else _ROW_HEIGHT
    top = 0.15 + (0.45 if title else 0.0)
    bottom = 0.72
    right = 0.3
    fig_w, fig_h = label_w + cells_w + right, top + n * row_h + bottom
    fig = new_figure(fig_w, fig_h)
    ax = fig.add_axes([label_w / fig_w, bottom / fig_h, cells_w / fig_w, n * row_h / fig_h])

    # pcolormesh (not imshow) keeps cells as vector quads in SVG, with the exact RGB of colors.to_rgb.
    cell_px = cells_w / d * fig.dpi
    edge = 0.6 if cell_px >= 8 else 0.0
    ax.pcolormesh(np.arange(d + 1) - 0.5, np.arange(n + 1) - 0.5, colors.to_rgb(matrix, limit),
                  edgecolors="white" if edge else "face", linewidth=edge, antialiased=edge > 0)
    ax.set_xlim(-0.5, d - 0.5)
    ax.set_ylim(n - 0.5, -0.5)
    for y in range(1, n):  # white gaps between words, as in the article
        ax.axhline(y - 0.5, color="white", linewidth=3 if y - 1 in separators else 1.5)
    for y in separators:
        if 0 <= y < n - 1:
            ax.axhline(y + 0.5, color="0.35", linewidth=1.2, linestyle=(0, (4, 3)))

    ax.set_yticks(range(n), labels, fontsize=_LABEL_FONT)
    if label_colours:
        for tick, colour in zip(ax.get_yticklabels(), label_colours):
            if colour:
                tick.set_color(colour)
    step = next((s for s in (1, 2, 5, 10, 25, 50, 100) if d / s <= 12), -(-d // 12))   # about 12 ticks
    ax.set_xticks(range(0, d, step))
    ax.tick_params(axis="x", labelsize=8, colors="0.4", length=2)
    ax.tick_params(axis="y", length=0, pad=6)
    of = f"first {d} of {total_dims}" if total_dims and total_dims > d else f"of {d}"
    ax.set_xlabel(f"dimension ({of})", fontsize=9, color="0.4", loc="left")
    for spine in ax.spines.values():
        spine.set_visible(False)

    if numbers:
        _draw_numbers(ax, matrix, cells_w / d, row_h, limit, decimals)

    bar_w = min(2.6, cells_w)
    cax = fig.add_axes([(label_w + cells_w - bar_w) / fig_w, 0.24 / fig_h, bar_w / fig_w, 0.13 / fig_h])
    _colour_bar(fig, cax, limit)
    if title:
        fig.text(0.5 * (label_w + cells_w) / fig_w, 1 - 0.32 / fig_h, title, ha="center", va="center",
                 fontsize=13, fontweight="bold")
    return fig


def _draw_numbers(ax, matrix, cell_w, row_h, limit, decimals):
    n, d = matrix.shape
    chars = decimals + 3
    # Horizontal text when it fits in the cell, else vertical text sized to the cell's width.
    horizontal = 0.9 * cell_w * 72 / (0.6 * chars)
    if horizontal >= 6.5:
        size, rotation = min(9.0, horizontal), 0
    else:
        size, rotation = max(3.0, min(8.0, 0.75 * cell_w * 72, 0.85 * row_h * 72 / (0.6 * chars))), 90
    for i in range(n):
        for j in range(d):
            v = matrix[i, j]
            ax.text(j, i, f"{v:.{decimals}f}", ha="center", va="center", fontsize=size, rotation=rotation,
                    color=colors.text_colour(v, limit))


def _colour_bar(fig, cax, limit):
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    mappable = ScalarMappable(norm=Normalize(-limit, limit), cmap=colors.colormap())
    bar = fig.colorbar(mappable, cax=cax, orientation="horizontal", extend="both", extendfrac=0.04)
    bar.set_ticks([-limit, 0, limit], labels=[f"\u2212{limit:g}", "0", f"+{limit:g}"])
    bar.ax.tick_params(labelsize=9, length=2)
    bar.outline.set_linewidth(0.5)


def plot_rows(kv_or_vectors, words=None, path=None, numbers=False, title=None, labels=None,
              limit=colors.LIMIT, decimals=2, dims=None):
    """Colour-coded rows of word vectors, as in the article, one row per word.

    ``kv_or_vectors`` is a KeyedVectors, a ``{label: vector}`` mapping, or an array
    (rows labelled by ``words``).  ``numbers=True`` prints each value in its cell.
    ``labels`` replaces the row labels; ``dims=N`` shows only the first N dimensions
    (readable numbers for big vectors).  With ``path`` the picture is written there
    (PNG, SVG or PDF by extension).  Returns the matplotlib Figure.
    """
    names, matrix, total = _labelled_rows(kv_or_vectors, words, labels, dims)
    fig = rows_figure(names, matrix, numbers=numbers, title=title, limit=limit, decimals=decimals,
                      total_dims=total)
    if path is not None:
        save_figure(fig, path)
    return fig


def _labelled_rows(kv_or_vectors, words, labels, dims):
    """(row labels, the rows' first ``dims`` dimensions, the vectors' full size) for a picture."""
    names, matrix = lookup(kv_or_vectors, words)
    total = matrix.shape[1]
    if dims is not None:
        if int(dims) < 1:
            raise ValueError(f"dims must be at least 1, got {dims}")
        matrix = matrix[:, :int(dims)]
    if labels is not None:
        if len(labels) != len(names):
            raise ValueError(f"{len(labels)} labels for {len(names)} rows")
        names = [str(s) for s in labels]
    return names, matrix, total


# -- terminal -----------------------------------------------------------------------------

RESET = "\x1b[0m"


def ansi_background(rgb):
    """The 24-bit ANSI escape that sets the background to ``rgb`` (three 0–255 ints)."""
    r, g, b = (int(c) for c in rgb)
    return f"\x1b[48;2;{r};{g};{b}m"


def _blocks(values, cell, limit):
    return "".join(ansi_background(rgb) + " " * cell for rgb in colors.to_rgb255(values, limit)) + RESET


def format_vector(vector, decimals=5, width=100):
    """The vector's numbers as the article prints them: ``[ 0.50451 , 0.68607 , … ]``, wrapped."""
    items = [f"{v:.{decimals}f}" for v in np.asarray(vector, dtype=np.float64)]
    lines, line = [], "["
    for k, item in enumerate(items):
        piece = f" {item}" + (" ," if k < len(items) - 1 else " ]")
        if len(line) + len(piece) > width and line.strip("[ "):
            lines.append(line)
            line = " "
        line += piece
    lines.append(line)
    return "\n".join(lines)


def terminal_rows(kv_or_vectors, words=None, width=None, numbers=False, legend=True, labels=None,
                  limit=colors.LIMIT, decimals=5, dims=None):
    """The colour rows as text with 24-bit ANSI background colours, one row per word.

    Rows wider than ``width`` (default: the terminal's width) are wrapped into blocks
    of dimensions, every block showing all words so columns stay comparable.
    ``numbers=True`` adds each vector's values below the rows; ``dims=N`` keeps the
    first N dimensions only.
    """
    names, matrix, _ = _labelled_rows(kv_or_vectors, words, labels, dims)
    n, d = matrix.shape
    if width is None:
        width = shutil.get_terminal_size((100, 24)).columns
    label_w = max(len(s) for s in names) + 1
    available = max(10, width - label_w)
    cell = 2 if 2 * d <= available else 1
    per_block = max(1, available // cell)
    out = []
    for start in range(0, d, per_block):
        stop = min(d, start + per_block)
        if stop - start < d:
            out.append(" " * label_w + f"dimensions {start}\u2013{stop - 1}")
        for name, row in zip(names, matrix):
            out.append(name.rjust(label_w - 1) + " " + _blocks(row[start:stop], cell, limit))
    if legend:
        scale = np.linspace(-limit, limit, 9)
        out.append(" " * label_w + f"\u2212{limit:g} " + _blocks(scale, 2, limit) + f" +{limit:g}")
    if numbers:
        for name, row in zip(names, matrix):
            out.append("")
            out.append(name)
            out.append(format_vector(row, decimals=decimals, width=width))
    return "\n".join(out)

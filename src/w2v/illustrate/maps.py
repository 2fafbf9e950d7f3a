"""2-D maps of words: PCA with numpy, t-SNE or UMAP when their optional extra is installed."""
import numpy as np

from ..errors import W2VError
from .common import lookup, new_figure, save_figure

METHODS = ("pca", "tsne", "umap")
_METHOD_NAMES = {"pca": "PCA", "tsne": "t-SNE", "umap": "UMAP"}
_EXTRA = {"tsne": ("sklearn.manifold", "scikit-learn", "w2v[tsne]"), "umap": ("umap", "umap-learn", "w2v[umap]")}


def top_words(kv, n):
    """The ``n`` most frequent words (by stored counts; vocabulary order when there are none)."""
    counts = np.asarray(getattr(kv, "counts", ()), dtype=np.int64)
    if len(counts) == len(kv.index_to_key) and counts.any():
        order = np.argsort(-counts, kind="stable")[:max(n, 0)]
    else:
        order = np.arange(min(max(n, 0), len(kv.index_to_key)))
    return [kv.index_to_key[i] for i in order]


def _optional(method):
    module, package, extra = _EXTRA[method]
    try:
        import importlib

        return importlib.import_module(module)
    except ImportError:
        raise W2VError(f"--method {method} needs the optional package {package}: "
                       f"pip install {extra}") from None


def project(vectors, method="pca", seed=1, normalize=True):
    """Project ``vectors`` (n×d) to 2-D.  Returns ``(coords n×2, axis_labels)``.

    With ``normalize`` the rows are scaled to unit length first, so distances on the
    map follow cosine similarity (the measure every query uses).  PCA is exact and
    deterministic; t-SNE and UMAP use ``seed``.
    """
    X = np.asarray(vectors, dtype=np.float64)
    if method not in METHODS:
        raise W2VError(f"unknown projection method {method!r}; choose one of {', '.join(METHODS)}")
    if len(X) < 3:
        raise W2VError(f"a map needs at least 3 words, got {len(X)}")
    if normalize:
        norms = np.linalg.norm(X, axis=1, keepdims=True)
        X = X / np.where(norms > 0, norms, 1.0)
    if method == "pca":
        centred = X - X.mean(axis=0)
        _, s, vt = np.linalg.svd(centred, full_matrices=False)
        coords = centred @ vt[:2].T
        # SVD signs are arbitrary; fix them so the same model always gives the same picture.
        flip = np.sign(coords[np.argmax(np.abs(coords), axis=0), [0, 1]])
        coords = coords * np.where(flip == 0, 1.0, flip)
        share = s ** 2 / max((s ** 2).sum(), 1e-300)
        return coords, (f"PC1 ({share[0]:.0%} of variance)", f"PC2 ({share[1]:.0%} of variance)")
    if method == "tsne":
        manifold = _optional("tsne")
        perplexity = float(min(30.0, max(2.0, (len(X) - 1) / 3)))
        tsne = manifold.TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed,
                             metric="cosine" if normalize else "euclidean")
        return tsne.fit_transform(X), ("t-SNE 1", "t-SNE 2")
    umap = _optional("umap")
    reducer = umap.UMAP(n_components=2, n_neighbors=min(15, len(X) - 1), random_state=seed,
                        metric="cosine" if normalize else "euclidean")
    return reducer.fit_transform(X), ("UMAP 1", "UMAP 2")


def place_labels(anchors, sizes, bounds, offset=(6.0, 4.0), marker=5.0, iterations=300):
    """Label centres (display pixels) near their points, pushed apart until boxes stop overlapping.

    ``anchors`` are the points (n×2), ``sizes`` the label boxes (n×2, width/height),
    ``bounds`` the axes box (x0, y0, x1, y1).  Each step moves every overlapping pair
    apart along the axis where they overlap least, moves labels off other points, and
    pulls each label gently back towards its point.
    """
    anchors = np.asarray(anchors, dtype=np.float64)
    half = np.asarray(sizes, dtype=np.float64) / 2 + 1.5
    n = len(anchors)
    home = anchors + np.array([offset[0], offset[1]]) + half * np.array([1.0, 1.0])
    pos = home.copy()
    x0, y0, x1, y1 = bounds
    eye = np.eye(n, dtype=bool)
    for _ in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]                      # (n, n, 2)
        overlap = half[:, None, :] + half[None, :, :] - np.abs(delta)
        hit = (overlap > 0).all(axis=2) & ~eye
        # Labels against points: a label must not cover any marker, its own included.
        pdelta = pos[:, None, :] - anchors[None, :, :]
        poverlap = half[:, None, :] + marker - np.abs(pdelta)
        phit = (poverlap > 0).all(axis=2)
        if not hit.any() and not phit.any():
            break
        push = np.zeros_like(pos)
        for d, o, h, weight in ((delta, overlap, hit, 0.5), (pdelta, poverlap, phit, 1.0)):
            axis_x = o[..., 0] < o[..., 1]
            sign = np.sign(d)
            # Coincident centres would never separate: break the tie by index.
            tie = np.where(np.arange(d.shape[0])[:, None] < np.arange(d.shape[1])[None, :], -1.0, 1.0)
            sign = np.where(sign == 0, tie[..., None], sign)
            move_x = np.where(h & axis_x, sign[..., 0] * o[..., 0], 0.0)
            move_y = np.where(h & ~axis_x, sign[..., 1] * o[..., 1], 0.0)
            push[:, 0] += weight * 0.5 * move_x.sum(axis=1)
            push[:, 1] += weight * 0.5 * move_y.sum(axis=1)
        # Only labels already free drift back towards their points, so the pull never holds an overlap.
        free = ~(hit.any(axis=1) | phit.any(axis=1))
        pos += push + 0.05 * (home - pos) * free[:, None]
        pos[:, 0] = np.clip(pos[:, 0], x0 + half[:, 0], x1 - half[:, 0])
        pos[:, 1] = np.clip(pos[:, 1], y0 + half[:, 1], y1 - half[:, 1])
    return pos


def _parse_arrows(arrows):
    pairs = []
    for item in arrows or ():
        if isinstance(item, str):
            a, sep, b = item.partition(":")
            if not sep or not a or not b:
                raise W2VError(f"arrow {item!r} must look like FROM:TO (for example man:woman)")
            item = (a, b)
        a, b = item
        pairs.append((str(a), str(b)))
    return pairs


def plot_map(kv, words=None, top=50, method="pca", arrows=(), path=None, seed=1, normalize=True,
             title=None):
    """A 2-D map of ``words`` (default: the ``top`` most frequent), labels kept apart.

    ``arrows`` is a list of ``(from, to)`` pairs (or ``"from:to"`` strings) drawn as
    arrows — parallel arrows for man→woman and king→queen are the analogy made
    visible.  ``method`` is "pca" (numpy), "tsne" (scikit-learn) or "umap"
    (umap-learn).  Returns the Figure; writes PNG/SVG/PDF when ``path`` is given.
    """
    from matplotlib.patches import FancyArrowPatch

    pairs = _parse_arrows(arrows)
    chosen = list(words) if words is not None else top_words(kv, int(top))
    chosen = list(dict.fromkeys(chosen + [w for pair in pairs for w in pair]))   # arrows' words too, once
    labels, matrix = lookup(kv, chosen)
    coords, axis_names = project(matrix, method=method, seed=seed, normalize=normalize)

    fig = new_figure(9.0, 7.0)
    ax = fig.add_axes([0.08, 0.08, 0.88, 0.84])
    lo, hi = coords.min(axis=0), coords.max(axis=0)
    span = np.where(hi - lo > 0, hi - lo, 1.0)
    # Extra room on the right and top, where labels start.
    ax.set_xlim(lo[0] - 0.06 * span[0], hi[0] + 0.16 * span[0])
    ax.set_ylim(lo[1] - 0.06 * span[1], hi[1] + 0.08 * span[1])
    in_arrow = {w for pair in pairs for w in pair}
    point_colours = ["#b2182b" if w in in_arrow else "#2b4c7e" for w in labels]
    ax.scatter(coords[:, 0], coords[:, 1], s=22, c=point_colours, zorder=3, linewidths=0)

    palette = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"]
    index = {w: i for i, w in enumerate(labels)}
    for k, (a, b) in enumerate(pairs):
        ax.add_patch(FancyArrowPatch(coords[index[a]], coords[index[b]], arrowstyle="-|>", zorder=2,
                                     color=palette[k % len(palette)], linewidth=1.8, shrinkA=4, shrinkB=4,
                                     mutation_scale=14, alpha=0.85))

    fontsize = 11 if len(labels) <= 40 else 9 if len(labels) <= 100 else 7
    texts = [ax.text(x, y, w, fontsize=fontsize, ha="center", va="center", zorder=4,
                     fontweight="bold" if w in in_arrow else "normal",
                     bbox=dict(boxstyle="square,pad=0.05", fc="white", ec="none", alpha=0.7))
             for w, (x, y) in zip(labels, coords)]
    _spread_labels(fig, ax, texts, coords)

    ax.set_xlabel(axis_names[0], fontsize=10, color="0.3")
    ax.set_ylabel(axis_names[1], fontsize=10, color="0.3")
    ax.tick_params(labelsize=8, colors="0.5")
    ax.grid(True, color="0.92", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if title is None:
        title = f"{len(labels)} words, {_METHOD_NAMES[method]} projection"
    ax.set_title(title, fontsize=13, fontweight="bold")
    if path is not None:
        save_figure(fig, path)
    return fig


def _spread_labels(fig, ax, texts, coords):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    sizes = np.array([[b.width, b.height] for b in (t.get_window_extent(renderer) for t in texts)])
    to_pixels = ax.transData
    anchors = to_pixels.transform(coords)
    box = ax.get_window_extent(renderer)
    centres = place_labels(anchors, sizes, (box.x0, box.y0, box.x1, box.y1))
    data = to_pixels.inverted().transform(centres)
    far = np.linalg.norm(centres - anchors, axis=1) > 0.5 * np.linalg.norm(sizes, axis=1) + 10
    for text, (x, y), (ax_, ay), moved in zip(texts, data, coords, far):
        text.set_position((x, y))
        if moved:  # a leader line, so a label pushed far away still shows its point
            ax.plot([ax_, x], [ay, y], color="0.6", linewidth=0.5, zorder=1)

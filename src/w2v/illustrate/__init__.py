"""Pictures and tables of "The Illustrated Word2vec", computed from real models.

- :func:`plot_rows` / :func:`terminal_rows`: colour rows, one per word (blue −2, white 0, red +2)
- :func:`plot_analogy`: king, man, woman, king − man + woman and the nearest word
- :func:`plot_map`: a 2-D projection (PCA; t-SNE / UMAP with their optional extras)
- :func:`pairs_table`: the sliding-window training samples, with negative samples
- :func:`step_tables`: one negative-sampling update, computed by the reference kernel
- :func:`softmax_step_tables`: one full-softmax update (prediction, one-hot target, error vectors)

Pictures are matplotlib Figures (never pyplot, so no display is needed); ``path=``
writes PNG, SVG or PDF by extension.
"""
from .analogy import analogy_rows, plot_analogy, terminal_analogy
from .colors import to_rgb, to_rgb255
from .maps import place_labels, plot_map, project, top_words
from .rows import format_vector, plot_rows, terminal_rows
from .samples import ARTICLE_SENTENCE, Noise, pairs_table, positive_samples, sample_positions, tokenize
from .step import SoftmaxStepResult, StepResult, softmax_step_tables, step_tables
from .tables import format_table

__all__ = [
    "plot_rows", "terminal_rows", "format_vector",
    "plot_analogy", "terminal_analogy", "analogy_rows",
    "plot_map", "project", "place_labels", "top_words",
    "pairs_table", "positive_samples", "sample_positions", "tokenize", "Noise", "ARTICLE_SENTENCE",
    "step_tables", "StepResult", "softmax_step_tables", "SoftmaxStepResult", "format_table", "to_rgb", "to_rgb255",
]

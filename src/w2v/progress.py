"""Progress bars on stderr (tqdm), sized to the terminal."""
import os
import sys

from tqdm.auto import tqdm


def progress_bar(**kwargs):
    """A tqdm bar on stderr that follows the terminal's width.

    Some terminals (a pty opened without a size, as ``script`` and some CI runners do)
    report a size of zero; tqdm then draws nothing at all, so such a terminal gets a fixed
    80 × 24 size instead.
    """
    try:
        columns = os.get_terminal_size(sys.stderr.fileno()).columns
    except (OSError, ValueError, AttributeError):   # not a terminal, or no file descriptor
        columns = None
    if columns == 0:
        kwargs.update(ncols=80, nrows=24, dynamic_ncols=False)
    else:
        kwargs.setdefault("dynamic_ncols", True)
    return tqdm(file=sys.stderr, **kwargs)

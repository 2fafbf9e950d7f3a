"""`w2v serve`: the article's pictures, live in a browser.

:func:`create_app` builds a Starlette application around one loaded model (no global
state); :class:`Explorer` answers the JSON API with the same functions as the CLI's
``--json`` output and the illustrate tables.  Needs the ``serve`` extra
(``pip install 'w2v[serve]'``: starlette and uvicorn).
"""
from .explorer import ApiError, Explorer

__all__ = ["ApiError", "Explorer", "create_app"]


def create_app(model, **options):
    """A Starlette app serving the explorer page and the JSON API for ``model``.

    ``model``: KeyedVectors, a Word2Vec (pairs with its noise, step with its syn1neg), an
    ItemModel (items mode) or anything with ``predict(context, topn)`` and ``wv`` (a
    language model).  ``options`` go to :class:`Explorer` (``names``, ``token``, ``map_max``, …).
    """
    from .app import build_app

    return build_app(Explorer(model, **options))

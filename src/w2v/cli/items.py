"""`w2v` sub-commands: items."""


def register(sub):
    """Add this module's sub-commands to the `w2v` parser."""

"""`w2v` sub-commands: illustrate."""


def register(sub):
    """Add this module's sub-commands to the `w2v` parser."""

class GeoriskError(Exception):
    """A failure the user can act on: printed as one line, without a traceback unless --debug."""

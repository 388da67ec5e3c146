"""The error a user reads: one line, no traceback (raised by the controller and the commands)."""


class UserError(Exception):
    """A failure the user must read: one line, no traceback."""

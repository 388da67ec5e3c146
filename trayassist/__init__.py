"""TrayAssist: a private, offline voice assistant that lives in the tray."""

__version__ = "0.1.0"

"""OS glue: global hotkeys, text output, clipboard, focus, autostart and sounds (no Qt)."""

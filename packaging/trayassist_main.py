"""Entry script of the frozen (PyInstaller) app: the same `trayassist` command as the pip install."""

import multiprocessing
import sys

from trayassist.cli import main

if __name__ == "__main__":
    # A frozen app re-executes itself for multiprocessing children; without this a child would run the CLI.
    multiprocessing.freeze_support()
    if sys.argv[1:] == ["--x11-selection-owner"]:  # the clipboard helper (platform/output/x11_selection.py)
        from trayassist.platform.output.x11_owner import main as owner_main

        sys.exit(owner_main())
    sys.exit(main())

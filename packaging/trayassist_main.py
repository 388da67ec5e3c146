"""Entry script of the frozen (PyInstaller) app: the same `trayassist` command as the pip install."""

import multiprocessing
import sys

from trayassist.cli import main

if __name__ == "__main__":
    # A frozen app re-executes itself for multiprocessing children; without this a child would run the CLI.
    multiprocessing.freeze_support()
    sys.exit(main())

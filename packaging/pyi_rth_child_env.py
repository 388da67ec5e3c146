"""PyInstaller runtime hook: programs the frozen app starts must not load its bundled libraries.

The bootloader points LD_LIBRARY_PATH (Linux) / DYLD_LIBRARY_PATH (macOS) at the bundle so the
app finds its own libraries; the loader read that at exec time, so the app keeps working
after the variable is put back. Left as it is, every child (a launched browser, xdotool,
paplay) would load our libstdc++/libssl instead of the system's and could fail to start.
"""

import os

for _var in ("LD_LIBRARY_PATH", "DYLD_LIBRARY_PATH"):
    _orig = os.environ.pop(_var + "_ORIG", None)
    if _orig is not None:
        os.environ[_var] = _orig
    else:
        os.environ.pop(_var, None)

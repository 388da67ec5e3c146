"""Scan files for a canary sentence in every form a leak could take (UTF-8, UTF-16, base64)."""

from __future__ import annotations

import base64
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path


def encodings(canary: str) -> list[bytes]:
    raw = canary.encode("utf-8")
    forms = [raw, canary.encode("utf-16-le"), canary.encode("utf-16-be")]
    # base64 of the canary at each of the three byte alignments, minus the edge characters
    # that depend on the neighbouring bytes.
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw)
        forms.append(encoded[4:-4])
    return forms


def files_under(root: Path, since: float) -> Iterator[Path]:
    """Regular files modified since `since`; other pytest runs in the temp dir are left out."""
    tmp = Path(tempfile.gettempdir())
    for dirpath, dirs, names in os.walk(root):
        if root == tmp:
            dirs[:] = [d for d in dirs if not d.startswith("pytest-of-")]
        for name in names:
            path = Path(dirpath) / name
            try:
                st = path.lstat()
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode) and st.st_mtime >= since and st.st_size < 64 << 20:
                yield path


def assert_absent(canary: str, roots: list[Path], since: float,
                  skip: Callable[[Path], bool] = lambda _p: False) -> int:
    """Fail if any form of `canary` is in a file under `roots`; returns how many were scanned."""
    forms = encodings(canary)
    scanned = 0
    for root in roots:
        for path in files_under(root, since):
            if skip(path):
                continue
            try:
                data = path.read_bytes()
            except OSError:
                continue
            scanned += 1
            for form in forms:
                assert form not in data, f"canary found in {path}"
    return scanned

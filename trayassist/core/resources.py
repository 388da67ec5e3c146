"""Finds the files shipped in resources/: in a source checkout, an installed wheel or a frozen app."""

from __future__ import annotations

import sys
from pathlib import Path

# Every install keeps resources/ beside the trayassist package: the checkout (and an editable
# install) by the repository's layout, a wheel through the package-data entry in pyproject.toml
# that installs it next to the package, PyInstaller through the spec's datas (_internal/).
_PACKAGE_PARENT = Path(__file__).resolve().parents[2]


def resources_dir() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen and (Path(frozen) / "resources").is_dir():
        return Path(frozen) / "resources"
    return _PACKAGE_PARENT / "resources"


def resource_path(*parts: str) -> Path:
    """resources/<parts...>; the file may be missing (a broken install): callers say so."""
    return resources_dir().joinpath(*parts)

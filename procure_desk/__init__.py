"""ProcureDesk core: evaluation files, scoring, analysis and exports. No Qt here."""

import sys
from importlib import metadata as _metadata

# The release number is pyproject.toml's, read from the installed package's metadata.
# The application bundle carries no metadata and uses RELEASE, which the bundle's build
# and tests/test_version.py check against pyproject.toml.
RELEASE = "0.1.0"

if getattr(sys, "frozen", False):
    __version__ = RELEASE
else:
    try:
        __version__ = _metadata.version("procure-desk")
    except _metadata.PackageNotFoundError:  # run from a checkout that was never installed
        __version__ = RELEASE

"""Before `make` installs anything: are the system packages there, and is .venv usable?

Runs with the system's Python and its standard library only. Missing packages: one message with
the `apt-get install` line (Debian/Ubuntu) and what to do elsewhere, exit code 1. A broken .venv
(no pip, a Python that is gone or too old) is removed, so that make builds it again.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import shutil
import subprocess
import sys
from pathlib import Path

MIN_PYTHON = (3, 11)
APT_LINE = (
    "sudo apt-get install python3 python3-venv libpango-1.0-0 libpangoft2-1.0-0"
    " libharfbuzz-subset0 fonts-dejavu-core"
)
ELSEWHERE = (
    "Other systems: Python 3.11+ with venv and Pango 1.44+"
    " (Fedora: sudo dnf install python3 pango; macOS: brew install python pango)."
)
# What WeasyPrint loads at run time (name for ctypes, name for find_library, Debian package).
LIBRARIES = (
    ("libpango-1.0.so.0", "pango-1.0", "libpango-1.0-0"),
    ("libpangoft2-1.0.so.0", "pangoft2-1.0", "libpangoft2-1.0-0"),
    ("libfontconfig.so.1", "fontconfig", "fontconfig"),
)


def _loadable(soname: str, short: str) -> bool:
    try:
        ctypes.CDLL(soname)
        return True
    except OSError:
        return ctypes.util.find_library(short) is not None


def missing_packages(libraries: tuple[tuple[str, str, str], ...] = LIBRARIES) -> list[str]:
    """The packages that are missing, by their Debian names."""
    missing = []
    if sys.version_info < MIN_PYTHON:
        missing.append(
            f"python3 >= {'.'.join(map(str, MIN_PYTHON))} (this is {sys.version.split()[0]})"
        )
    try:
        import ensurepip  # noqa: F401
        import venv  # noqa: F401
    except ImportError:
        missing.append("python3-venv")
    missing += [package for soname, short, package in libraries if not _loadable(soname, short)]
    return missing


def venv_problem(venv: Path) -> str | None:
    """Why an existing virtual environment cannot be used, or None (also when there is none)."""
    if not venv.exists():
        return None
    python = venv / "bin" / "python"
    if not python.exists():
        return "its python is missing or points to a Python that is gone"
    probe = "import sys, pip; sys.exit(0 if sys.version_info >= (3, 11) else 3)"
    try:
        result = subprocess.run(  # noqa: S603 - the venv's own python, no shell
            [str(python), "-c", probe], capture_output=True, timeout=60, check=False
        )
    except OSError as error:
        return f"its python does not start ({error.strerror})"
    if result.returncode == 3:
        return "it was made with a Python older than 3.11"
    if result.returncode != 0:
        return "it has no pip (made without python3-venv?)"
    return None


def main(
    argv: list[str] | None = None, libraries: tuple[tuple[str, str, str], ...] = LIBRARIES
) -> int:
    """Check; print what to do; 0 if make may go on."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--venv", type=Path, help="a virtual environment to check and remove if broken"
    )
    args = parser.parse_args(argv)
    missing = missing_packages(libraries)
    if missing:
        print(
            "agenda-bot: missing system packages (fehlende Systempakete): "
            + ", ".join(missing)
            + f"\n  Debian/Ubuntu:  {APT_LINE}\n  {ELSEWHERE}\n  Then run the command again.",
            file=sys.stderr,
        )
        return 1
    if args.venv is not None:
        problem = venv_problem(args.venv)
        if problem:
            print(
                f"agenda-bot: {args.venv} is broken ({problem}); building it again", file=sys.stderr
            )
            shutil.rmtree(args.venv)
    return 0


if __name__ == "__main__":
    sys.exit(main())

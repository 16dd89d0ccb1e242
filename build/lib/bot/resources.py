"""Where the shipped files are: the templates and the example consultation files.

In a checkout they are the top-level folders ``templates/`` and ``consultations/``. A wheel
carries them as package data of ``bot`` (``pyproject.toml`` maps the two folders to
``bot/templates`` and ``bot/consultations``), found through ``importlib.resources``; so
``pip install .`` gives a working ``agenda-bot demo`` and ``agenda-bot check`` anywhere.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
IN_CHECKOUT = (CHECKOUT / "pyproject.toml").is_file()


def _shipped(name: str) -> Path:
    packaged = resources.files("bot").joinpath(name)
    if packaged.is_dir():  # an installed wheel
        return Path(str(packaged))
    return CHECKOUT / name


TEMPLATES_DIR = _shipped("templates")
CONSULTATIONS_DIR = _shipped("consultations")

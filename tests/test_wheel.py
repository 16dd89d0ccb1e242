"""The wheel: `pip install` of the built package, outside the checkout, gives a working
`agenda-bot check` and `agenda-bot demo` (templates, consultation files and the fake Telegram
travel as package data and modules of `bot`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow
# What a checkout holds besides its source: environments, caches, earlier builds, demo output.
NOT_SOURCE = (".venv", ".git", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", "out")


def _run(args: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AGENDA_", "TELEGRAM_"))}
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv holding the built wheel; its dependencies are those of the test run
    (a .pth line), so nothing is downloaded but the build backend."""
    tmp = tmp_path_factory.mktemp("wheel")
    # Built from a clean copy: setuptools never empties the checkout's build/, so a template
    # moved since an earlier build would ship twice.
    source = tmp / "source"
    shutil.copytree(PROJECT_ROOT, source, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    built = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(tmp),
            str(source),
        ],
        cwd=tmp,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp.glob("agenda_bot-*.whl")
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp).check_returncode()
    python = venv / "bin" / "python"
    purelib = _run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], cwd=tmp
    ).stdout.strip()
    # Only the dependencies: a path listed in a .pth file is not scanned for .pth files, so the
    # checkout's editable install stays out of sight.
    Path(purelib, "deps.pth").write_text(sysconfig.get_path("purelib") + "\n", "utf-8")
    done = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "-q",
            str(wheel),
        ],
        cwd=tmp,
    )
    assert done.returncode == 0, done.stderr
    return venv


def test_the_installed_bot_is_not_the_checkout(installed: Path, tmp_path: Path) -> None:
    found = _run(
        [str(installed / "bin" / "python"), "-c", "import bot; print(bot.__file__)"], cwd=tmp_path
    )
    assert found.returncode == 0, found.stderr
    assert not Path(found.stdout.strip()).is_relative_to(PROJECT_ROOT)


def test_check_reads_the_shipped_consultation_outside_the_checkout(
    installed: Path, tmp_path: Path
) -> None:
    result = _run([str(installed / "bin" / "agenda-bot"), "check"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "hagenow.yaml: ok" in result.stdout


def test_the_demo_runs_from_the_wheel_and_writes_the_documents(
    installed: Path, tmp_path: Path
) -> None:
    result = _run([str(installed / "bin" / "agenda-bot"), "demo", "--per-group", "2"], cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    out = tmp_path / "out"
    assert (out / "demo.sqlite3").is_file()
    pdfs = {p.name for p in out.glob("*.pdf")}
    packs = {"ws-handel.pdf", "ws-tourismus.pdf", "ws-verwaltung.pdf"}
    assert packs | {"zeit-massnahmen-plan.pdf", "fortschrittsbericht.pdf"} <= pdfs

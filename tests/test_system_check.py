"""`make demo` / `make test` check the system first (deploy/check_system.py): a missing library
gives the apt-get line instead of a traceback; a broken .venv is removed so make builds it again."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from bot.settings import PROJECT_ROOT


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "check_system", PROJECT_ROOT / "deploy" / "check_system.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_this_machine_has_what_the_packs_need() -> None:
    assert _script().missing_packages() == []


def test_a_missing_library_prints_the_apt_get_line(capsys: pytest.CaptureFixture[str]) -> None:
    check = _script()
    gone = (("libpango-9.9.so.0", "pango-9.9-missing", "libpango-1.0-0"),)
    assert check.main([], libraries=gone) == 1
    err = capsys.readouterr().err
    assert "libpango-1.0-0" in err
    assert "sudo apt-get install python3 python3-venv libpango-1.0-0" in err
    assert "Other systems" in err and "Traceback" not in err


def test_a_venv_without_pip_is_removed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    venv = tmp_path / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    assert _script().main(["--venv", str(venv)]) == 0
    assert not venv.exists()
    assert "no pip" in capsys.readouterr().err


def test_a_venv_whose_python_is_gone_is_removed(tmp_path: Path) -> None:
    venv = tmp_path / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(tmp_path / "python3.9-that-was-uninstalled")
    (venv / ".installed").touch()
    assert _script().main(["--venv", str(venv)]) == 0
    assert not venv.exists()


def test_a_good_venv_stays(capsys: pytest.CaptureFixture[str]) -> None:
    venv = Path(sys.prefix)
    assert _script().venv_problem(venv) is None

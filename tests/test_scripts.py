"""README command 1 from a fresh copy of the repository's tracked files: with only the system
python3 on PATH (Debian/Ubuntu, PEP 668: it refuses pip installs), and with the Python running
the tests (pyenv's, on this machine). The script makes .venv/, builds the sample, and says how
to use `kehoach` afterwards."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kehoach_docs.workspace.build import jobs_of

ROOT = Path(__file__).resolve().parent.parent
SYSTEM_PYTHON = Path("/usr/bin/python3")
pytestmark = pytest.mark.slow


def fresh_copy(target: Path) -> Path:
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, files.decode().split("\0")):
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    return target


def clean_env(path: str, **extra: str) -> dict:
    drop = ("PYTHONPATH", "VIRTUAL_ENV", "PYENV_VERSION", "KEHOACH_TEMPLATES", "PIP_REQUIRE_VIRTUALENV")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    return {**env, "PATH": path, **extra}


def build_sample(repo: Path, env: dict) -> subprocess.CompletedProcess:
    done = subprocess.run(["bash", "scripts/build-sample.sh"], cwd=repo, env=env, capture_output=True,
                          text=True, timeout=1200)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def check_built(repo: Path, done: subprocess.CompletedProcess) -> None:
    built = {p.relative_to(repo / "output" / "de-an-04").as_posix()
             for p in (repo / "output" / "de-an-04").rglob("*.docx")}
    assert built == {j.name for j in jobs_of(ROOT / "data" / "de-an-04")}
    assert ".venv/bin/kehoach" in done.stdout and "source .venv/bin/activate" in done.stdout
    where = subprocess.run([repo / ".venv" / "bin" / "python", "-c", "import kehoach_docs; print(kehoach_docs.__file__)"],
                           capture_output=True, text=True, env=clean_env("/usr/bin:/bin"), cwd=repo.parent)
    assert where.stdout.strip() == str(repo / "kehoach_docs" / "__init__.py")


@pytest.mark.skipif(not SYSTEM_PYTHON.exists(), reason="no system python3 (not Debian/Ubuntu)")
def test_command_1_with_only_the_system_python(tmp_path):
    repo = fresh_copy(tmp_path / "kehoach-docs")
    env = clean_env("/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin")
    assert subprocess.run(["bash", "-c", "command -v python3"], env=env, capture_output=True,
                          text=True).stdout.strip() == str(SYSTEM_PYTHON)
    done = build_sample(repo, env)
    check_built(repo, done)
    cfg = (repo / ".venv" / "pyvenv.cfg").read_text()
    assert "home = /usr/bin" in cfg
    # Run again: the .venv is reused, nothing is rebuilt.
    again = build_sample(repo, env)
    assert f"{len(jobs_of(repo / 'data' / 'de-an-04'))} không đổi" in again.stdout


def test_command_1_with_the_python_running_the_tests(tmp_path):
    repo = fresh_copy(tmp_path / "kehoach-docs")
    env = clean_env(f"{Path(sys.executable).parent}{os.pathsep}/usr/bin:/bin", PYTHON=sys.executable)
    done = build_sample(repo, env)
    check_built(repo, done)

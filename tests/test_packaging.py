"""The built wheel, installed into a fresh venv, works from an empty folder outside the repository:
`kehoach init ws && kehoach build ws` passes `kehoach check`; `kehoach init mau --mau de-an-04 &&
kehoach build mau` gives the whole sample; a workspace's templates/ and $KEHOACH_TEMPLATES override
the shipped templates."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from kehoach_docs.workspace.build import jobs_of

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def _run(cmd: list, cwd: Path, env: dict, timeout: int = 600) -> subprocess.CompletedProcess:
    done = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, f"{cmd}\n{done.stdout}\n{done.stderr}"
    return done


def _marked_template(source: Path, target: Path, mark: str) -> None:
    """A copy of a shipped template whose signer line carries `mark`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "word/document.xml":
                data = data.replace(b"{{ nguoi_ky.ho_ten }}", f"{{{{ nguoi_ky.ho_ten }}}} {mark}".encode())
                assert mark.encode() in data
            zout.writestr(item, data)


def _text(docx: Path) -> str:
    with zipfile.ZipFile(docx) as z:
        return z.read("word/document.xml").decode("utf-8")


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh venv with the wheel built from a copy of the repository's tracked files."""
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, files.decode().split("\0")):
        if (ROOT / name).is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "KEHOACH_TEMPLATES")}
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", base / "dist", src], base, env)
    wheel = next((base / "dist").glob("kehoach_docs-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "kehoach_docs/templates/ke-hoach-dang.docx" in names
    assert "kehoach_docs/samples/de-an-04/ke-hoach-44.yaml" in names
    assert "kehoach_docs/skeleton/ke-hoach.yaml" in names
    venv.create(base / "venv", with_pip=True)
    py = base / "venv" / "bin" / "python"
    _run([py, "-m", "pip", "install", "-q", "--disable-pip-version-check", wheel], base, env, timeout=900)
    env["PATH"] = f"{base / 'venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    work = base / "empty"
    work.mkdir()
    return work, env


def test_init_build_check_from_an_empty_folder(installed):
    work, env = installed
    assert not any(work.iterdir())
    _run(["kehoach", "init", "ws"], work, env)
    built = _run(["kehoach", "build", "ws"], work, env)
    docs = sorted((work / "output" / "ws").rglob("*.docx"))
    assert [d.relative_to(work / "output" / "ws").as_posix() for d in docs] == \
        ["bao-cao/so-ket.docx", "ke-hoach.docx"], built.stdout
    checked = _run(["kehoach", "check", *docs], work, env)
    assert "0 tệp có lỗi thể thức" in checked.stdout
    # The installed package, not the repository, did the work.
    where = _run(["python", "-c", "import kehoach_docs; print(kehoach_docs.__file__)"], work, env)
    assert str(ROOT) not in where.stdout and "site-packages" in where.stdout


def test_the_shipped_sample_builds_whole(installed):
    work, env = installed
    _run(["kehoach", "init", "mau", "--mau", "de-an-04"], work, env)
    _run(["kehoach", "build", "mau"], work, env)
    expected = {j.name for j in jobs_of(ROOT / "data" / "de-an-04")}
    got = {p.relative_to(work / "output" / "mau").as_posix()
           for p in (work / "output" / "mau").rglob("*.docx")}
    assert got == expected and len(expected) > 100


def test_workspace_templates_and_env_override_the_shipped_ones(installed):
    work, env = installed
    _run(["kehoach", "init", "rieng"], work, env)
    shipped = Path(_run(["python", "-c", "from kehoach_docs.templates import TEMPLATES_DIR as d; print(d)"],
                        work, env).stdout.strip())
    _marked_template(shipped / "ke-hoach-dang.docx", work / "rieng" / "templates" / "ke-hoach-dang.docx",
                     "MAU-CUA-THU-MUC")
    _run(["kehoach", "build", "rieng"], work, env)
    assert "MAU-CUA-THU-MUC" in _text(work / "output" / "rieng" / "ke-hoach.docx")

    _run(["kehoach", "init", "bien"], work, env)
    _marked_template(shipped / "ke-hoach-dang.docx", work / "chung" / "ke-hoach-dang.docx", "MAU-CHUNG")
    _run(["kehoach", "build", "bien"], work, {**env, "KEHOACH_TEMPLATES": str(work / "chung")})
    assert "MAU-CHUNG" in _text(work / "output" / "bien" / "ke-hoach.docx")
    assert "MAU-CHUNG" not in _text(work / "output" / "rieng" / "ke-hoach.docx")

"""Build step: the sample workspaces of data/ ship in the wheel as kehoach_docs/samples/<name>/.

The repository keeps one copy of each sample (data/<name>/, edited there); `kehoach init
THƯ_MỤC --mau <name>` copies the shipped one. Everything else is declared in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
SAMPLE_FILES = ("*.yaml", "*.docx", "*.md")


class BuildWithSamples(build_py):
    def run(self) -> None:
        super().run()
        source = HERE / "data"
        if not source.is_dir():
            return
        target = Path(self.build_lib) / "kehoach_docs" / "samples"
        if target.exists():
            shutil.rmtree(target)
        for sample in sorted(p for p in source.iterdir() if p.is_dir()):
            for pattern in SAMPLE_FILES:
                for f in sorted(sample.rglob(pattern)):
                    rel = f.relative_to(source)
                    if any(part.startswith(".") for part in rel.parts):
                        continue
                    dest = target / rel
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(f, dest)


setup(cmdclass={"build_py": BuildWithSamples})

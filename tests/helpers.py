"""Helpers shared by the test modules (test modules never import each other).

    read_yaml(path)            a data file as plain data, read independently of the tool (libyaml)
    plan_text(**fields)        the one minimal-plan builder (fields replaced or added); BODY_PLAN
    write_plan(folder, text)   a data file from text or bytes
    text_lines(docx)           non-empty paragraphs in reading order
    template_with(folder, …)   the Party plan template with one piece of text replaced
    copy_plans(folder, units)  the sample's plan, khung and some unit files
    sample_subset(folder, units)  the whole sample with only some units (FEW_UNITS by default)
    few_or_every(units)        parameters: a test on `units` in the inner loop, on every unit as slow
    kehoach(*args)             the CLI in process (click's CliRunner): exit code, stdout, stderr
    case(group), case_counts   cases of docs/reliability.md, counted from a test module's source

Fixtures (conftest.py): `make_plan`, `sample_ws`, `sample_prepared`, `sample_workspace`, `sample_sized`,
`sample_plans`, `state_workspace`.
"""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import docx
import yaml
from docx.table import Table
from docx.text.paragraph import Paragraph

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SAMPLE_WS = DATA / "de-an-04"
"""The Party sample workspace (Kế hoạch 44-KH/ĐUK, its units and reports)."""
STATE_WS = DATA / "ubnd-nghe-an"
"""The State sample workspace (Kế hoạch 696/KH-UBND)."""
PARTY_TEMPLATE = ROOT / "kehoach_docs" / "templates" / "ke-hoach-dang.docx"

# Sizes of the generated and crash runs, read by the tests that run them and by the test
# that docs/reliability.md counts them right.
CRASH_KILL_RUNS = 15
CONCURRENT_BUILDS = 1
PROPERTY_EXAMPLES = 60
PROPERTY_AUDITED = 4
FUZZ_EXAMPLES = 300

MINIMAL = """\
co_quan:
  cap_tren: Đảng bộ tỉnh Nghệ An
  ten: Đảng ủy Khối các cơ quan tỉnh
  ky_hieu: ĐUK
so: 44
ngay: 2021-12-10
dia_danh: Nghệ An
trich_yeu: thực hiện Đề án
noi_nhan:
  - Các TCCS Đảng
luu: VP
nguoi_ky:
  quyen_han: T/M BAN THƯỜNG VỤ
  chuc_vu: PHÓ BÍ THƯ
  ho_ten: Nguyễn Thị Kim Chi
"""
"""The smallest valid plan, as a clerk writes it (tests rely on its line numbers)."""


# libyaml: the tests read the sample's hundreds of files many times; the pure-Python parser
# took a third of the inner loop.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def read_yaml(source: Path | str):
    """A YAML file (a Path) or text (a str) as plain data, read without the tool's loader:
    what the tests recompute figures from."""
    text = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
    return yaml.load(text, Loader=_LOADER)


def plan_text(drop: tuple[str, ...] = (), **fields) -> str:
    """A plan: MINIMAL itself, or with `fields` replaced or added ("nguoi_ky.ho_ten" reaches
    into groups) and the top-level fields in `drop` left out, as YAML that the emitter quotes
    and escapes itself: each value reaches the loader exactly as given."""
    if not fields and not drop:
        return MINIMAL
    data = read_yaml(MINIMAL)
    for name in drop:
        del data[name]
    for dotted, value in fields.items():
        *parents, last = dotted.split(".")
        target = data
        for part in parents:
            target = target[part]
        target[last] = value
    return yaml.dump(data, Dumper=_DUMPER, allow_unicode=True, width=10**9, sort_keys=False)


BODY_PLAN = plan_text(
    mo_dau=["Thực hiện Đề án số 04-ĐA/TU, Ban Thường vụ Đảng ủy Khối xây dựng Kế hoạch thực hiện như sau."],
    muc_dich_yeu_cau=["Quán triệt sâu sắc nội dung Đề án đến cán bộ, đảng viên.",
                      "Xác định rõ trách nhiệm của cấp ủy, người đứng đầu."],
    nhiem_vu=[{"ten": "Tuyên truyền, quán triệt",
               "doan": ["Tổ chức quán triệt đến cán bộ, đảng viên trong toàn Đảng bộ."],
               "y": ["Hội nghị chuyên đề."]}],
    to_chuc_thuc_hien=[{"doan": ["Văn phòng Đảng ủy theo dõi, tổng hợp, báo cáo."]}],
    noi_nhan=["Các TCCS Đảng", {"ten": "Ban Thường vụ Tỉnh ủy", "muc_dich": "để b/c"}],
)
"""The minimal plan with a body: an opening, aims, a task, duties and two recipients."""


def line_of(text: str, start: str) -> int:
    """1-based number of the first line of `text` that starts with `start`."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith(start))


def write_plan(folder: Path, text: str | bytes, name: str = "kh.yaml") -> Path:
    f = folder / name
    f.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return f


def copy_plans(into: Path, units: list[str] | None = None, source: Path = SAMPLE_WS) -> Path:
    """The plan part of a sample workspace copied into `into`: its plan, its khung, the
    unit files of `units` (every unit when None; none for []) and the results it declares; no
    results of any year, no reports."""
    ws = into / source.name
    (ws / "don-vi").mkdir(parents=True)
    for name in ("ke-hoach-44.yaml", "khung-don-vi.yaml"):
        shutil.copy(source / name, ws / name)
    for unit in sorted(p.stem for p in (source / "don-vi").glob("*.yaml")) if units is None else units:
        shutil.copy(source / "don-vi" / f"{unit}.yaml", ws / "don-vi" / f"{unit}.yaml")
    for declared in (source / "ket-qua").glob("*.yaml"):  # the results the programme declares
        (ws / "ket-qua").mkdir(exist_ok=True)
        shutil.copy(declared, ws / "ket-qua" / declared.name)
    return ws


FEW_UNITS = ("so-giao-thong-van-tai", "so-xay-dung", "so-du-lich", "so-van-hoa-va-the-thao", "so-noi-vu",
             "so-tu-phap", "so-tai-chinh", "so-y-te", "hoi-nha-bao-tinh")
"""A few of the sample's units: two merges (Giao thông vận tải into Xây dựng, Du lịch into Văn
hóa và Thể thao, both in 2025), a unit that did not report in 2023 (Giao thông vận tải), and the
units the tests name."""


def sample_subset(into: Path, units: tuple[str, ...] | list[str] | None = FEW_UNITS, source: Path = SAMPLE_WS) -> Path:
    """A copy of a sample workspace (plan, khung, results, reports) keeping only the unit files
    and results of `units` (every unit when None): the whole pipeline in a second, not ten."""
    ws = into / source.name
    kept = None if units is None else {*units, "toan-khoi"}  # the office's own results too

    def left_out(folder: str, names: list[str]) -> list[str]:
        """Unit files (don-vi/) and results (ket-qua/<year>/) of other units: not copied (six
        times faster than copying the whole sample and deleting them)."""
        inside = Path(folder).relative_to(source).parts
        if kept is None or not (inside == ("don-vi",) or (len(inside) == 2 and inside[0] == "ket-qua")):
            return []
        return [n for n in names if n.endswith(".yaml") and n.removesuffix(".yaml") not in kept]

    shutil.copytree(source, ws, ignore=left_out)
    return ws


def text_lines(source: bytes | Path) -> list[str]:
    """Non-empty paragraphs in reading order: body paragraphs and table cells row by row."""
    d = docx.Document(io.BytesIO(source) if isinstance(source, bytes) else source)
    out = []
    for el in d.element.body.iterchildren():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraphs = [Paragraph(el, d)]
        elif tag == "tbl":
            paragraphs = [p for row in Table(el, d).rows for c in row.cells for p in c.paragraphs]
        else:
            continue
        out += [p.text for p in paragraphs if p.text.strip()]
    return out


def template_with(folder: Path, old: str, new: str, template: Path = PARTY_TEMPLATE) -> Path:
    """A copy of `template` whose body has its first `old` replaced by `new`."""
    out = folder / f"mau-{len(list(folder.glob('mau-*.docx')))}.docx"
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                text = data.decode()
                assert old in text
                data = text.replace(old, new, 1).encode()
            dst.writestr(info, data)
    return out


@dataclass
class Run:
    """What a CLI run printed, and how it ended."""

    returncode: int
    stdout: str
    stderr: str


def kehoach(*args, cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """The CLI in process, through click's CliRunner (as `kehoach ARGS` would run; no new
    Python). An exception the CLI lets through is raised, so a traceback fails the test."""
    from click.testing import CliRunner

    from kehoach_docs.cli import main

    runner = CliRunner(env=env)
    old = os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        result = runner.invoke(main, [str(a) for a in args], catch_exceptions=True)
    finally:
        os.chdir(old)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Run(result.exit_code, result.stdout, result.stderr)


def case(group: str):
    """Mark a test as a case of `group`, a row of docs/reliability.md (counted by
    `case_counts` from the test module's source)."""
    def mark(fn):
        fn.case_group = group
        return fn
    return mark


def case_counts(test_file: Path) -> dict[str, int]:
    """Cases per group of the tests in `test_file` marked `@case(group)`: a parametrised
    test counts once per parameter set (stacked parametrize multiply). Read from the source,
    so no test module imports another; parameter lists are written out as lists."""
    import ast
    import math

    counts: dict[str, int] = {}
    for fn in ast.parse(test_file.read_text(encoding="utf-8")).body:
        if not isinstance(fn, ast.FunctionDef):
            continue
        group, sizes = None, []
        for d in fn.decorator_list:
            if not isinstance(d, ast.Call):
                continue
            name = ast.unparse(d.func)
            if name in ("case", "helpers.case"):
                group = ast.literal_eval(d.args[0])
            elif name == "pytest.mark.parametrize":
                values = d.args[1]
                if not isinstance(values, (ast.List, ast.Tuple)):
                    raise ValueError(f"{test_file.name}:{d.lineno}: a counted case's parameters must be "
                                     "written as a list here")
                sizes.append(len(values.elts))
        if group is not None:
            counts[group] = counts.get(group, 0) + math.prod(sizes)
    return counts


def few_or_every(units) -> list:
    """Parameters `units` of a test run on the sample: `units` in the inner loop ("few-units"),
    every unit as slow ("every-unit", None); the test makes `sample_subset(tmp_path, units)`."""
    import pytest

    return [pytest.param(tuple(units), id="few-units"),
            pytest.param(None, id="every-unit", marks=pytest.mark.slow)]

"""The pipeline for one document file: load → validate → context → render → write.

Library entry points (the CLI is a thin layer over these):
    prepare(path)            → Prepared (validated data, profile, context, template)
    render_bytes(prepared)   → .docx bytes (deterministic)
    render_file(path, out)   → writes the .docx atomically
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from kehoach_docs.context import DocumentContext, build_plan_context, context_dict
from kehoach_docs.errors import Problem, ProblemList, UserError
from kehoach_docs.load import Loaded, dotted, load_yaml
from kehoach_docs.profile import Profile, choose_profile, get_profile
from kehoach_docs.render import CoreProperties, compile_template
from kehoach_docs.schema import Plan
from kehoach_docs.templates import TEMPLATES_DIR
from kehoach_docs.validate import validate

PACKAGE_TEMPLATES = TEMPLATES_DIR
DEFAULT_TEMPLATES = {("KH", "dang"): "ke-hoach-dang.docx", ("KH", "nha_nuoc"): "ke-hoach-nha-nuoc.docx",
                     ("BC", "dang"): "bao-cao-dang.docx", ("BC", "nha_nuoc"): "bao-cao-nha-nuoc.docx"}


def templates_dirs(near: Path | None = None) -> list[Path]:
    """Where templates are looked up: beside the data, the workspace, $KEHOACH_TEMPLATES, the toolkit."""
    dirs = []
    if near is not None:
        dirs += [near, near / "templates", near.parent / "templates"]
    if os.environ.get("KEHOACH_TEMPLATES"):
        dirs.append(Path(os.environ["KEHOACH_TEMPLATES"]))
    dirs.append(PACKAGE_TEMPLATES)
    return dirs


def find_template(name: str, near: Path | None = None) -> Path:
    p = Path(name)
    if (p.is_absolute() or len(p.parts) > 1) and p.is_file():
        return p  # a path the user gave (absolute, or relative to the current folder)
    for folder in templates_dirs(near):
        if (folder / name).is_file() and not is_an_output(folder / name):
            return folder / name
    raise ProblemList([Problem(name, 0, 0, "mau",
                               f"Không tìm thấy mẫu '{name}' (đã tìm trong: "
                               f"{', '.join(str(d) for d in templates_dirs(near))}).")])


def is_an_output(candidate: Path) -> bool:
    """A .docx made by this toolkit, not a template: it has a data file of the same name
    beside it (`ke-hoach-dang.yaml` → `ke-hoach-dang.docx`), or the folder's manifest lists
    it. Taking it as the template would silently ignore every later change of the data."""
    from kehoach_docs.manifest import MANIFEST_NAME, Manifest

    if candidate.with_suffix(".yaml").is_file() or candidate.with_suffix(".yml").is_file():
        return True
    if (candidate.parent / MANIFEST_NAME).is_file():
        try:
            return candidate.name in Manifest(candidate.parent).entries
        except Exception:  # an unreadable manifest proves nothing either way
            return False
    return False


@dataclass
class Prepared:
    path: Path
    loaded: Loaded
    data: Any
    """The validated data: a Plan (a unit's derived plan too) or a Report."""
    profile: Profile
    context: DocumentContext
    template: Path
    sources: tuple[Path, ...] = ()
    """Data files read besides `path` (a unit's model and parent plan)."""

    def inputs(self) -> list[Path]:
        """Every file this document is made from (for incremental builds)."""
        files = [self.path, *self.sources, self.template]
        if self.profile.path is not None:
            files.append(self.profile.path)
        return [f.resolve() for f in files]

    def context_dict(self) -> dict[str, Any]:
        return context_dict(self.context)

    def core_properties(self) -> CoreProperties:
        info = self.context.tai_lieu
        return CoreProperties(info.tieu_de, info.chu_de, info.tac_gia, info.ngon_ngu, info.ngay)


def given_template(template: str | Path | None) -> Path | None:
    """A template named on the command line is a path from the current folder first
    (`--template mau.docx` is ./mau.docx, never another file of that name)."""
    if template is not None and Path(template).is_file():
        return Path(template)
    return None


def located(loaded: Loaded, problems: list[tuple[tuple, str]]) -> list[Problem]:
    out = []
    for loc, message in problems:
        line, col = loaded.where(loc)
        out.append(Problem(loaded.path, line, col, dotted(loc), message))
    return out


def document_kind(loaded: Loaded) -> str:
    """"report" (báo cáo), "unit" (a unit profile: it has `loai`) or "plan"."""
    data = loaded.data
    if isinstance(data, dict) and "loai_bao_cao" in data:
        return "report"
    if isinstance(data, dict) and "loai" in data and "co_quan" not in data:
        return "unit"
    return "plan"


def _profile_dirs(path: Path) -> tuple[Path, ...]:
    return tuple(d / "the-thuc" for d in (path.parent, path.parent.parent) if (d / "the-thuc").is_dir())


def prepare(path: str | Path, template: str | Path | None = None, unit: str | None = None) -> Prepared:
    """Load, validate and build the context of one document file: a plan, a unit profile, or
    a report (with `unit`, that unit's own report for the same period)."""
    path = Path(path)
    loaded = load_yaml(path)
    if document_kind(loaded) == "report":
        return _prepare_report(path, loaded, template, unit)
    if unit is not None:
        raise ProblemList([Problem(path, 0, 0, "", "Chỉ tệp báo cáo (bao-cao/…) mới có báo cáo riêng "
                                                   "của từng đơn vị.")])
    sources: tuple[Path, ...] = ()
    if document_kind(loaded) == "unit":
        plan, names, relocate, sources = _derive_unit(loaded)
    else:
        plan, names, relocate = validate(loaded, Plan), {}, (lambda loc: loc)
    extra_profiles = _profile_dirs(path)
    try:
        profile = get_profile(plan.the_thuc, extra_profiles) if plan.the_thuc else \
            choose_profile(plan.he_thong, plan.ngay, extra_profiles)
    except ProblemList as exc:
        raise ProblemList([_at(loaded, p) for p in exc.problems]) from None
    context, problems = build_plan_context(plan, profile, names)
    if problems:
        raise ProblemList(located(loaded, [(relocate(loc), msg) for loc, msg in problems]))
    name = str(template) if template else plan.mau or DEFAULT_TEMPLATES[(plan.loai_van_ban, plan.he_thong)]
    try:
        template_path = given_template(template) or find_template(name, path.parent)
    except ProblemList as exc:
        raise ProblemList([_at(loaded, p) if not template else p for p in exc.problems]) from None
    return Prepared(path, loaded, plan, profile, context, template_path, sources)


DEFAULT_UNIT_REPORT_RECIPIENTS = [{"ten": "Ban Thường vụ Đảng ủy Khối", "muc_dich": "để b/c"},
                                  {"ten": "Ban Tuyên giáo Đảng ủy Khối"}]


def _prepare_report(path: Path, loaded: Loaded, template, unit: str | None) -> Prepared:
    from kehoach_docs.derive import load_workbench, unit_identity
    from kehoach_docs.layout import MODEL_FILE
    from kehoach_docs.report import build_report_context, gather
    from kehoach_docs.schema.plan import Recipient
    from kehoach_docs.schema.report import Report
    from kehoach_docs.schema.results import OFFICE_FILE

    report = validate(loaded, Report)
    src = gather(report, path)
    plan = src.plan
    try:
        profile = choose_profile(plan.he_thong, report.ngay, _profile_dirs(path))
    except ProblemList as exc:
        raise ProblemList([_at(loaded, p) for p in exc.problems]) from None
    collected = src.collected
    if unit is None:
        body, signer, recipients, luu = plan.co_quan, report.nguoi_ky, report.noi_nhan, report.luu
        sources = (src.plan_path, *[u.path for u in collected.units], *collected.files.values())
        only = None
    else:
        only = next((u for u in collected.units if u.info.ma == unit), None)
        if only is None:
            raise ProblemList([Problem(path, 0, 0, "", f"Không có đơn vị '{unit}'.")])
        model_path = src.plan_path.parent / MODEL_FILE
        bench = load_workbench(model_path)
        body, signer = unit_identity(bench, only.profile)
        opts = report.bao_cao_don_vi
        recipients = (opts.noi_nhan if opts and opts.noi_nhan else
                      [Recipient(**r) for r in DEFAULT_UNIT_REPORT_RECIPIENTS])
        luu = bench.model.loai_to_chuc[only.profile.loai].luu
        sources = (src.plan_path, model_path, only.path,
                   *[f for (y, ma), f in collected.files.items() if ma in (unit, OFFICE_FILE)])
    context, problems = build_report_context(
        src, profile, co_quan=body, signer=signer, recipients=recipients, luu=luu, only=only,
        trich_yeu=report.bao_cao_don_vi.trich_yeu if only and report.bao_cao_don_vi else None)
    if problems:
        raise ProblemList(located(loaded, problems))
    name = str(template) if template else DEFAULT_TEMPLATES[("BC", plan.he_thong)]
    template_path = given_template(template) or find_template(name, path.parent)
    return Prepared(path, loaded, report, profile, context, template_path, tuple(sources))


def _derive_unit(loaded: Loaded):
    from kehoach_docs.derive import check_unit, derive_plan, find_model, load_workbench, own_task_loc
    from kehoach_docs.schema.unit import UnitProfile

    unit = validate(loaded, UnitProfile)
    model_path = find_model(loaded.path)
    bench = load_workbench(model_path)
    problems = check_unit(bench, unit, loaded)
    if problems:
        raise ProblemList(problems)
    plan, names = derive_plan(bench, unit)
    return plan, names, lambda loc: own_task_loc(bench, unit, loc), (model_path, bench.parent_path)


def _at(loaded: Loaded, p: Problem) -> Problem:
    line, col = loaded.where(tuple(p.field.split("."))) if p.field else (0, 0)
    return Problem(loaded.path, line, col, p.field, p.message)


def check_file(path: str | Path) -> None:
    """Validate any data file of a workspace: a document, a unit profile, the model, a
    report or a results file; raise ProblemList with every problem."""
    from kehoach_docs.derive import load_workbench
    from kehoach_docs.layout import MODEL_FILE, RESULTS_DIR

    path = Path(path)
    if path.name == MODEL_FILE:
        load_workbench(path)
    elif path.parent.parent.name == RESULTS_DIR:
        _check_results_file(path, path.parent.parent.parent)
    else:
        prepare(path)


def workspace_plan(workspace: Path) -> Path:
    """The plan a workspace's units and results belong to."""
    from kehoach_docs.derive import load_workbench
    from kehoach_docs.layout import MODEL_FILE

    if (workspace / MODEL_FILE).is_file():
        return load_workbench(workspace / MODEL_FILE).parent_path
    for candidate in sorted(workspace.glob("*.yaml")):
        if document_kind(load_yaml(candidate)) == "plan":
            return candidate
    raise ProblemList([Problem(workspace, 0, 0, "", "Thư mục chưa có kế hoạch (tệp .yaml ở thư mục gốc).")])


@lru_cache(maxsize=8)
def _plan_targets_cached(path: Path, _mtime: int) -> dict:
    return {t.ma: t for t in prepare(path).data.targets()}


def _plan_targets(path: Path) -> dict:
    return _plan_targets_cached(path, path.stat().st_mtime_ns)


def _check_results_file(path: Path, workspace: Path) -> None:
    from kehoach_docs.collect import check_results
    from kehoach_docs.layout import UNITS_DIR
    from kehoach_docs.schema.results import OFFICE_FILE, Results

    if path.stem != OFFICE_FILE and not (workspace / UNITS_DIR / f"{path.stem}.yaml").is_file():
        raise ProblemList([Problem(path, 0, 0, "", f"Không có đơn vị '{path.stem}' trong {UNITS_DIR}/.")])
    if not path.parent.name.isdigit():
        raise ProblemList([Problem(path, 0, 0, "", f"Thư mục '{path.parent.name}' phải là một năm.")])
    loaded = load_yaml(path)
    results = validate(loaded, Results)
    targets = _plan_targets(workspace_plan(workspace).resolve())
    problems = check_results(loaded, results, targets, int(path.parent.name), path.stem == OFFICE_FILE)
    if problems:
        raise ProblemList(problems)


def render_bytes(prepared: Prepared) -> bytes:
    compiled = compile_template(prepared.template)
    return compiled.render(prepared.context_dict(), prepared.core_properties())


def render_file(path: str | Path, out: str | Path | None = None,
                template: str | Path | None = None, unit: str | None = None, force: bool = False) -> Path:
    """Render one document file to .docx (with `unit`, that unit's own report); the default
    output is beside it with the same stem. Written as `build` writes (publish.render_to):
    checked against the profile, a hand edit kept unless `force`, never over an input."""
    from kehoach_docs.publish import KEPT, render_to

    prepared = prepare(path, template, unit)
    target = Path(out) if out else Path(path).with_suffix(".docx" if unit is None else f".{unit}.docx")
    if render_to(prepared, target, force).status == KEPT:
        raise UserError(f"Tệp '{target}' đã được sửa tay sau lần tạo trước; không ghi đè. "
                        "Dùng --force để tạo lại (bản sửa tay được lưu bên cạnh).")
    return target


def to_jsonable(model: BaseModel) -> Any:
    return model.model_dump(mode="json")

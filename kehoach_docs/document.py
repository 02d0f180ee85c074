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
from kehoach_docs.layout import BODIES_FILE
from kehoach_docs.load import Loaded, dotted, load_yaml
from kehoach_docs.profile import Profile, choose_profile, get_profile
from kehoach_docs.render import CoreProperties, compile_template
from kehoach_docs.schema import Plan
from kehoach_docs.schema.plan import Body
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
    warnings: tuple[Problem, ...] = ()
    """Warnings that do not stop the document (a profile past its confirmed date)."""

    def inputs(self) -> list[Path]:
        """Every file this document is made from (for incremental builds)."""
        from kehoach_docs.organisations import bodies_file

        files = [self.path, *self.sources, self.template]
        if (bodies := bodies_file(self.path)) is not None:
            files.append(bodies)  # names, superiors and signers by date
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
    if document_kind(loaded) == "plan":
        _check_bodies(path, loaded, plan, plan.ngay)
    name = str(template) if template else plan.mau or DEFAULT_TEMPLATES[(plan.loai_van_ban, plan.he_thong)]
    try:
        template_path = given_template(template) or find_template(name, path.parent)
    except ProblemList as exc:
        raise ProblemList([_at(loaded, p) if not template else p for p in exc.problems]) from None
    return Prepared(path, loaded, plan, profile, context, template_path, sources,
                    profile_warnings(path, profile, plan.ngay))


def profile_warnings(path: Path, profile: Profile, day) -> tuple[Problem, ...]:
    """"Which profile, and a newer rule may apply" when the date is past its confirmed rules."""
    message = profile.warning(day)
    return (Problem(path, 0, 0, "the_thuc", message, level="cảnh báo"),) if message else ()


def _check_bodies(path: Path, loaded: Loaded, doc, day, issuer: bool = True) -> None:
    """The issuing body and the recipients must exist on the document's date (to-chuc.yaml)."""
    from kehoach_docs.organisations import load_bodies

    bodies = load_bodies(path)
    if not bodies.records:
        return
    problems = []
    if issuer and isinstance(doc.co_quan, Body) and (why := bodies.stale(doc.co_quan.ten, day)):
        line, col = loaded.where(("co_quan", "ten"))
        problems.append(Problem(path, line, col, "co_quan.ten", why))
    for i, r in enumerate(doc.noi_nhan):
        if why := bodies.stale(r.ten, day):
            line, col = loaded.where(("noi_nhan", i))
            problems.append(Problem(path, line, col, f"noi_nhan.{i}", "Nơi nhận: " + why))
    signer = getattr(doc, "nguoi_ky", None)
    if signer is not None and (why := bodies.signer_stale(signer.ho_ten, day)):
        line, col = loaded.where(("nguoi_ky", "ho_ten"))
        problems.append(Problem(path, line, col, "nguoi_ky.ho_ten", why))
    if problems:
        raise ProblemList(problems)


def _prepare_report(path: Path, loaded: Loaded, template, unit: str | None) -> Prepared:
    from kehoach_docs.derive import load_workbench, unit_identity
    from kehoach_docs.layout import MODEL_FILE
    from kehoach_docs.report import build_report_context, gather
    from kehoach_docs.schema.plan import Recipient
    from kehoach_docs.schema.report import Report

    report = validate(loaded, Report)
    src = gather(report, path)
    plan = src.plan
    from kehoach_docs.period import check_report_period  # results of years the plan does not cover

    check_report_period(loaded, report, plan, src.plan_path, src.plan_path.parent, src.collected.programme.tep_van_phong)
    try:
        profile = choose_profile(plan.he_thong, report.ngay, _profile_dirs(path))
    except ProblemList as exc:
        raise ProblemList([_at(loaded, p) for p in exc.problems]) from None
    collected = src.collected
    names: dict[str, str] = {}
    if unit is None:
        body = _report_issuer(path, loaded, report, plan)
        signer, recipients, luu = report.nguoi_ky, report.noi_nhan, report.luu
        sources = (src.plan_path, *[u.path for u in collected.units], *collected.files.values())
        only = None
    else:
        only = next((u for u in collected.units if u.info.ma == unit), None)
        if only is None:
            raise ProblemList([Problem(path, 0, 0, "", f"Không có đơn vị '{unit}'.")])
        from kehoach_docs.organisations import exists_on, unit_state, load_bodies
        if not exists_on(only.profile, report.ngay):
            raise ProblemList([Problem(path, 0, 0, "", f"Đơn vị '{unit}' không hoạt động vào ngày "
                                       f"{report.ngay:%d/%m/%Y} của báo cáo: không có báo cáo riêng "
                                       "(kết quả của đơn vị được tính cho đơn vị kế tục).")])
        model_path = src.plan_path.parent / MODEL_FILE
        bench = load_workbench(model_path)
        body, signer = unit_identity(bench, only.profile, report.ngay)
        state = unit_state(only.profile, report.ngay, load_bodies(model_path), bench.model.cap_tren)
        names = {"cap_uy_cap_tren": state.cap_uy_cap_tren or state.cap_tren, "don_vi": state.ten}
        opts = report.bao_cao_don_vi
        # The report file's recipients, else the programme's, else the issuing body itself.
        recipients = (opts.noi_nhan if opts and opts.noi_nhan else
                      collected.programme.noi_nhan_bao_cao_don_vi or
                      [Recipient(ten=plan.co_quan.chu_the or plan.co_quan.ten, muc_dich="để b/c")])
        luu = bench.model.loai_to_chuc[only.profile.loai].luu
        sources = (src.plan_path, model_path, only.path,
                   *[f for (y, ma), f in collected.files.items() if ma in (unit, collected.programme.tep_van_phong)])
    context, problems = build_report_context(
        src, profile, co_quan=body, signer=signer, recipients=recipients, luu=luu, only=only,
        trich_yeu=report.bao_cao_don_vi.trich_yeu if only and report.bao_cao_don_vi else None,
        names=names)
    if problems:
        raise ProblemList(located(loaded, problems))
    if unit is None:
        _check_bodies(path, loaded, report, report.ngay, issuer=isinstance(report.co_quan, Body))
    name = str(template) if template else DEFAULT_TEMPLATES[("BC", plan.he_thong)]
    template_path = given_template(template) or find_template(name, path.parent)
    return Prepared(path, loaded, report, profile, context, template_path, tuple(sources),
                    profile_warnings(path, profile, report.ngay))


def _report_issuer(path: Path, loaded: Loaded, report, plan) -> Body:
    """Who issues the office's report on its date: the body it names (an id of to-chuc.yaml
    or a full entry), else the plan's body, or the body that took over from it."""
    from kehoach_docs.organisations import BODIES_FILE, load_bodies

    bodies = load_bodies(path)
    if isinstance(report.co_quan, Body):
        return report.co_quan
    ref = report.co_quan or plan.co_quan.ten
    now = bodies.on(ref, report.ngay)
    if now is None:
        if report.co_quan is not None or bodies.find(ref) is not None:
            line, col = loaded.where(("co_quan",)) if report.co_quan else loaded.where(("ngay",))
            why = bodies.stale(bodies.records[bodies.find(ref)].ten, report.ngay) if bodies.find(ref) else \
                f"Không có cơ quan '{ref}' trong {BODIES_FILE}."
            raise ProblemList([Problem(path, line, col, "co_quan" if report.co_quan else "ngay",
                                       f"{why} Ghi co_quan: <mã cơ quan ban hành> trong báo cáo.")])
        return plan.co_quan
    if report.co_quan is None and bodies.find(ref) == now[0]:
        return plan.co_quan  # the plan's own body, still in office: as the plan writes it
    if not now[1].ky_hieu:
        line, col = loaded.where(("co_quan",)) if report.co_quan else loaded.where(("ngay",))
        raise ProblemList([Problem(path, line, col, "co_quan", f"'{now[1].ten}' chưa có ký hiệu (ky_hieu) "
                                   f"trong {BODIES_FILE}.")])
    return bodies.as_body(now[0])


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
    from kehoach_docs.programme import PROGRAMME_FILE, load_programme

    path = Path(path)
    if path.name == MODEL_FILE:
        load_workbench(path)
    elif path.name == BODIES_FILE:
        from kehoach_docs.organisations import load_bodies
        load_bodies(path.parent)
    elif path.name == PROGRAMME_FILE and path.parent.name == RESULTS_DIR:
        load_programme(path.parent.parent)
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
    for candidate in sorted(c for c in workspace.glob("*.yaml") if c.name != BODIES_FILE):
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
    from kehoach_docs.programme import load_programme

    programme = load_programme(workspace)
    office_file = programme.tep_van_phong
    if path.stem != office_file and not (workspace / UNITS_DIR / f"{path.stem}.yaml").is_file():
        raise ProblemList([Problem(path, 0, 0, "", f"Không có đơn vị '{path.stem}' trong {UNITS_DIR}/.")])
    if not path.parent.name.isdigit():
        raise ProblemList([Problem(path, 0, 0, "", f"Thư mục '{path.parent.name}' phải là một năm.")])
    loaded = load_yaml(path)
    results = validate(loaded, programme.results_model())
    targets = _plan_targets(workspace_plan(workspace).resolve())
    problems = check_results(loaded, results, targets, int(path.parent.name), path.stem == office_file,
                             programme)
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
    return render_file_warned(path, out, template, unit, force)[0]


def render_file_warned(path: str | Path, out: str | Path | None = None, template: str | Path | None = None,
                       unit: str | None = None, force: bool = False) -> tuple[Path, tuple[Problem, ...]]:
    """render_file, and the warnings to show (the profile used past its confirmed date)."""
    from kehoach_docs.publish import KEPT, render_to

    prepared = prepare(path, template, unit)
    target = Path(out) if out else Path(path).with_suffix(".docx" if unit is None else f".{unit}.docx")
    written = render_to(prepared, target, force)
    if written.status == KEPT and written.unrecorded:
        from kehoach_docs.manifest import MANIFEST_NAME

        raise UserError(f"Đã có tệp '{target}' nhưng không có ghi nhận nào cho biết tệp do kehoach tạo ra "
                        f"(tệp ghi nhận ẩn {MANIFEST_NAME} ở thư mục đó đã bị xóa, hoặc tệp được chép từ nơi "
                        "khác); có thể là bản sửa tay nên không ghi đè. Dùng --force để tạo lại (tệp hiện có "
                        "được lưu bên cạnh).")
    if written.status == KEPT:
        raise UserError(f"Tệp '{target}' đã được sửa tay sau lần tạo trước; không ghi đè. "
                        "Dùng --force để tạo lại (bản sửa tay được lưu bên cạnh).")
    return target, prepared.warnings


def to_jsonable(model: BaseModel) -> Any:
    return model.model_dump(mode="json")

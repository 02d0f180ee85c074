"""Below the pipeline: what every kind of document is prepared from.

    load_plan(path, ws)     → PlanFile (the validated plan, its profile, its text)
    find_template(name, …)  → the template file, by the workspace's search order
    Prepared                 what a document kind's `prepare` returns (see kinds.py)

A plan is loaded here, once per Workspace, for everyone who needs it: the plan's own
document, the khung's parent plan (unit.py), a report's targets (report.py). Nothing
here imports the modules above it (pipeline, kinds, unit, report).
"""

from __future__ import annotations

import stat
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from kehoach_docs.documents.plan import DocumentContext, build_plan_context, context_dict
from kehoach_docs.errors import WARNING, Problem, ProblemList
from kehoach_docs.workspace.workspace import YAML, Workspace, absolute
from kehoach_docs.load.yaml_source import Loaded
from kehoach_docs.profile import Profile, builtin_profiles, load_profile_file, profile_for, profile_named
from kehoach_docs.workspace.manifest import MANIFEST_NAME, Manifest
from kehoach_docs.safe_file import refuse_kind
from kehoach_docs.organisations import bodies_file, load_bodies
from kehoach_docs.render.engine import CoreProperties, compile_template, template_stamp
from kehoach_docs.schema import Plan
from kehoach_docs.schema.plan import Body
from kehoach_docs.templates import DEFAULT_TEMPLATES, TEMPLATES_DIR
from kehoach_docs.schema.validate import validate

PACKAGE_TEMPLATES = TEMPLATES_DIR


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
    """Data files read besides `path` (a unit's khung and parent plan…); the build uses
    the Workspace's full record instead (folders included)."""
    warnings: tuple[Problem, ...] = ()
    """Warnings that do not stop the document (a profile past its confirmed date)."""

    def inputs(self) -> list[Path]:
        """The files this document is made from."""
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


def profile_warnings(path: Path, profile: Profile, day) -> tuple[Problem, ...]:
    """"Which profile, and a newer rule may apply" when the date is past its confirmed rules."""
    message = profile.warning(day)
    return (Problem(path, 0, 0, "the_thuc", message, level=WARNING),) if message else ()


def located(loaded: Loaded, problems: list[tuple[tuple, str]]) -> list[Problem]:
    """(field path, message) pairs placed at their line and column in `loaded`."""
    return [loaded.problem(loc, message) for loc, message in problems]


def find_template(name: str, near: Path | None = None, ws: Workspace | None = None) -> Path:
    """A template by name: a path the user gave, or the first of the workspace's folders
    holding it. Every place looked at is recorded (a template added earlier in the order wins)."""
    ws = ws or Workspace(near or Path("."))
    # Once per workspace object for a name and a folder (every unit plan of a folder asks
    # for the same); what was looked at is recorded for each document that asks.
    return ws.memo(("template", name, absolute(near) if near is not None else None),
                   lambda: _find_template(name, near, ws))


def _find_template(name: str, near: Path | None, ws: Workspace) -> Path:
    p = Path(name)
    if (p.is_absolute() or len(p.parts) > 1) and ws.is_file(p):
        return p  # a path the user gave (absolute, or relative to the current folder)
    dirs = ws.template_dirs(near)
    for folder in dirs:
        if ws.is_file(folder / name) and not is_an_output(folder / name, ws):
            return folder / name
    for candidate in (p, *(folder / name for folder in dirs)):
        # There, but a FIFO, a device or a folder: say what it is (it would block or never end).
        try:
            mode = candidate.stat().st_mode
        except OSError:
            continue
        if not stat.S_ISREG(mode):
            raise ProblemList.one(candidate, 0, 0, "mau", f"Mẫu '{candidate}': {refuse_kind(candidate, mode).reason}")
    raise ProblemList.one(name, 0, 0, "mau",
                          f"Không tìm thấy mẫu '{name}' (đã tìm trong: "
                          f"{', '.join(str(d) for d in dirs)}).")


def is_an_output(candidate: Path, ws: Workspace | None = None) -> bool:
    """A .docx made by this toolkit, not a template: it has a data file of the same name
    beside it (`ke-hoach-dang.yaml` → `ke-hoach-dang.docx`), or the folder's manifest lists
    it. Taking it as the template would silently ignore every later change of the data."""
    ws = ws or Workspace(candidate.parent)
    if ws.is_file(candidate.with_suffix(".yaml")) or ws.is_file(candidate.with_suffix(".yml")):
        return True
    if (candidate.parent / MANIFEST_NAME).is_file():  # not recorded: it changes with every build
        try:
            return candidate.name in Manifest(candidate.parent).entries
        except Exception:  # an unreadable manifest proves nothing either way
            return False
    return False


def given_template(template: str | Path | None) -> Path | None:
    """A template named on the command line is a path from the current folder first
    (`--template mau.docx` is ./mau.docx, never another file of that name)."""
    if template is not None and Path(template).is_file():
        return Path(template)
    return None


def render_bytes(prepared: Prepared, ws: Workspace | None = None) -> bytes:
    """The .docx of a prepared document (deterministic)."""
    return render_package(prepared, ws)[0]


def render_package(prepared: Prepared, ws: Workspace | None = None) -> tuple[bytes, dict[str, bytes]]:
    """The .docx bytes and its parts by name (for check_rendered: nothing unzipped again).
    With `ws`, the template is read and hashed once per workspace object while its stat is
    unchanged (a build renders a thousand documents from one template)."""
    if ws is not None:
        stamp = template_stamp(prepared.template)
        compiled = ws.memo(("template", stamp), lambda: compile_template(prepared.template))
    else:
        compiled = compile_template(prepared.template)
    return compiled.render_package(prepared.context_dict(), prepared.core_properties())


def profiles(ws: Workspace, near: Path) -> list[Profile]:
    """The toolkit's profiles and those of the-thuc/ folders near a data file (once per
    workspace object; a profile added to the folder is recorded as read)."""
    dirs = tuple(absolute(d) for d in ws.profile_dirs(near))

    def load() -> list[Profile]:
        found = [*builtin_profiles()]
        for p in found:
            ws.note(("file", p.path))
        for d in dirs:
            found += [load_profile_file(f) for f in ws.listing(d, YAML, contents=True)]
        return found

    return ws.memo(("profiles", dirs), load)


def profile_for_document(ws: Workspace, loaded: Loaded, regime: str, day: date, ma: str | None = None) -> Profile:
    """The profile a document uses, among the workspace's: the one named `ma` (its `the_thuc`), or
    the one of `regime` in force on `day`; problems at `loaded`'s lines."""
    try:
        found = profiles(ws, loaded.path)
        return profile_named(found, ma) if ma else profile_for(found, regime, day)
    except ProblemList as exc:
        raise ProblemList([loaded.place(p) for p in exc.problems]) from None


@dataclass
class PlanFile:
    """A plan file, validated, with its profile and its text (the context)."""

    path: Path
    loaded: Loaded
    plan: Plan
    profile: Profile
    context: DocumentContext


def load_plan(path: str | Path, ws: Workspace | None = None, names: dict[str, str] | None = None,
              plan: Plan | None = None, loaded: Loaded | None = None, relocate=None) -> PlanFile:
    """A validated plan with its profile and text; once per workspace object for a file.

    With `plan` (a unit's derived plan), `loaded` is the unit's file, `names` its extra
    placeholders and `relocate` maps the plan's field paths back to that file."""
    path = Path(path)
    ws = ws or Workspace.of(path)
    if plan is not None:
        return _plan_file(ws, path, loaded, plan, names, relocate)
    return ws.memo(("plan", absolute(path)), lambda: _plan_file(ws, path, ws.load(path), None, None, None))


def _plan_file(ws: Workspace, path: Path, loaded: Loaded, plan: Plan | None, names, relocate) -> PlanFile:
    if plan is None:
        plan = validate(loaded, Plan)
    profile = profile_for_document(ws, loaded, plan.he_thong, plan.ngay, plan.the_thuc)
    context, problems = build_plan_context(plan, profile, names or {})
    if problems:
        relocate = relocate or (lambda loc: loc)
        raise ProblemList(located(loaded, [(relocate(loc), msg) for loc, msg in problems]))
    return PlanFile(path, loaded, plan, profile, context)


def template_for(ws: Workspace, loaded: Loaded, kind: str, regime: str, own: str | None,
                 given: str | Path | None) -> Path:
    """The template of a document: the one given on the command line, the data's `mau`,
    or the default of its kind and regime."""
    name = str(given) if given else own or DEFAULT_TEMPLATES[(kind, regime)]
    try:
        return given_template(given) or find_template(name, loaded.path.parent, ws)
    except ProblemList as exc:
        raise ProblemList([loaded.place(p) if not given else p for p in exc.problems]) from None


def sample_value_warnings(ws: Workspace, path: Path, body, signer) -> tuple[Problem, ...]:
    """Sample values of to-chuc.yaml (marked chua_xac_nhan) the document prints."""
    return tuple(load_bodies(path, ws).unconfirmed_used(body, signer.ho_ten if signer else None))


def check_bodies(ws: Workspace, path: Path, loaded: Loaded, doc, day, issuer: bool = True) -> None:
    """The issuing body and the recipients must exist on the document's date (to-chuc.yaml)."""
    bodies = load_bodies(path, ws)
    if not bodies.records:
        return
    problems = []
    if issuer and isinstance(doc.co_quan, Body) and (why := bodies.stale(doc.co_quan.ten, day)):
        problems.append(loaded.problem(("co_quan", "ten"), why))
    for i, r in enumerate(doc.noi_nhan):
        if why := bodies.stale(r.ten, day):
            problems.append(loaded.problem(("noi_nhan", i), "Nơi nhận: " + why, field=f"noi_nhan.{i}"))
    signer = getattr(doc, "nguoi_ky", None)
    if signer is not None and (why := bodies.signer_stale(signer.ho_ten, day)):
        problems.append(loaded.problem(("nguoi_ky", "ho_ten"), why))
    if problems:
        raise ProblemList(problems)

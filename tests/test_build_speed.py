"""What the build does to be fast keeps its outputs and its failures as they were
(issue 9 step 7): jobs go to the workers in batches, what is the same for every document
is computed once."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from kehoach_docs.documents import prepared as prepared_module
from kehoach_docs.workspace import build
from kehoach_docs.workspace.build import FAILED, NEW, build_workspace


def test_a_worker_killed_in_the_middle_of_a_batch_fails_its_own_document_only(sample_plans, tmp_path, monkeypatch):
    """65 documents on 2 workers go in batches of several; the machine kills the worker of
    one: the documents of its batch (and every one still waiting) are made again, each
    alone, and only the killer fails."""
    victim = sorted(p.stem for p in (sample_plans / "don-vi").glob("*.yaml"))[20]
    parent, real = os.getpid(), prepared_module.render_package

    def render(prepared, ws=None):
        if Path(prepared.path).stem == victim and os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(prepared, ws)

    monkeypatch.setattr(prepared_module, "render_package", render)
    report = build_workspace(sample_plans, tmp_path / "out", workers=2)
    failed = [o for o in report.outcomes if o.status == FAILED]
    assert [o.job.source.stem for o in failed] == [victim]
    assert "dừng đột ngột" in failed[0].problems[0].message
    assert report.count(NEW) == 64
    assert {len(b) for b in build._batches(list(range(63)), 2)} == {3}  # several per batch


def _rewrite(template: Path, source: Path, old: bytes, new: bytes) -> None:
    """The template with one word of its XML replaced by another of the same length."""
    import io
    import zipfile

    assert len(old) == len(new)
    buf = io.BytesIO()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            stored = zipfile.ZipInfo(info.filename, info.date_time)  # stored: the size is the bytes'
            zout.writestr(stored, data.replace(old, new) if info.filename == "word/document.xml" else data)
    before = template.stat().st_size if template.exists() else None
    template.write_bytes(buf.getvalue())
    assert before in (None, template.stat().st_size)


def test_a_template_edited_is_compiled_again_even_with_the_same_size(tmp_path, monkeypatch):
    """A build hashes a template once (its Workspace keeps the digest while the file's stat is
    unchanged); an edit that keeps the size is seen at once, in the same build and in the
    next; nothing is kept between workspaces (no cache outside the build)."""
    from helpers import PARTY_TEMPLATE, plan_text, text_lines, write_plan
    from kehoach_docs.documents.pipeline import prepare
    from kehoach_docs.workspace.workspace import Workspace

    hashed = []
    real = prepared_module.compile_template
    monkeypatch.setattr(prepared_module, "compile_template", lambda p: hashed.append(p) or real(p))
    template = tmp_path / "mau.docx"
    _rewrite(template, PARTY_TEMPLATE, b"", b"")
    plan = write_plan(tmp_path, plan_text())
    ws = Workspace(tmp_path)
    first = prepared_module.render_bytes(prepare(plan, template=template, ws=ws), ws)
    assert prepared_module.render_bytes(prepare(plan, template=template, ws=ws), ws) == first
    assert len(hashed) == 1  # the second document of the build: its stat unchanged, not read again
    assert "*" in text_lines(first)  # the star under the issuer's name
    _rewrite(template, PARTY_TEMPLATE, b"{{ dau_sao }}", b"{{ du_thao }}")  # same size: no star
    edited = prepared_module.render_bytes(prepare(plan, template=template, ws=ws), ws)
    assert "*" not in text_lines(edited) and len(hashed) == 2  # seen in the same build
    _rewrite(template, PARTY_TEMPLATE, b"", b"")
    fresh = Workspace(tmp_path)
    assert prepared_module.render_bytes(prepare(plan, template=template, ws=fresh), fresh) == first
    assert len(hashed) == 3  # a new workspace (the next build) reads it again


def test_the_relationship_ids_found_are_those_of_the_word_boundary_pattern():
    """references() searches for its literal and checks the boundary itself: the same ids as
    the pattern with a leading \\b (docxtpl's), on hand-made cases and every template part."""
    import re
    import zipfile

    from helpers import PARTY_TEMPLATE
    from kehoach_docs.render.docx_objects import references

    oracle = re.compile(r'\br:(?:id|embed|link|pict|dm|lo|qs|cs)="([^"]*)"')
    cases = ['<a r:id="x" xr:id="y" _r:id="z" -r:embed="w" 1r:link="v"/>', 'r:id="s"', 'Đr:id="q" ĐR r:cs="p"',
             '<w:t>r:dm="" r:lo="a"</w:t>', 'r:id="unclosed']
    with zipfile.ZipFile(PARTY_TEMPLATE) as z:
        cases += [z.read(n).decode("utf-8") for n in z.namelist() if n.endswith((".xml", ".rels"))]
    for xml in cases:
        assert references(xml) == oracle.findall(xml)
    assert references(cases[0]) == ["x", "w"]


def test_the_checker_reads_the_tree_the_render_parsed_and_finds_the_same(sample_plans):
    """The build hands the checker document.xml's tree as the render parsed it: the checker
    uses it (no second parse), only for those very bytes, and finds what it finds in the
    bytes alone; a document whose bytes changed after parsing is parsed again."""
    from kehoach_docs.check import check_rendered
    from kehoach_docs.check.package import Package
    from kehoach_docs.documents.pipeline import prepare
    from kehoach_docs.workspace.workspace import Workspace

    ws = Workspace(sample_plans)
    unit = sorted((sample_plans / "don-vi").glob("*.yaml"))[0]
    prepared = prepare(unit, ws=ws)
    _, parts = prepared_module.render_package(prepared)
    data, tree = parts.trees["word/document.xml"]
    assert data is parts["word/document.xml"]
    assert Package(parts).document is tree
    plain = dict(parts)  # the bytes alone
    assert Package(plain).document is not tree
    assert [str(v) for v in check_rendered(parts, prepared.profile)] == \
        [str(v) for v in check_rendered(plain, prepared.profile)]
    changed = type(parts)(parts)
    changed.trees = parts.trees
    changed["word/document.xml"] = bytes(bytearray(data))  # equal bytes, another object: not the parsed ones
    assert Package(changed).document is not tree


def test_inputs_are_named_as_pathlib_names_them(tmp_path, monkeypatch):
    """_Inputs.name (string operations) gives the manifest names pathlib's relative_to gave:
    an incremental build keeps matching the manifests of earlier builds."""
    from kehoach_docs.workspace.build import TOOLKIT, _Inputs
    from kehoach_docs.workspace.workspace import absolute

    def old(ws: Path, p) -> str:
        p = absolute(p)
        for prefix, root in (("@/", absolute(ws)), ("kehoach:", TOOLKIT)):
            if p.is_relative_to(root):
                return prefix + p.relative_to(root).as_posix()
        return str(p)

    ws = tmp_path / "ws"
    monkeypatch.chdir(tmp_path)
    cases = [ws, ws / "don-vi" / "a.yaml", ws / "don-vi", tmp_path / "ws2" / "x.yaml", tmp_path / "w",
             TOOLKIT, TOOLKIT / "templates" / "ke-hoach-dang.docx", Path("/"), Path("/etc/x"),
             Path("ws/don-vi/../ke-hoach.yaml"), Path("ws"), Path("./ws/./a b/Đơn vị.yaml"), Path("wsx/a")]
    for root in (ws, Path("ws"), Path("/"), TOOLKIT / "data"):
        inputs = _Inputs(root)
        for case in cases:
            assert inputs.name(case) == old(root, case), (root, case)

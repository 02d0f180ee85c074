"""One error hierarchy and one record of a problem: what a user or the machine can cause is a
KehoachError carrying its exit code, said in words; a problem (the data's, a template's, the
checker's finding) is one Problem at its place."""

from __future__ import annotations

import json
from datetime import date

import docx
import pytest

from kehoach_docs.check import check_docx, format_violations
from kehoach_docs.documents.pipeline import data_files, validate_files
from kehoach_docs.errors import ERROR, WARNING, KehoachError, Problem, ProblemList, Reported, UserError, has_errors, tally
from kehoach_docs.load.yaml_source import load_yaml_text
from kehoach_docs.pdf import LibreOfficeMissing
from kehoach_docs.render.docx_objects import ObjectError
from kehoach_docs.schema.common import parse_day
from kehoach_docs.safe_file import NotRegular, TooLarge, UnsafeFile

from helpers import kehoach

TEXT = "ten: Kế hoạch\nnhom:\n  so: 12\n  ds:\n    - mot\n    - hai\n"


def test_a_problem_at_the_place_of_a_value():
    loaded = load_yaml_text(TEXT, "kh.yaml")
    p = loaded.problem(("nhom", "ds", 1), "Sai.")
    assert (str(p.file), p.line, p.column, p.field, p.message, p.level) == ("kh.yaml", 6, 7, "nhom.ds[1]", "Sai.", ERROR)
    key = loaded.problem(("nhom", "so"), "Khóa.", WARNING, key=True, field="nhom.so (khóa)")
    assert (key.line, key.column, key.field, key.level) == (3, 3, "nhom.so (khóa)", WARNING)
    # A place the file does not have: its nearest ancestor's.
    assert loaded.problem(("nhom", "thieu"), "x").line == 2


def test_problem_list_one_is_a_list_of_one():
    exc = ProblemList.one("kh.yaml", 3, 5, "so", "Số sai.")
    assert exc.problems == [Problem("kh.yaml", 3, 5, "so", "Số sai.", ERROR)]
    assert str(exc) == "kh.yaml:3:5: [so] lỗi: Số sai."
    assert ProblemList.one("a", 0, 0, "", "m", WARNING).problems[0].level == WARNING


def test_levels_and_their_count_in_words():
    problems = [Problem("a", 1, 1, "", "x"), Problem("a", 2, 1, "", "y", WARNING), Problem("b", 0, 0, "", "z")]
    assert tally(problems) == "2 lỗi, 1 cảnh báo" and tally(problems[:1]) == "1 lỗi"
    assert has_errors(problems) and not has_errors(problems[1:2])
    assert (ERROR, WARNING) == ("lỗi", "cảnh báo")


def test_every_user_error_derives_from_one_base_with_its_exit_code():
    for kind in (ProblemList, UserError, UnsafeFile, TooLarge, NotRegular, LibreOfficeMissing, ObjectError, Reported):
        assert issubclass(kind, KehoachError), kind
    assert ProblemList([]).exit_code == 1 and UserError("x").exit_code == 2
    assert LibreOfficeMissing("x").exit_code == 2 and Reported(3).exit_code == 3


def test_a_finding_of_the_checker_is_a_problem_at_its_place(tmp_path):
    path = tmp_path / "trong.docx"
    docx.Document().save(path)
    [p] = check_docx(path)
    assert isinstance(p, Problem) and p.file == path and (p.line, p.column, p.level) == (0, 0, ERROR)
    assert (p.rule, p.field) == ("he_thong", "đầu văn bản")
    assert p.message.startswith("Tiêu đề văn bản: cần “ĐẢNG CỘNG SẢN VIỆT NAM”")
    assert format_violations([p]) == f"{p.message} (đầu văn bản)"


def test_check_json_has_the_keys_of_a_problem(tmp_path):
    path = tmp_path / "trong.docx"
    docx.Document().save(path)
    res = kehoach("check", "--json", path)
    assert res.returncode == 1
    [finding] = json.loads(res.stdout)[str(path)]
    assert finding == {"tep": str(path), "dong": 0, "cot": 0, "truong": "đầu văn bản", "muc_do": "lỗi",
                       "thong_bao": finding["thong_bao"], "quy_tac": "he_thong"}
    words = kehoach("check", path)
    assert words.returncode == 1 and "Tiêu đề văn bản: cần" in words.stdout and "Lỗi nội bộ" not in words.stderr


def test_a_missing_office_program_is_said_with_how_to_install(tmp_path):
    path = tmp_path / "a.docx"
    docx.Document().save(path)
    res = kehoach("pdf", path, env={"PATH": str(tmp_path / "khong-co")})
    assert res.returncode == 2 and res.stderr.startswith("lỗi: Không tìm thấy LibreOffice") and "apt-get" in res.stderr
    assert "Lỗi nội bộ" not in res.stderr


def test_a_day_as_a_clerk_writes_it(tmp_path):
    assert parse_day("31/12/2023") == parse_day("2023-12-31") == date(2023, 12, 31)
    assert parse_day(" 5/1/2024 ") == date(2024, 1, 5)
    for bad in ("31/02/2023", "2023/12/31", "hôm qua"):
        with pytest.raises(UserError, match=f"Ngày '{bad}' không đúng dạng 31/12/2023 hoặc 2023-12-31."):
            parse_day(bad)
    res = kehoach("status", tmp_path, "--as-of", "31/02/2023")
    assert res.returncode == 2 and "Ngày '31/02/2023' không đúng dạng" in res.stderr


def test_every_file_is_validated_and_every_problem_said_at_once(tmp_path):
    (tmp_path / "a.yaml").write_text("so: [\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("- mot\n", encoding="utf-8")
    with pytest.raises(ProblemList) as exc:
        validate_files([tmp_path])
    assert {p.file.name for p in exc.value.problems} == {"a.yaml", "b.yaml"}
    with pytest.raises(UserError, match="Không tìm thấy"):
        data_files([tmp_path / "khong-co.yaml"])
    empty = tmp_path / "trong"
    empty.mkdir()
    with pytest.raises(ProblemList, match="Không có tệp dữ liệu .yaml nào"):
        validate_files([empty])
    res = kehoach("validate", empty)
    assert res.returncode == 1 and "Không có tệp dữ liệu .yaml nào" in res.stderr


def test_a_problem_raised_without_a_file_is_put_at_its_field(make_plan):
    from helpers import line_of, plan_text

    text = plan_text() + "mau: khong-co-mau-nay.docx\n"
    path = make_plan(text)
    with pytest.raises(ProblemList) as exc:
        validate_files([path])
    [p] = exc.value.problems
    assert (p.file, p.line, p.column, p.field) == (path, line_of(text, "mau:"), 6, "mau")
    assert p.message.startswith("Không tìm thấy mẫu 'khong-co-mau-nay.docx'")


def test_templates_lint_in_the_library_and_its_exit_codes(tmp_path):
    from kehoach_docs.templates import TEMPLATES_DIR
    from kehoach_docs.templates.lint import lint_templates

    shipped = sorted(TEMPLATES_DIR.glob("*.docx"))
    targets, problems = lint_templates([])
    assert targets == shipped and len(shipped) >= 4 and not has_errors(problems)
    res = kehoach("templates", "lint")
    assert res.returncode == 0 and f"Đã kiểm tra {len(shipped)} mẫu." in res.stdout
    missing = kehoach("templates", "lint", tmp_path / "khong-co.docx")
    assert missing.returncode == 2 and f"lỗi: Không tìm thấy tệp '{tmp_path / 'khong-co.docx'}'." in missing.stderr
    broken = tmp_path / "hong.docx"
    broken.write_text("không phải docx", encoding="utf-8")
    bad = kehoach("templates", "lint", broken)
    assert bad.returncode == 1 and str(broken) in bad.stderr and "Lỗi nội bộ" not in bad.stderr

"""Schema errors: every problem at once, with file:line:column and a clerk's message."""

import unicodedata
from pathlib import Path

import pytest

from kehoach_docs.errors import WARNING, Problem, ProblemList
from kehoach_docs.load.yaml_source import load_yaml, load_yaml_text
from kehoach_docs.schema import Plan
from kehoach_docs.schema.validate import validate

from helpers import MINIMAL, ROOT


def problems_of(text: str, tmp_path: Path):
    f = tmp_path / "kh.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ProblemList) as exc:
        validate(load_yaml(f), Plan)
    return exc.value.problems


def test_minimal_plan_is_valid():
    plan = validate(load_yaml_text(MINIMAL), Plan)
    assert plan.so == 44 and plan.noi_nhan[0].ten == "Các TCCS Đảng"


def test_every_error_reported_at_once_with_line_and_column(tmp_path):
    text = MINIMAL.replace("so: 44", "so: bốn mươi").replace("  ky_hieu: ĐUK\n", "  ky_heiu: ĐUK\n") \
        .replace("dia_danh: Nghệ An\n", "")
    problems = problems_of(text, tmp_path)
    by_field = {p.field: p for p in problems}
    # One typo, one problem: the misspelt key names the field; "missing ky_hieu" is not repeated.
    assert set(by_field) == {"so", "co_quan.ky_heiu", "dia_danh"}
    assert (by_field["so"].line, by_field["so"].column) == (5, 5)
    assert by_field["so"].message == "Giá trị phải là số nguyên."
    typo = by_field["co_quan.ky_heiu"]
    assert (typo.line, typo.column) == (4, 3)
    assert "Có phải ý bạn là 'ky_hieu'?" in typo.message
    assert by_field["dia_danh"].message == "Thiếu trường bắt buộc 'dia_danh'."
    assert str(by_field["so"]).startswith(f"{tmp_path / 'kh.yaml'}:5:5: [so] lỗi:")


def test_dates_as_clerks_write_them(tmp_path):
    plan = validate(load_yaml_text(MINIMAL.replace("2021-12-10", "'10/12/2021'")), Plan)
    assert plan.ngay.isoformat() == "2021-12-10"
    problems = problems_of(MINIMAL.replace("2021-12-10", "'31/02/2021'"), tmp_path)
    assert problems[0].message.startswith("Ngày không có thật")


def test_duplicate_keys_and_python_tags_are_refused(tmp_path):
    problems = problems_of(MINIMAL + "so: 45\nx: !!python/object/apply:os.system [ls]\n", tmp_path)
    messages = [p.message for p in problems]
    assert any("khai báo hai lần" in m for m in messages)
    assert any("không được phép" in m for m in messages)
    assert [p.line for p in problems] == [16, 17]


def test_yaml_syntax_error_has_place(tmp_path):
    problems = problems_of(MINIMAL.replace("luu: VP", "luu: VP: kho"), tmp_path)
    assert problems[0].line == 11 and "Dấu hai chấm" in problems[0].message


def test_non_utf8_file_gets_advice(tmp_path):
    f = tmp_path / "kh.yaml"
    f.write_bytes(MINIMAL.encode("cp1258", errors="replace"))
    with pytest.raises(ProblemList) as exc:
        load_yaml(f)
    assert "UTF-8" in exc.value.problems[0].message


def test_strings_are_nfc(tmp_path):
    nfd = unicodedata.normalize("NFD", MINIMAL)
    plan = validate(load_yaml_text(nfd), Plan)
    assert plan.co_quan.ten == unicodedata.normalize("NFC", "Đảng ủy Khối các cơ quan tỉnh")


def test_control_characters_are_refused_with_their_field(tmp_path):
    problems = problems_of(MINIMAL.replace("thực hiện Đề án", '"thực hiện\\x07 Đề án"'), tmp_path)
    assert problems[0].field == "trich_yeu" and "U+0007" in problems[0].message


def test_empty_and_list_files(tmp_path):
    assert "trống" in problems_of("", tmp_path)[0].message
    assert "nhóm trường" in problems_of("- a\n- b\n", tmp_path)[0].message


def test_alias_bomb_is_bounded(tmp_path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 8):
        bomb += f"a{i}: &a{i} [*{'a' if i == 1 else 'a' + str(i - 1)}" + (", *a" + (str(i - 1) if i > 1 else "")) * 9 + "]\n"
    problems = problems_of(bomb, tmp_path)
    assert "quá nhiều giá trị" in problems[0].message


@pytest.mark.parametrize("workspace", ["de-an-04", "nq57-mau"])
def test_every_file_of_a_sample_workspace_is_valid(workspace):
    """`kehoach validate <workspace>` reads each file as what it is (the results declaration
    ket-qua/khung-ket-qua.yaml is not a results file, nor a plan)."""
    from click.testing import CliRunner

    from kehoach_docs.cli import main

    result = CliRunner().invoke(main, ["validate", str(ROOT / "data" / workspace)])
    assert result.exit_code == 0, result.output
    assert "Hợp lệ" in result.output


def test_a_file_read_again_is_what_it_now_says_and_a_copy(tmp_path):
    """The loader keeps what it parsed by the file's bytes, never by its times: a file edited
    to the same size with its times put back is read anew, and a caller that changes the data
    it got changes nobody else's."""
    import os

    f = tmp_path / "kh.yaml"
    f.write_text("so: 44\nten: A\n", encoding="utf-8")
    first = load_yaml(f)
    first.data["ten"] = "đổi trong bộ nhớ"
    assert load_yaml(f).data == {"so": 44, "ten": "A"}
    st = f.stat()
    f.write_text("so: 45\nten: A\n", encoding="utf-8")  # same size
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))
    again = load_yaml(f)
    assert again.data == {"so": 45, "ten": "A"} and again.where(("so",)) == (1, 5)


def test_the_same_bytes_in_another_file_are_placed_in_that_file(tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    for f in (a, b):
        f.write_text("so: [44\n", encoding="utf-8")  # broken: never kept, said for each file
    for f in (a, b):
        with pytest.raises(ProblemList) as exc:
            load_yaml(f)
        assert exc.value.problems[0].file == f
    for f in (a, b):
        f.write_text("so: 44\n", encoding="utf-8")
    assert load_yaml(a).path == a and load_yaml(b).path == b


def test_a_warning_placed_in_a_file_stays_a_warning_with_its_rule():
    loaded = load_yaml_text("so: 44\nthe_thuc: dang-hd36-2018\n", "ke-hoach.yaml")
    placed = loaded.place(Problem("", 0, 0, "the_thuc", "quá hạn", WARNING, rule="r"))
    assert (placed.file, placed.line, placed.column, placed.level, placed.rule) == (Path("ke-hoach.yaml"), 2, 11, WARNING, "r")

"""Reliability (issue 6): hostile values in text fields, broken data files, legacy Vietnamese
encodings, and untrusted templates.

Every case below either gives a valid document that holds the text as written, or is refused
with file:line:column (or the template's place) and a message in Vietnamese — never a
traceback, never a hang. The case tables are counted in docs/reliability.md, and
`test_reliability_doc_is_honest` keeps the document in step with them.
"""

from __future__ import annotations

import io
import subprocess
import sys
import time
import unicodedata
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree

from kehoach_docs.documents.pipeline import prepare, render_bytes
from kehoach_docs.errors import ProblemList
from kehoach_docs.load.legacy import guess_legacy_encoding
from helpers import (
    CONCURRENT_BUILDS, CRASH_KILL_RUNS, FUZZ_EXAMPLES, MINIMAL, PROPERTY_AUDITED, PROPERTY_EXAMPLES, ROOT,
    Run, case_counts, kehoach, read_yaml, template_with, text_lines, write_plan,
)
from helpers import PARTY_TEMPLATE as TEMPLATE
from helpers import plan_text as _plan_text
NFC = lambda s: unicodedata.normalize("NFC", s)  # noqa: E731


# --------------------------------------------------------------------------- helpers

def plan_text(**fields) -> str:
    """The minimal plan with `fields` replaced; the profile's ending mark goes on a closing
    paragraph of its own, not on a tested text."""
    return _plan_text(ket_thuc=["Kết thúc."], **fields)


def problems(path: Path) -> list:
    with pytest.raises(ProblemList) as exc:
        render_bytes(prepare(path))
    return exc.value.problems


def assert_valid_docx(data: bytes) -> list[str]:
    """Opens in python-docx, every XML part parses strictly; returns its paragraphs."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in zf.namelist():
            if name.endswith((".xml", ".rels")):
                etree.fromstring(zf.read(name))
        body = zf.read("word/document.xml")
    assert b"<w:br/>" not in body and b"<w:br " not in body  # text breaks are paragraphs
    docx.Document(io.BytesIO(data))
    return text_lines(data)


def assert_clean_refusal(result: Run, code: int = 1) -> None:
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr and "Lỗi nội bộ" not in result.stderr, result.stderr


# ------------------------------------------------------------- 1. hostile text values

HOSTILE = {
    "XML specials": 'Tỉnh & <Ủy> "ban" \'x\' ]]> <w:p/> &amp; &#x41;',
    "Jinja syntax": "{{ 7*7 }} {% for x in y %}{% endfor %} {# c #} {{ ''.__class__ }}",
    "docxtpl escapes": "{_{ so }_} {_% if x %_} {%p if y %} {{r z }}",
    "decomposed (NFD)": unicodedata.normalize("NFD", "Nguyễn Thị Ánh Tuyết, Đảng ủy Khối"),
    "emoji": "Chào mừng 🎉 👨‍👩‍👧 🇻🇳 ✅",
    "bidi marks": "\u202eĐảo chiều\u202c \u200fאבג\u200e \u2066x\u2069 \u200d",
    "long (200 KB)": "Đoạn rất dài: " + "Việt Nam muôn năm, " * 10_000 + "hết.",
}

# (field, kind): where each hostile value is put, and how it must come out.
TEXT_FIELDS = {
    "mo_dau": "paragraph",              # list of paragraphs (Text)
    "muc_dich_yeu_cau": "numbered",      # "1. " + text
    "nguoi_ky.ho_ten": "line",          # a paragraph of its own (Line)
    "nguoi_ky.chuc_vu": "line",
    "luu": "archive",                   # "- Lưu <text>."
    "noi_nhan": "recipient",            # "- <text>,"
    "dia_danh": "place",                # "<text>, ngày … tháng … năm …"
}


def _expected(kind: str, value: str) -> str:
    return {"paragraph": value, "numbered": f"1. {value}", "line": value,
            "archive": f"- Lưu {value}.", "recipient": f"- {value},"}.get(kind, value)


@pytest.mark.parametrize("field", list(TEXT_FIELDS))
@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_text_comes_out_as_written(tmp_path, case, field):
    value = HOSTILE[case]
    kind = TEXT_FIELDS[field]
    fields = {field: [value] if kind in ("paragraph", "numbered", "recipient") else value}
    data = render_bytes(prepare(write_plan(tmp_path, plan_text(**fields))))
    lines = assert_valid_docx(data)
    want = NFC(_expected(kind, value))
    if kind == "place":
        assert any(line.startswith(want + ", ngày ") for line in lines)
    else:
        assert want in lines, f"{want[:80]!r} not a paragraph of the document"
    assert all(unicodedata.is_normalized("NFC", line) for line in lines)


# field → (value with newlines, the paragraphs it must become).
NEWLINE_CASES = {
    "mo_dau": (["Dòng một & <hai>\nDòng hai {{ x }}\n\n   Dòng ba 🎉  \n"],
               ["Dòng một & <hai>", "Dòng hai {{ x }}", "Dòng ba 🎉"]),
    "muc_dich_yeu_cau": (["Dòng một & <hai>\nDòng hai {{ x }}\n\n   Dòng ba 🎉  \n"],
                         ["1. Dòng một & <hai>", "Dòng hai {{ x }}", "Dòng ba 🎉"]),
    # A folded field (trích yếu) keeps one paragraph: its line breaks are spaces.
    "trich_yeu": ("về việc\nthực hiện\nĐề án", ["về việc thực hiện Đề án"]),
}


@pytest.mark.parametrize("field", list(NEWLINE_CASES))
def test_newlines_in_paragraph_fields_are_paragraphs_never_breaks(tmp_path, field):
    value, paragraphs = NEWLINE_CASES[field]
    lines = assert_valid_docx(render_bytes(prepare(write_plan(tmp_path, plan_text(**{field: value})))))
    for want in paragraphs:
        assert want in lines
    assert not any("\n" in line for line in lines)


SINGLE_LINE_FIELDS = ["nguoi_ky.ho_ten", "nguoi_ky.chuc_vu", "luu", "dia_danh", "co_quan.ten", "co_quan.ky_hieu"]


@pytest.mark.parametrize("field", SINGLE_LINE_FIELDS)
def test_newline_in_a_single_line_field_is_refused_with_its_place(tmp_path, field):
    f = write_plan(tmp_path, plan_text(**{field: "Dòng một\nDòng hai"}))
    (p,) = problems(f)
    assert p.field == field and "một dòng" in p.message
    assert p.line > 0 and p.column > 0 and str(p).startswith(f"{f}:{p.line}:{p.column}: [{field}]")


# Characters refused in any text field (decision: refused naming the field, never dropped).
CONTROL_CHARS = ["\x00", "\x07", "\x08", "\x0b", "\x0c", "\r", "\x1b", "\x7f", "\x85", "\x9b",
                 "\u200b", "\ufeff", "\u2028", "\u2029", "\ufffe", "\uffff"]
CONTROL_FIELDS = ["mo_dau", "nguoi_ky.ho_ten", "noi_nhan", "trich_yeu"]


def quoted(value: str) -> str:
    """A YAML double-quoted scalar with every character outside printable ASCII escaped, as a
    clerk (or a tool) may write it: the loader turns the escapes back into the characters."""
    return '"' + "".join(c if " " <= c <= "~" and c not in '"\\' else
                         ("\\" + c if c in '"\\' else f"\\u{ord(c):04X}" if ord(c) < 0x10000 else
                          f"\\U{ord(c):08X}") for c in value) + '"'


def _with_field(field: str, value: str) -> str:
    q = quoted(value)
    return {
        "mo_dau": MINIMAL + f"mo_dau: [{q}]\n",
        "nguoi_ky.ho_ten": MINIMAL.replace("Nguyễn Thị Kim Chi", q),
        "noi_nhan": MINIMAL.replace("  - Các TCCS Đảng", f"  - {q}"),
        "trich_yeu": MINIMAL.replace("thực hiện Đề án", q),
    }[field]


@pytest.mark.parametrize("char", CONTROL_CHARS, ids=lambda c: f"U+{ord(c):04X}")
def test_hidden_characters_are_refused_naming_the_field(tmp_path, char):
    for field in CONTROL_FIELDS:
        f = write_plan(tmp_path, _with_field(field, f"Nội dung{char}có ký tự ẩn"))
        (p,) = problems(f)
        assert p.field.startswith(field), p
        assert f"U+{ord(char):04X} ở vị trí 9" in p.message and "hãy xóa" in p.message
        assert p.line > 0 and p.column > 0


def test_quoted_escapes_reach_the_loader_unchanged(tmp_path):
    value = "Nội dung \x07 \u2028 🎉 \"x\" \\ e\u0301"
    loaded = read_yaml(_with_field("trich_yeu", value))
    assert loaded["trich_yeu"] == value  # so the test above puts exactly `char` in the field


# Written raw in the file: a control character YAML itself cannot carry (the loader says
# where it is), and an invisible one YAML accepts (the field refuses it) → (line, column, field).
RAW_HIDDEN = {"\x07": (11, 7, ""), "\u200b": (11, 6, "luu")}


@pytest.mark.parametrize("char", list(RAW_HIDDEN), ids=lambda c: f"U+{ord(c):04X}")
def test_hidden_characters_written_raw_in_the_file_are_refused_at_their_place(tmp_path, char):
    line, column, field = RAW_HIDDEN[char]
    f = write_plan(tmp_path, MINIMAL.replace("luu: VP", f"luu: V{char}P"))
    (p,) = problems(f)
    assert (p.line, p.column) == (line, column) and f"U+{ord(char):04X}" in p.message
    assert not field or p.field == field


def test_tab_inside_text_is_kept(tmp_path):
    data = render_bytes(prepare(write_plan(tmp_path, plan_text(mo_dau=["Cột một\tcột hai"]))))
    assert "Cột một\tcột hai" in assert_valid_docx(data)


# ------------------------------------------------------------------ 2. broken files

def _tcvn3(text: str) -> bytes:
    """TCVN3 (ABC) bytes of `text`, from the published table (one byte per lower-case letter;
    toned capitals are the lower-case bytes, printed with a capitals font)."""
    lower = ("àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ")
    codes = bytes.fromhex("b5b8b6b7b9a8bbbebcbdc6a9c7cac8c9cbaeccd0cecfd1aad2d5d3d4d6d7ddd8dcde"
                          "dfe3e1e2e4abe5e8e6e7e9aceaedebeceeeff3f1f2f4adf5f8f6f7f9fafdfbfcfe")
    capitals = dict(zip("ĂÂĐÊÔƠƯ", b"\xa1\xa2\xa7\xa3\xa4\xa5\xa6"))
    out = bytearray()
    for ch in NFC(text):
        if ch.isascii():
            out.append(ord(ch))
        elif ch in capitals:
            out.append(capitals[ch])
        else:
            out.append(codes[lower.index(ch.lower())])
    return bytes(out)


_VNI_TONE = {"\u0300": (0xF8, 0xD8), "\u0301": (0xF9, 0xD9), "\u0309": (0xFB, 0xDB),
             "\u0303": (0xF5, 0xD5), "\u0323": (0xEF, 0xCF)}
_VNI_CIRC = {None: (0xE2, 0xC2), "\u0300": (0xE0, 0xC0), "\u0301": (0xE1, 0xC1), "\u0309": (0xE5, 0xC5),
             "\u0303": (0xE3, 0xC3), "\u0323": (0xE4, 0xC4)}
_VNI_BREVE = {None: (0xEA, 0xCA), "\u0300": (0xE8, 0xC8), "\u0301": (0xE9, 0xC9), "\u0309": (0xFA, 0xDA),
              "\u0303": (0xFC, 0xDC), "\u0323": (0xEB, 0xCB)}
_VNI_OWN = {"đ": 0xF1, "Đ": 0xD1, "ơ": 0xF4, "Ơ": 0xD4, "ư": 0xF6, "Ư": 0xD6, "í": 0xED, "ì": 0xEC,
            "ỉ": 0xE6, "ĩ": 0xF3, "ị": 0xF2, "Í": 0xCD, "Ì": 0xCC, "Ỉ": 0xC6, "Ĩ": 0xD3, "Ị": 0xD2,
            "ỵ": 0xEE, "Ỵ": 0xCE}


def _vni(text: str) -> bytes:
    """VNI-Windows bytes: base letter, then one byte for its marks (0xE0-0xFF for lower case,
    0xC0-0xDF for capitals); ơ ư đ, and i/ỵ with a tone, have bytes of their own."""
    out = bytearray()
    for ch in NFC(text):
        if ch.isascii():
            out.append(ord(ch))
            continue
        if ch in _VNI_OWN:
            out.append(_VNI_OWN[ch])
            continue
        base, *marks = unicodedata.normalize("NFD", ch)
        cap = base.isupper()
        tone = next((m for m in marks if m in _VNI_TONE), None)
        if "\u031b" in marks:  # horn: ơ ư, then the tone byte
            out.append(_VNI_OWN[NFC(base + "\u031b")])
            out.append(_VNI_TONE[tone][cap])
            continue
        out.append(ord(base))
        table = _VNI_CIRC if "\u0302" in marks else _VNI_BREVE if "\u0306" in marks else None
        out.append(table[tone][cap] if table else _VNI_TONE[tone][cap])
    return bytes(out)


def _cp1258(text: str) -> bytes:
    """Windows-1258: letters it has (â ê ô ơ ư ă đ…) plus a combining tone mark."""
    out = []
    for ch in NFC(text):
        try:
            ch.encode("cp1258")
            out.append(ch)
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            tones = "".join(c for c in parts if c in _VNI_TONE)
            out.append(NFC("".join(c for c in parts if c not in _VNI_TONE)) + tones)
    return "".join(out).encode("cp1258")


VIETNAMESE = [
    "Đảng ủy Khối các cơ quan tỉnh Nghệ An xây dựng kế hoạch thực hiện Đề án",
    "ĐẢNG BỘ TỈNH NGHỆ AN - ĐẢNG CỘNG SẢN VIỆT NAM",
    "Quán triệt sâu rộng và tổ chức thực hiện có hiệu quả mục tiêu, nhiệm vụ của Đề án 04",
    "Phát huy vai trò, trách nhiệm của cấp ủy, người đứng đầu cơ quan, đơn vị",
    "Nơi nhận: Ban Thường vụ Tỉnh ủy (để b/c), lưu Văn phòng; người ký: Nguyễn Thị Kim Chi",
    "Tăng cường sự lãnh đạo của Đảng đối với công tác dân vận chính quyền, giai đoạn 2021-2025",
]
FOREIGN_CP1252 = [
    "Le café était très bon à Noël, où l'été dure longtemps.",
    "Déjà vu : la crème brûlée française, à côté du théâtre.",
    "Où est la gare ? À gauche, près de l'hôtel.",
    "Grüße aus München, schöne Straße, Fußgängerzone.",
    "Mädchen über Äpfel und Öl; Übung macht den Meister.",
    "El niño comió piñata en España; mañana será otro día.",
    "São Paulo: ação, coração e informação.",
    "Smørrebrød på Københavns gader; blåbær og æbler.",
]
LEGACY = {"TCVN3 (ABC)": _tcvn3, "VNI": _vni, "Windows-1258": _cp1258}
NOISE_SAMPLES = 20


@pytest.mark.parametrize("encoding", list(LEGACY))
def test_legacy_vietnamese_encodings_are_recognised(encoding):
    for sentence in VIETNAMESE:
        raw = LEGACY[encoding](sentence)
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        assert guess_legacy_encoding(raw) == encoding, sentence


def test_legacy_encoders_follow_the_published_tables():
    # Spot checks against strings printed in conversion tools' documentation.
    assert _tcvn3("Bảo Thắng") == b"B\xb6o Th\xbeng" and _tcvn3("Mường") == b"M\xad\xeang"
    assert _vni("Đảng") == b"\xd1a\xfbng" and _vni("Việt") == b"Vie\xe4t" and _vni("người") == b"ng\xf6\xf4\xf8i"
    assert _cp1258("Việt").decode("cp1258") == "Vie\u0302\u0323t".replace("e\u0302", "ê")


def test_other_single_byte_text_is_not_called_vietnamese():
    for sentence in FOREIGN_CP1252:
        for codec in ("cp1252", "latin-1"):
            try:
                raw = sentence.encode(codec)
            except UnicodeEncodeError:
                continue
            assert guess_legacy_encoding(raw) is None, (sentence, codec)
    import random
    rng = random.Random(6)
    for _ in range(NOISE_SAMPLES):
        noise = bytes(rng.randrange(256) for _ in range(400))
        assert guess_legacy_encoding(noise) is None


def _yaml_file_in(encode, sample: str) -> bytes:
    """MINIMAL's ASCII keys with Vietnamese values, in a legacy encoding."""
    return encode(MINIMAL.replace("thực hiện Đề án", sample))


BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{i}: &a{i} [" + ", ".join([f"*a{'' if i == 1 else i - 1}"] * 10) + "]\n" for i in range(1, 8))

# name → (file bytes, line, column, words the message must hold). Line 0: no position expected.
BROKEN: dict[str, tuple[bytes, int, int, str]] = {
    "YAML syntax: stray colon": (MINIMAL.replace("luu: VP", "luu: VP: kho").encode(), 11, 8, "Dấu hai chấm"),
    "YAML syntax: unclosed [": (MINIMAL.replace("luu: VP", "luu: [VP").encode(), 12, 9, "chưa được đóng"),
    "YAML syntax: unclosed quote": (MINIMAL.replace("luu: VP", 'luu: "VP').encode(), 11, 6, "ngoặc kép"),
    "YAML syntax: bad escape": (MINIMAL.replace("luu: VP", 'luu: "C:\\Users"').encode(), 11, 11, "dấu '\\'"),
    "YAML syntax: bad indentation": (MINIMAL.replace("  ten: Đảng", "   ten: Đảng").encode(), 3, 7, "thụt lề"),
    "YAML syntax: two documents": (MINIMAL.encode() + b"---\nso: 2\n", 16, 1, "một phần dữ liệu"),
    "wrong type: text for a number": (MINIMAL.replace("so: 44", "so: bốn mươi").encode(), 5, 5, "số nguyên"),
    "wrong type: number for a list": (MINIMAL.replace("noi_nhan:\n  - Các TCCS Đảng", "noi_nhan: 5").encode(),
                                      9, 11, "danh sách"),
    "wrong type: text for a group": (MINIMAL.split("nguoi_ky:")[0].encode() + "nguoi_ky: Ông A\n".encode(),
                                     12, 11, "nhóm trường"),
    "wrong type: yes/no read as true/false": (MINIMAL.replace("luu: VP", "luu: no").encode(), 11, 6, "ngoặc kép"),
    "wrong type: a date that does not exist": (MINIMAL.replace("2021-12-10", "2021-02-30").encode(), 6, 7,
                                               "Ngày không có thật"),
    "wrong type: number too large": (MINIMAL.replace("so: 44", "so: " + "9" * 5000).encode(), 5, 5, "Số quá lớn"),
    "wrong type: list at the top": (b"- a\n- b\n", 1, 1, "nhóm trường"),
    "missing key": (MINIMAL.replace("dia_danh: Nghệ An\n", "").encode(), 1, 1, "Thiếu trường bắt buộc 'dia_danh'"),
    "unknown key (misspelt)": (MINIMAL.replace("  ky_hieu:", "  ky_heiu:").encode(), 4, 3, "'ky_hieu'"),
    "duplicate key": (MINIMAL.encode() + b"so: 45\n", 16, 1, "khai báo hai lần"),
    "duplicate key in a group": (MINIMAL.replace("  ky_hieu: ĐUK", "  ky_hieu: ĐUK\n  ky_hieu: X").encode(),
                                 5, 3, "khai báo hai lần"),
    "merge key <<": (MINIMAL.encode() + b"x: &m {a: 1}\ny:\n  <<: *m\n", 18, 3, "gộp khóa"),
    "not UTF-8: Windows-1252 French": (MINIMAL.replace("thực hiện Đề án", "café à Noël").encode("utf-8")
                                       .replace("café à Noël".encode(), "café à Noël".encode("cp1252")),
                                       8, 15, "lưu lại với mã hóa UTF-8"),
    "not UTF-8: TCVN3": (_yaml_file_in(_tcvn3, VIETNAMESE[0]), 2, 13, "TCVN3"),
    "not UTF-8: VNI": (_yaml_file_in(_vni, VIETNAMESE[0]), 2, 13, "VNI"),
    "not UTF-8: Windows-1258": (_yaml_file_in(_cp1258, VIETNAMESE[0]), 2, 13, "Windows-1258"),
    "not UTF-8: UTF-16": (MINIMAL.encode("utf-16"), 1, 1, "UTF-16"),
    "BOM with an error": (b"\xef\xbb\xbf" + MINIMAL.replace("so: 44", "so: x").encode(), 5, 5, "số nguyên"),
    "CRLF with an error": (MINIMAL.replace("so: 44", "so: x").replace("\n", "\r\n").encode(), 5, 5, "số nguyên"),
    "tab indentation": (MINIMAL.replace("  ten:", "\tten:").encode(), 3, 1, "Tab"),
    "empty file": (b"", 1, 1, "Tệp trống"),
    "only comments": (b"# chua co gi\n\n", 1, 1, "Tệp trống"),
    "alias bomb": (BOMB.encode(), 0, 0, "quá nhiều giá trị"),
    "deep nesting": (("a: " + "[" * 5000 + "]" * 5000 + "\n").encode(), 1, 0, "lồng nhau quá sâu"),
    "alias loop": (b"a: &a [1, *a]\n", 1, 4, "vòng lặp"),
    "oversized file": (b"a: " + b"x" * (6 * 1024 * 1024) + b"\n", 1, 1, "Tệp quá lớn"),
    "raw control character": (MINIMAL.replace("luu: VP", "luu: V\x1bP").encode(), 11, 7, "U+001B"),
    "Python tag: os.system": (MINIMAL.encode() + b"x: !!python/object/apply:os.system ['touch HACKED']\n",
                              16, 4, "không được phép"),
    "Python tag: name": (MINIMAL.encode() + b"x: !!python/name:os.system\n", 16, 4, "không được phép"),
    "Python tag: new object": (MINIMAL.encode() + b"x: !!python/object/new:subprocess.Popen [[id]]\n",
                               16, 4, "không được phép"),
    "other tag: binary": (MINIMAL.encode() + b"x: !!binary aGVsbG8=\n", 16, 4, "không được phép"),
}


def test_broken_files_are_refused_at_their_place_in_words_a_clerk_reads(tmp_path):
    """One `kehoach validate` over every broken file: each refused at file:line:column, with
    its own message; the whole run ends quickly, with exit code 1 and no traceback."""
    files = {}
    for n, (name, (raw, *_)) in enumerate(BROKEN.items()):
        files[name] = write_plan(tmp_path, raw, f"hong-{n:02d}.yaml")
    start = time.monotonic()
    result = kehoach("validate", *files.values())
    assert time.monotonic() - start < 60
    assert_clean_refusal(result)
    lines = result.stderr.splitlines()
    for name, (raw, line, col, words) in BROKEN.items():
        mine = [x for x in lines if x.startswith(f"{files[name]}:")]
        assert mine, f"{name}: no message"
        if line:
            prefix = f"{files[name]}:{line}:{col}: " if col else f"{files[name]}:{line}:"
            mine = [x for x in mine if x.startswith(prefix)]
            assert mine, f"{name}: no message at {line}:{col}: {lines}"
        assert any(words in x for x in mine), f"{name}: {mine}"
        assert all(" lỗi: " in x for x in mine)
    assert not (ROOT / "HACKED").exists() and not (tmp_path / "HACKED").exists()


RENDERED_BROKEN = ["YAML syntax: stray colon", "not UTF-8: TCVN3", "Python tag: os.system", "alias bomb",
                   "oversized file", "deep nesting"]


@pytest.mark.parametrize("name", RENDERED_BROKEN)
def test_render_refuses_a_broken_file_with_exit_code_1(tmp_path, name):
    raw, line, col, words = BROKEN[name]
    f = write_plan(tmp_path, raw)
    result = kehoach("render", f, "-o", tmp_path / "kh.docx")
    assert_clean_refusal(result)
    assert words in result.stderr and result.stderr.startswith(f"{f}:")
    assert not (tmp_path / "kh.docx").exists()


def test_legacy_message_tells_how_to_convert(tmp_path):
    f = write_plan(tmp_path, BROKEN["not UTF-8: TCVN3"][0])
    with pytest.raises(ProblemList) as exc:
        prepare(f)
    message = exc.value.problems[0].message
    assert "TCVN3 (ABC)" in message and "Unikey" in message and "Unicode" in message and "UTF-8" in message
    f = write_plan(tmp_path, BROKEN["not UTF-8: Windows-1252 French"][0])
    with pytest.raises(ProblemList) as exc:
        prepare(f)
    message = exc.value.problems[0].message
    assert "TCVN3" not in message and "VNI" not in message and "Lưu thành" in message


PLAIN_VARIANTS = {"BOM": b"\xef\xbb\xbf" + MINIMAL.encode(), "CRLF": MINIMAL.replace("\n", "\r\n").encode()}


@pytest.mark.parametrize("variant", list(PLAIN_VARIANTS))
def test_bom_and_crlf_files_are_read_like_plain_ones(tmp_path, variant):
    plain = render_bytes(prepare(write_plan(tmp_path, MINIMAL, "a.yaml")))
    assert render_bytes(prepare(write_plan(tmp_path, PLAIN_VARIANTS[variant], "a.yaml"))) == plain


# --------------------------------------------------------------- 3. untrusted templates

CANARY = "KEHOACH_CANARY_FILE"

# name → (what replaces {{ trich_yeu }} in the template, words the refusal must hold).
ATTACKS: dict[str, tuple[str, str]] = {
    "class → subclasses": ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "không an toàn"),
    "globals → os.popen": ("{{ cycler.__init__.__globals__.os.popen('touch " + CANARY + "').read() }}",
                           "không an toàn"),
    "joiner globals": ("{{ joiner.__init__.__globals__ }}", "không an toàn"),
    "namespace globals": ("{{ namespace.__init__.__globals__ }}", "không an toàn"),
    "template context": ("{{ self._TemplateReference__context }}", "không an toàn"),
    "lipsum globals": ("{{ lipsum.__globals__['os'] }}", "không an toàn"),
    "attr filter": ("{{ ''|attr('__class__') }}", "không an toàn"),
    "format field": ("{{ '{0.__class__.__init__.__globals__}'.format(1) }}", "không an toàn"),
    "format filter": ("{{ '%s'|format(''.__class__) }}", "không an toàn"),
    "dunder method": ("{{ trich_yeu.__len__() }}", "không an toàn"),
    "list mutation": ("{% set x = [1] %}{% for i in x %}{{ x.append(1) }}{% endfor %}", "không an toàn"),
    "dict mutation": ("{% set d = {} %}{{ d.update(a=1) }}{{ d.clear() }}", "không an toàn"),
    "do tag": ("{% set x = [1] %}{% for i in x %}{% do x.append(1) %}{% endfor %}", "thẻ 'do' không có"),
    "range(10**9)": ("{% for i in range(10**9) %}x{% endfor %}", "range() quá lớn"),
    "range(2**70)": ("{{ range(2**70)|length }}", "range() quá lớn"),
    "'a' * 10**9": ("{{ 'a' * 10**9 }}", "nhân lên quá lớn"),
    "[1] * 10**9": ("{{ [1] * 10**9 }}", "nhân lên quá lớn"),
    "10 ** 10**10": ("{{ 10 ** (10 ** 10) }}", "số quá lớn"),
    "include a file": ("{% include '" + CANARY + "' %}", "không được đọc tệp khác"),
    "import a module": ("{% import 'os' as os %}{{ os.system('id') }}", "không được đọc tệp khác"),
    "extends a file": ("{% extends '/etc/passwd' %}", "không được đọc tệp khác"),
    "from … import": ("{% from '/etc/passwd' import x %}", "không được đọc tệp khác"),
    "endless recursion": ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "lồng nhau quá sâu"),
    "center(10**9), folded at compile time": ("{{ 'a'|center(1000000000) }}", "bộ nhớ"),
    "printf width 10**9": ("{{ '%0999999999d' % 1 }}", "bộ nhớ"),
    "format width 10**9": ("{{ '{:>999999999}'.format(1) }}", "bộ nhớ"),
    "str.zfill(10**9)": ("{{ 'a'.zfill(999999999) }}", "bộ nhớ"),
    "join with a huge separator": ("{{ range(100000)|join(' ' * 100000) }}", "bộ nhớ"),
    "doubling in a namespace": ("{% set ns = namespace(s='ab') %}{% for i in range(64) %}"
                                "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}", "bộ nhớ"),
    "output flood": ("{% for i in range(100000) %}{% for j in range(100000) %}0123456789{% endfor %}"
                     "{% endfor %}", "Kết quả quá lớn"),
    "busy loop": ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
                  "quá 2 giây"),
}


@pytest.fixture
def attack_plan(tmp_path, monkeypatch):
    from kehoach_docs.render import engine as render

    monkeypatch.setattr(render, "MAX_SECONDS", 2.0)  # the busy loop is stopped after 2 s, not 10
    monkeypatch.chdir(tmp_path)  # a relative include or `touch` would land here
    (tmp_path / CANARY).write_text("BÍ MẬT", encoding="utf-8")
    return write_plan(tmp_path, MINIMAL)


@pytest.mark.parametrize("name", list(ATTACKS))
def test_untrusted_template_is_refused_in_vietnamese(tmp_path, attack_plan, name, monkeypatch):
    if name == "output flood":  # the size bound, not the 2 s clock, must stop it (a loaded CI is slow)
        from kehoach_docs.render import engine as render
        monkeypatch.setattr(render, "MAX_SECONDS", 7.0)
    tag, words = ATTACKS[name]
    bad = template_with(tmp_path, "{{ trich_yeu }}", tag)
    start = time.monotonic()
    with pytest.raises(ProblemList) as exc:
        render_bytes(prepare(attack_plan, template=bad))
    elapsed = time.monotonic() - start
    (p,) = exc.value.problems
    assert words in p.message, p.message
    assert p.message.startswith(("Mẫu ", "Lỗi cú pháp trong thẻ mẫu", "Kết quả quá lớn")), p.message
    assert str(p).startswith(f"{bad}: [phần thân")
    assert elapsed < 8, f"{name} took {elapsed:.1f} s"
    assert (tmp_path / CANARY).read_text(encoding="utf-8") == "BÍ MẬT"
    assert "BÍ MẬT" not in str(exc.value)
    assert not (tmp_path / "HACKED").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([CANARY, "kh.yaml", bad.name])


def _run_measured(*args: str) -> tuple[int, str, int]:
    """Run the CLI; exit code, stderr and the child's peak memory (MB). A 3 GB ceiling keeps a
    failing test from exhausting the machine (it would then fail with MemoryError: exit 3)."""
    import os
    import resource

    def ceiling():
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))

    with open(os.devnull, "w") as null:
        err = Path(args[-1]).with_suffix(".stderr")
        with open(err, "w") as fh:
            proc = subprocess.Popen([sys.executable, "-m", "kehoach_docs", *args[:-1]], cwd=ROOT,
                                    stdout=null, stderr=fh, preexec_fn=ceiling)
            deadline = time.monotonic() + 60
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                if time.monotonic() > deadline:
                    proc.kill()
                    raise AssertionError(f"{args} did not finish in 60 s")
                time.sleep(0.02)
            proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, err.read_text(encoding="utf-8"), usage.ru_maxrss // 1024


CLI_ATTACKS = ["globals → os.popen", "'a' * 10**9", "center(10**9), folded at compile time",
               "doubling in a namespace", "include a file"]


@pytest.mark.slow  # a new Python per case, under a memory ceiling
@pytest.mark.parametrize("name", CLI_ATTACKS)
def test_cli_render_with_an_untrusted_template_stays_bounded(tmp_path, name):
    plan = write_plan(tmp_path, MINIMAL)
    bad = template_with(tmp_path, "{{ trich_yeu }}", ATTACKS[name][0])
    code, err, peak_mb = _run_measured("render", str(plan), "--template", str(bad), "-o",
                                       str(tmp_path / "out.docx"), str(tmp_path / "run"))
    assert code == 1 and "Traceback" not in err and "Lỗi nội bộ" not in err, err
    assert ATTACKS[name][1] in err and err.startswith(f"{bad}: [phần thân")
    assert peak_mb < 900, f"peak memory {peak_mb} MB"
    assert not (tmp_path / "out.docx").exists() and not (ROOT / CANARY).exists()


def test_template_with_a_doctype_is_refused(tmp_path, attack_plan):
    import shutil

    bad = tmp_path / "xxe.docx"
    shutil.copy(TEMPLATE, bad)
    with zipfile.ZipFile(TEMPLATE) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                text = data.decode()
                decl_end = text.index("?>") + 2
                text = (text[:decl_end] + f'<!DOCTYPE w:document [<!ENTITY x SYSTEM "file://{tmp_path / CANARY}">]>'
                        + text[decl_end:]).replace("{{ trich_yeu }}", "&x;{{ trich_yeu }}", 1)
                data = text.encode()
            dst.writestr(info, data)
    with pytest.raises(ProblemList) as exc:
        render_bytes(prepare(attack_plan, template=bad))
    assert "DOCTYPE" in exc.value.problems[0].message and "BÍ MẬT" not in str(exc.value)


def test_template_zip_bomb_is_refused_before_it_is_read(tmp_path, monkeypatch, attack_plan):
    from kehoach_docs.render import engine as render

    monkeypatch.setattr(render, "MAX_TEMPLATE_BYTES", 1 << 20)
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(TEMPLATE) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("word/media/zeros.bin", b"\0" * (2 << 20))
    assert bomb.stat().st_size < 100_000
    with pytest.raises(ProblemList) as exc:
        render_bytes(prepare(attack_plan, template=bomb))
    assert "quá lớn khi giải nén" in exc.value.problems[0].message


def test_template_escapes_for_literal_braces_still_work(tmp_path, attack_plan):
    tpl = template_with(tmp_path, "{{ trich_yeu }}", "{_{ chữ }_} {_% giữ %_} {{ trich_yeu }}")
    lines = assert_valid_docx(render_bytes(prepare(attack_plan, template=tpl)))
    assert any(line.startswith("{{ chữ }} {% giữ %} ") for line in lines)


# ------------------------------------------------------------ docs/reliability.md

DOC = ROOT / "docs" / "reliability.md"


def cases(test) -> int:
    """How many cases pytest runs for a test function: the product of its parametrize lists."""
    n = 1
    for mark in getattr(test, "pytestmark", []):
        if mark.name == "parametrize":
            n *= len(mark.args[1])
    return n


def reliability_counts() -> dict[str, int]:
    """How many cases each row of docs/reliability.md stands for, from the tests themselves."""
    from collections import Counter

    foreign = 0
    for sentence in FOREIGN_CP1252:
        for codec in ("cp1252", "latin-1"):
            try:
                sentence.encode(codec)
                foreign += 1
            except UnicodeEncodeError:
                pass
    counts = {
        "Hostile values in text fields": cases(test_hostile_text_comes_out_as_written),
        "Newlines in paragraph and folded fields": cases(test_newlines_in_paragraph_fields_are_paragraphs_never_breaks),
        "Newline in a single-line field": cases(test_newline_in_a_single_line_field_is_refused_with_its_place),
        # One case per character, each tried in every field.
        "Hidden characters, escaped in quoted strings":
            cases(test_hidden_characters_are_refused_naming_the_field) * len(CONTROL_FIELDS),
        "Hidden characters written raw in the file":
            cases(test_hidden_characters_written_raw_in_the_file_are_refused_at_their_place),
        "Tab inside a text": cases(test_tab_inside_text_is_kept),
        "BOM and CRLF files without errors": cases(test_bom_and_crlf_files_are_read_like_plain_ones),
        "Broken data files (one `kehoach validate` run)": len(BROKEN),
        "Broken data files through `kehoach render`": cases(test_render_refuses_a_broken_file_with_exit_code_1),
        "Legacy Vietnamese encodings": len(LEGACY) * len(VIETNAMESE),
        "Other single-byte text and noise": foreign + NOISE_SAMPLES,
        "Untrusted templates (in process)": cases(test_untrusted_template_is_refused_in_vietnamese),
        "Untrusted templates through `kehoach render --template`":
            cases(test_cli_render_with_an_untrusted_template_stays_bounded),
        "Template with `<!DOCTYPE>` (external entity)": cases(test_template_with_a_doctype_is_refused),
        "Template zip bomb": cases(test_template_zip_bomb_is_refused_before_it_is_read),
        "Random valid plans (hypothesis)": PROPERTY_EXAMPLES,
        "Random valid plans checked by openxml-audit": PROPERTY_AUDITED,
        "Random text as a data file": FUZZ_EXAMPLES,
        "Damaged copies of a valid plan": FUZZ_EXAMPLES,
        "Builds killed with SIGKILL": CRASH_KILL_RUNS,
        "Two builds started together": CONCURRENT_BUILDS,
    }
    for group, n in Counter(name.split(":")[0] for name in BROKEN).items():
        counts[f"broken: {group}"] = n
    counts.update(case_counts(Path(__file__).with_name("test_hostile_env.py")))  # issue 15: a row per group
    return counts


def test_reliability_doc_is_honest():
    """Every counted row of docs/reliability.md matches the tests, and every table is there."""
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) >= 2 and cells[1].isdigit():
            rows[cells[0]] = int(cells[1])
    counts = reliability_counts()
    print("\n".join(f"{k}: {v}" for k, v in counts.items()))
    assert rows == counts

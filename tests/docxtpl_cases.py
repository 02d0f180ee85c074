"""docxtpl's own test templates with the contexts of its test scripts, for parity.

The templates and pictures in tests/fixtures/docxtpl/templates/ are docxtpl's (LGPL-2.1, see
tests/fixtures/docxtpl/README.md). Each case below is one of docxtpl's tests/*.py scripts
(embedded.py makes two documents, hence two cases; multi_rendering.py renders one template
three times: one case, all three compared): 37 in all.

A case's context is built by a function of the template object, because InlineImage, Subdoc
and RichText links need it: `tpl` is a docxtpl.DocxTemplate for docxtpl's side and a
kehoach_docs CompiledTemplate for ours; both offer new_subdoc() and build_url_id() and may be
passed to InlineImage.
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from unicodedata import name as uname

from docx.shared import Inches, Mm
from docxtpl import InlineImage, Listing, R, RichText, RichTextParagraph

HERE = Path(__file__).resolve().parent / "fixtures" / "docxtpl" / "templates"


def T(name: str) -> str:
    return str(HERE / name)


@dataclass
class Case:
    name: str
    template: str
    contexts: Callable[[Any], list[dict]]
    """One context per render (multi_rendering renders three)."""
    autoescape: bool = False
    filters: dict = field(default_factory=dict)
    expect_error: bool = False
    """docxtpl itself refuses this template (template_error)."""


def _cellbg(tpl):
    return [{"alerts": [
        {"date": "2015-03-10", "desc": RichText("Very critical alert", color="FF0000", bold=True),
         "type": "CRITICAL", "bg": "FF0000"},
        {"date": "2015-03-11", "desc": RichText("Just a warning"), "type": "WARNING", "bg": "FFDD00"},
        {"date": "2015-03-12", "desc": RichText("Information"), "type": "INFO", "bg": "8888FF"},
        {"date": "2015-03-13", "desc": RichText("Debug trace"), "type": "DEBUG", "bg": "FF00FF"},
    ]}]


def _escape(tpl):
    return [{
        "myvar": R('"less than" must be escaped : <, this can be done with RichText() or R()'),
        "myescvar": 'It can be escaped with a "|e" jinja filter in the template too : < ',
        "nlnp": R("Here is a multiple\nlines\nstring\aand some\aother\aparagraphs", color="#ff00ff"),
        "mylisting": Listing("the listing\nwith\nsome\nlines\nand special chars : <>& ..."),
        "page_break": R("\f"),
        "new_listing": "\nThis is a new listing\nNow, does not require Listing() Object\n"
                       "Here is a \t tab\a\nHere is a new paragraph\a\nHere is a page break : \f\n"
                       "That's it\n",
        "some_html": (
            "HTTP/1.1 200 OK\nServer: Apache-Coyote/1.1\nCache-Control: no-store\n"
            "Expires: Thu, 01 Jan 1970 00:00:00 GMT\nPragma: no-cache\n"
            "Content-Type: text/html;charset=UTF-8\nContent-Language: zh-CN\n"
            "Date: Thu, 22 Oct 2020 10:59:40 GMT\nContent-Length: 9866\n\n<html>\n<head>\n"
            "    <title>Struts Problem Report</title>\n    <style>\n    \tpre {\n"
            "\t    \tmargin: 0;\n\t        padding: 0;\n\t    }    \n    </style>\n</head>\n"
            "<body>\n...\n</body>\n</html>"),
    }]


def _header_footer(tpl, utf8=False):
    sd = tpl.new_subdoc()
    if utf8:
        sd.add_paragraph("This is a sub-document to check it does not break header and footer with "
                         "utf-8 characters inside the template .docx")
        return [{"title": "헤더와 푸터", "company_name": "세계적 회사", "date": "2016-03-17", "mysubdoc": sd}]
    sd.add_paragraph("This is a sub-document to check it does not break header and footer")
    return [{"title": "Header and footer test", "company_name": "The World Wide company",
             "date": "2016-03-17", "mysubdoc": sd}]


def _header_footer_inline_image(tpl):
    return [{"inline_image": InlineImage(tpl, T("django.png"), height=Mm(10)),
             "images": [InlineImage(tpl, T("python.png"), height=Mm(10)) for _ in range(3)]}]


def _inline_image(tpl):
    frameworks = [
        ("django.png", "The web framework for perfectionists with deadlines"),
        ("zope.png", "Zope is a leading Open Source Application Server and Content Management Framework"),
        ("pyramid.png", "Pyramid is a lightweight Python web framework aimed at taking small web apps "
                        "into big web apps."),
        ("bottle.png", "Bottle is a fast, simple and lightweight WSGI micro web-framework for Python"),
        ("tornado.png", "Tornado is a Python web framework and asynchronous networking library."),
    ]
    return [{
        "myimage": InlineImage(tpl, T("python_logo.png"), width=Mm(20)),
        "myimageratio": InlineImage(tpl, T("python_jpeg.jpg"), width=Mm(30), height=Mm(60)),
        "frameworks": [{"image": InlineImage(tpl, T(f), height=Mm(10)), "desc": d} for f, d in frameworks],
    }]


def _nested_for(tpl):
    return [{
        "dishes": [
            {"name": "Pizza", "ingredients": ["bread", "tomato", "ham", "cheese"]},
            {"name": "Hamburger", "ingredients": ["bread", "chopped steak", "cheese", "sauce"]},
            {"name": "Apple pie", "ingredients": ["flour", "apples", "suggar", "quince jelly"]},
        ],
        "authors": [
            {"name": "Saint-Exupery", "books": [{"title": "Le petit prince"}, {"title": "L'aviateur"},
                                                {"title": "Vol de nuit"}]},
            {"name": "Barjavel", "books": [{"title": "Ravage"}, {"title": "La nuit des temps"},
                                           {"title": "Le grand secret"}]},
        ],
    }]


ITEMS = [
    {"desc": "Python interpreters", "qty": 2, "price": "FREE"},
    {"desc": "Django projects", "qty": 5403, "price": "FREE"},
    {"desc": "Guido", "qty": 1, "price": "100,000,000.00"},
]


def _richtext(tpl):
    rt = RichText()
    rt.add("a rich text", style="myrichtextstyle")
    rt.add(" with ")
    rt.add("some italic", italic=True)
    rt.add(" and ")
    rt.add("some violet", color="#ff00ff")
    rt.add(" and ")
    rt.add("some striked", strike=True)
    rt.add(" and ")
    rt.add("some Highlighted", highlight="#ffff00")
    rt.add(" and ")
    rt.add("some small", size=14)
    rt.add(" or ")
    rt.add("big", size=60)
    rt.add(" text.")
    rt.add("\nYou can add an hyperlink, here to ")
    rt.add("google", url_id=tpl.build_url_id("http://google.com"))
    rt.add("\nEt voilà ! ")
    rt.add("\n1st line")
    rt.add("\n2nd line")
    rt.add("\n3rd line")
    rt.add("\aA new paragraph : <cool>\a")
    rt.add("--- A page break here (see next page) ---\f")
    for ul in ["single", "double", "thick", "dotted", "dash", "dotDash", "dotDotDash", "wave"]:
        rt.add("\nUnderline : " + ul + " \n", underline=ul)
    rt.add("\nFonts :\n", underline=True)
    rt.add("Arial\n", font="Arial")
    rt.add("Courier New\n", font="Courier New")
    rt.add("Times New Roman\n", font="Times New Roman")
    rt.add("\n\nHere some")
    rt.add("superscript", superscript=True)
    rt.add(" and some")
    rt.add("subscript", subscript=True)
    rt_embedded = RichText("an example of ")
    rt_embedded.add(rt)
    return [{"example": rt_embedded}]


def _richtext_paragraph(tpl):
    rtp = RichTextParagraph()
    rt = RichText()
    rtp.add("The rich text paragraph function allows paragraph styles to be added to text",
            parastyle="myrichparastyle")
    rtp.add("Any built in paragraph style can be used", parastyle="IntenseQuote")
    rtp.add("or you can add your own, unlocking all style options", parastyle="createdStyle")
    rtp.add("To use, just create a style in your template word doc with the formatting you want "
            "and call it in the code.", parastyle="normal")
    rtp.add("This allows for the use of")
    rtp.add("custom bullet\apoints", parastyle="SquareBullet")
    rtp.add("Numbered Bullet Points", parastyle="BasicNumbered")
    rtp.add("and Alpha Bullet Points.", parastyle="alphaBracketNumbering")
    rtp.add("You can", parastyle="normal")
    rtp.add("set the", parastyle="centerAlign")
    rtp.add("text alignment", parastyle="rightAlign")
    rtp.add("as well as the spacing between lines of text. Like this for example, this text has very "
            "tight spacing between the lines.\aIt also has no space between paragraphs of the same style.",
            parastyle="TightLineSpacing")
    rtp.add("Unlike this one, which has extra large spacing between lines for when you want to space "
            "things out a bit or just write a little less.", parastyle="WideLineSpacing")
    rtp.add("You can also set the background colour of a line.", parastyle="LineShadingGreen")
    rt.add("This works with ")
    rt.add("Rich ", bold=True)
    rt.add("Text ", italic=True)
    rt.add("Strings", underline="single")
    rt.add(" too.")
    rtp.add(rt, parastyle="SquareBullet")
    return [{"example": rtp}]


def _subdoc(tpl):
    sd = tpl.new_subdoc()
    sd.add_paragraph("This is a sub-document inserted into a bigger one")
    p = sd.add_paragraph("It has been ")
    p.add_run("dynamically").style = "dynamic"
    p.add_run(" generated with python by using ")
    p.add_run("python-docx").italic = True
    p.add_run(" library")
    sd.add_heading("Heading, level 1", level=1)
    sd.add_paragraph("This is an Intense quote", style="IntenseQuote")
    sd.add_paragraph("A picture :")
    sd.add_picture(T("python_logo.png"), width=Inches(1.25))
    sd.add_paragraph("A Table :")
    table = sd.add_table(rows=1, cols=3)
    hdr = table.rows[0].cells
    hdr[0].text, hdr[1].text, hdr[2].text = "Qty", "Id", "Desc"
    for qty, id_, desc in ((1, 101, "Spam"), (2, 42, "Eggs"), (3, 631, "Spam,spam, eggs, and ham")):
        row = table.add_row().cells
        row[0].text, row[1].text, row[2].text = str(qty), str(id_), desc
    return [{"mysubdoc": sd}]


UNDECLARED_FULL = {
    "name": "John Doe", "age": 25, "email": "john@example.com", "is_student": True,
    "has_degree": True, "degree_field": "Computer Science",
    "skills": ["Python", "Django", "JavaScript"],
    "projects": [{"name": "Project A", "year": 2023, "description": "A great project"},
                 {"name": "Project B", "year": 2024, "description": "Another great project"}],
    "company_name": "Test Corp", "page_number": 1, "generation_date": "2024-01-15",
    "author": "Test Author",
}
UNDECLARED_PARTIAL = {k: UNDECLARED_FULL[k] for k in
                      ("name", "age", "email", "is_student", "company_name", "author")}
UNDECLARED_PARTIAL["skills"] = ["Python", "Django"]
UNDECLARED_MISSING = {"has_degree", "degree_field", "projects", "page_number", "generation_date"}


def _my_filter_a(value, arg):
    return value + " " + arg


def _my_filter_b(value, arg):
    return value + arg


CASES = [
    Case("cellbg", "cellbg_tpl.docx", _cellbg),
    Case("comments", "comments_tpl.docx", lambda tpl: [{}]),
    Case("custom_jinja_filters", "custom_jinja_filters_tpl.docx",
         lambda tpl: [{"base_value_string": " Hello", "base_value_float": 1.5}],
         filters={"my_filterA": _my_filter_a, "my_filterB": _my_filter_b}),
    Case("doc_properties", "doc_properties_tpl.docx", lambda tpl: [{"test": "HelloWorld"}]),
    Case("dynamic_table", "dynamic_table_tpl.docx", lambda tpl: [{
        "col_labels": ["fruit", "vegetable", "stone", "thing"],
        "tbl_contents": [
            {"label": "yellow", "cols": ["banana", "capsicum", "pyrite", "taxi"]},
            {"label": "red", "cols": ["apple", "tomato", "cinnabar", "doubledecker"]},
            {"label": "green", "cols": ["guava", "cucumber", "aventurine", "card"]},
        ]}]),
    Case("embedded_embedded", "embedded_embedded_docx_tpl.docx", lambda tpl: [{"name": "John Doe"}]),
    Case("embedded_main", "embedded_main_tpl.docx", lambda tpl: [{"name": "John Doe"}]),
    Case("escape", "escape_tpl.docx", _escape),
    Case("escape_auto", "escape_tpl_auto.docx", lambda tpl: [{
        "nested_dict": {uname(str(c)): c for c in """<"&'>"""},
        "autoescape": 'Escaped "str & ing"!',
        "autoescape_unicode": "This is an escaped <unicode> example \u4f60 & \u6211",
        "iteritems": lambda x: x.items(),
    }], autoescape=True),
    Case("footnotes", "footnotes_tpl.docx", lambda tpl: [{"a_jinja_variable": "A Jinja variable!"}]),
    Case("get_undeclared_variables", "get_undeclared_variables.docx", lambda tpl: [UNDECLARED_FULL]),
    Case("header_footer", "header_footer_tpl.docx", _header_footer),
    Case("header_footer_entities", "header_footer_entities_tpl.docx",
         lambda tpl: [{"title": "Header and footer test"}]),
    Case("header_footer_image", "header_footer_image_tpl.docx",
         lambda tpl: [{"mycompany": "The World Wide company"}]),
    Case("header_footer_image_file_obj", "header_footer_image_tpl.docx",
         lambda tpl: [{"mycompany": "The World Wide company"}]),
    Case("header_footer_inline_image", "header_footer_inline_image_tpl.docx", _header_footer_inline_image),
    Case("header_footer_utf8", "header_footer_tpl_utf8.docx", lambda tpl: _header_footer(tpl, utf8=True)),
    Case("horizontal_merge", "horizontal_merge_tpl.docx", lambda tpl: [{}]),
    Case("inline_image", "inline_image_tpl.docx", _inline_image, autoescape=True),
    Case("less_cells_after_loop", "less_cells_after_loop_tpl.docx", lambda tpl: [{}]),
    Case("merge_docx", "merge_docx_master_tpl.docx",
         lambda tpl: [{"mysubdoc": tpl.new_subdoc(T("merge_docx_subdoc.docx"))}]),
    Case("merge_paragraph", "merge_paragraph_tpl.docx", lambda tpl: [{"living_in_town": True}]),
    Case("module_execute", "module_execute_tpl.docx",
         lambda tpl: [json.loads(Path(T("module_execute.json")).read_text(encoding="utf-8"))]),
    Case("multi_rendering", "multi_rendering_tpl.docx", lambda tpl: [
        {"title": "Title ONE", "body": "This is the body for first document"},
        {"title": "Title TWO", "body": "This is the body for second document"},
        {"title": "Title THREE", "body": "This is the body for third document"},
    ]),
    Case("nested_for", "nested_for_tpl.docx", _nested_for),
    Case("order", "order_tpl.docx", lambda tpl: [{
        "customer_name": "Eric", "items": ITEMS, "in_europe": True, "is_paid": False,
        "company_name": "The World Wide company", "total_price": "100,000,000.00"}]),
    Case("preserve_spaces", "preserve_spaces_tpl.docx", lambda tpl: [{"tag_1": "looking", "tag_2": "too"}]),
    Case("replace_picture", "replace_picture_tpl.docx", lambda tpl: [{}]),
    Case("richtext", "richtext_tpl.docx", _richtext),
    Case("richtext_and_if", "richtext_and_if_tpl.docx",
         lambda tpl: [{"foobar": RichText("Foobar!", color="ff0000")}]),
    Case("richtext_eastAsia", "richtext_eastAsia_tpl.docx", lambda tpl: [{
        "example": RichText("测试TEST", font="eastAsia:Microsoft YaHei"),
        "Chinese": RichText("测试TEST", font="eastAsia:微软雅黑"),
        "simsun": RichText("测试TEST", font="eastAsia:SimSun")}]),
    Case("richtextparagraph", "richtext_paragraph_tpl.docx", _richtext_paragraph),
    Case("subdoc", "subdoc_tpl.docx", _subdoc),
    Case("template_error", "template_error_tpl.docx",
         lambda tpl: [{"test_variable": "test variable value"}], expect_error=True),
    Case("vertical_merge", "vertical_merge_tpl.docx", lambda tpl: [{
        "items": ITEMS, "total_price": "100,000,000.00", "category": "Book"}]),
    Case("vertical_merge_nested", "vertical_merge_nested_tpl.docx", lambda tpl: [{}]),
    Case("word2016", "word2016_tpl.docx", lambda tpl: [{
        "test_space": "          ", "test_tabs": 5 * "\t",
        "test_space_r": RichText("          "), "test_tabs_r": RichText(5 * "\t")}]),
]


# --------------------------------------------------------------------------- reading outputs

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TEXT_PARTS = re.compile(r"^word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$")


def _part_text(root) -> str:
    lines = []
    for p in root.iter(f"{W}p"):
        out = []
        for el in p.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr"):
            if el.tag == f"{W}t":
                out.append(el.text or "")
            elif el.tag == f"{W}tab":
                out.append("\t")
            elif el.tag == f"{W}br" and el.get(f"{W}type") == "page":
                out.append("\f")
            else:
                out.append("\n")
        # Text inside a nested paragraph (text box) is counted with that paragraph only.
        if p.find(f".//{W}p") is None:
            lines.append("".join(out))
    return "\n".join(lines)


def document_text(data: bytes) -> dict[str, str]:
    """Text of every text part (paragraphs, tabs, breaks) and the string core properties."""
    from lxml import etree

    out = {}
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as zf:
        for name in sorted(zf.namelist()):
            if _TEXT_PARTS.match(name):
                out[name] = _part_text(etree.fromstring(zf.read(name)))
        if "docProps/core.xml" in zf.namelist():
            core = etree.fromstring(zf.read("docProps/core.xml"))
            for el in core:
                local = etree.QName(el).localname
                if local in ("title", "subject", "creator", "description", "identifier", "language"):
                    out[f"core:{local}"] = el.text or ""
    return out


def package_problems(data: bytes) -> list[str]:
    """Dangling relationships (an r:id, r:embed… with no relationship, or one whose internal
    target is not in the package) and duplicate drawing ids (wp:docPr) across the package."""
    import posixpath

    from lxml import etree

    problems = []
    ids: dict[str, str] = {}
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as zf:
        names = set(zf.namelist())
        for name in sorted(names):
            if not name.endswith(".xml") or name.endswith(".rels"):
                continue
            folder, base = posixpath.split(name)
            rels_name = posixpath.join(folder, "_rels", base + ".rels")
            rels = {}
            if rels_name in names:
                for rel in etree.fromstring(zf.read(rels_name)):
                    rels[rel.get("Id")] = rel
                    if rel.get("TargetMode") != "External":
                        target = posixpath.normpath(posixpath.join(folder, rel.get("Target")))
                        if rel.get("Target").startswith("/"):
                            target = rel.get("Target").lstrip("/")
                        if target not in names:
                            problems.append(f"{rels_name}: {rel.get('Id')} → {target} không có")
            try:
                root = etree.fromstring(zf.read(name))
            except etree.XMLSyntaxError as exc:
                problems.append(f"{name}: XML hỏng ({exc})")
                continue
            for el in root.iter():
                for attr, value in el.attrib.items():
                    if attr.startswith(f"{{{R_NS}}}") and etree.QName(attr).localname in (
                            "id", "embed", "link", "pict", "dm", "lo", "qs", "cs") and value not in rels:
                        problems.append(f"{name}: quan hệ {value} không có")
                if etree.QName(el).localname == "docPr" and isinstance(el.tag, str):
                    if el.get("id") in ids:
                        problems.append(f"{name}: wp:docPr id={el.get('id')} trùng ({ids[el.get('id')]})")
                    ids[el.get("id")] = name
    return problems

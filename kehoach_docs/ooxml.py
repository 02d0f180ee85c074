"""OOXML names and units: the one module of namespaces, relationship types, units and the
simple-type values the code reads or writes (as python-docx's ``oxml/ns.py``).

Namespaces come twice: the URI (``W_NS``, for ``xmlns=`` and XPath maps) and the Clark
prefix lxml uses in tag names (``W + "p"`` is ``{…/main}p``). Also the one way a generated
part is parsed (`parse_part`), which the renderer and the checker share. Imports lxml only.
"""

from __future__ import annotations

from lxml import etree

# --- namespaces (ECMA-376 Part 1 §A, Part 2 §F) ---------------------------------------------
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
VML_NS = "urn:schemas-microsoft-com:vml"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
CP_NS = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
EP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"

XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
CORE_PROPERTIES_XMLNS = (f'xmlns:cp="{CP_NS}" xmlns:dc="http://purl.org/dc/elements/1.1/" '
                         'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
                         'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"')
"""The namespaces of docProps/core.xml (Dublin Core), declared on its root."""

W = f"{{{W_NS}}}"
R = f"{{{R_NS}}}"
WP = f"{{{WP_NS}}}"
A = f"{{{A_NS}}}"
VML = f"{{{VML_NS}}}"
PR = f"{{{PKG_REL_NS}}}"

# --- relationship types ------------------------------------------------------------------------
RT_OFFICE_DOCUMENT = f"{R_NS}/officeDocument"
RT_STYLES = f"{R_NS}/styles"
RT_THEME = f"{R_NS}/theme"
RT_IMAGE = f"{R_NS}/image"
RT_HYPERLINK = f"{R_NS}/hyperlink"

# --- units -------------------------------------------------------------------------------------
TWIPS_PER_MM = 1440 / 25.4
"""A twip is 1/20 pt, 1/1440 inch (page size, margins, indents, table widths)."""
EMU_PER_MM = 36000
"""English Metric Units (drawings): 914400 per inch."""
MM_PER_UNIT = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72, "pc": 25.4 / 6, "pi": 25.4 / 6}
"""Millimetres per unit of a universal measure (ST_UniversalMeasure, §22.9.2.15: "2.5cm"),
which twips attributes may hold instead of a number; VML's CSS lengths use the same units."""

# --- simple types ------------------------------------------------------------------------------
JC = {
    "left": "trai", "start": "trai",
    "center": "giua",
    "right": "phai", "end": "phai",
    "both": "deu", "distribute": "deu", "thaiDistribute": "deu",
    "lowKashida": "deu", "mediumKashida": "deu", "highKashida": "deu",
}
"""ST_Jc (w:jc/@w:val, §17.18.44) → a profile's can_le. Every value of the type but numTab
(aligned on a tab, no side of its own); the kashida and Thai forms justify both margins.
("justify" is not an ST_Jc value: it is CSS's word.)"""
JC_VALUE = {"trai": "left", "giua": "center", "phai": "right", "deu": "both"}
"""can_le → the w:jc value the generator writes (the transitional names every reader knows)."""

OFF = frozenset({"0", "false", "off"})
"""ST_OnOff (§17.17.4, §22.9.2.7) values that turn a property off; "1", "true", "on" and an
absent w:val turn it on. ("none" is ST_Underline's, not ST_OnOff's.)"""


def is_on_value(val: str | None) -> bool:
    """An on/off property's w:val: absent means on (§17.7.3)."""
    return val is None or val.lower() not in OFF


# --- parsing a part --------------------------------------------------------------------------
_PART_PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)


def parse_part(data: bytes):
    """A rendered part as the checker reads it: the renderer parses document.xml this way
    and hands the tree on, so the two must be one parser (untrusted templates are refused
    earlier, with their own stricter parser, in render/package_safety.py)."""
    return etree.fromstring(data, _PART_PARSER)

"""The shipped templates (one plan and one report template per thể thức profile) and their generator.

The .docx files here are generated from the profiles by ``python -m kehoach_docs.templates.generate``
and ship in the wheel; a workspace's own ``templates/`` folder or ``$KEHOACH_TEMPLATES`` override them.
"""

from pathlib import Path

TEMPLATES_DIR = Path(__file__).resolve().parent

DEFAULT_TEMPLATES = {("KH", "dang"): "ke-hoach-dang.docx", ("KH", "nha_nuoc"): "ke-hoach-nha-nuoc.docx",
                     ("BC", "dang"): "bao-cao-dang.docx", ("BC", "nha_nuoc"): "bao-cao-nha-nuoc.docx"}
"""The shipped template of each (loai_van_ban, he_thong): the one the renderer picks when a
document names none, and the file the generator writes."""
TEMPLATE_PROFILES = {"dang": "dang-hd36-2018", "nha_nuoc": "nha-nuoc-nd30-2020"}
"""The thể thức profile each regime's shipped templates are generated from."""

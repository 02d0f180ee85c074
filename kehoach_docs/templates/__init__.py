"""The shipped templates (one plan and one report template per thể thức profile) and their generator.

The .docx files here are generated from the profiles by ``python -m kehoach_docs.templates.generate``
and ship in the wheel; a workspace's own ``templates/`` folder or ``$KEHOACH_TEMPLATES`` override them.
"""

from pathlib import Path

TEMPLATES_DIR = Path(__file__).resolve().parent

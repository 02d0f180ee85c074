"""Helpers shared by the template tests: the template generator, from the package."""

from pathlib import Path

from kehoach_docs.templates import generate as make_templates  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]

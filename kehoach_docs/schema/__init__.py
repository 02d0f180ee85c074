"""The data model: what each kind of YAML file may contain."""

from kehoach_docs.schema.plan import Plan

__all__ = ["Plan"]

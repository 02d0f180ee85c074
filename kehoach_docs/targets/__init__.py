"""Targets (chỉ tiêu): their kinds of quantity (kinds.py), the verdict rule (verdict.py),
the one number format of reports (so_lieu.py), and how a target value is written in a plan."""

from __future__ import annotations

from kehoach_docs.format import phan_tram, so
from kehoach_docs.schema.plan import Target
from kehoach_docs.targets.so_lieu import dem


def _number(x: float) -> str:
    return so(x) if float(x).is_integer() else so(x, 1)


def value_text(t: Target) -> str:
    """The value as a plan's text says it: "98%", "01" (count), "15" (rank), "1-2" (range)."""
    if t.gia_tri_den is not None:
        return f"{_number(t.gia_tri)}-{_number(t.gia_tri_den)}"
    if t.don_vi == "%":
        return phan_tram(t.gia_tri)
    if t.so_sanh == "top" or not float(t.gia_tri).is_integer():
        return _number(t.gia_tri)
    return dem(int(t.gia_tri))  # the reports' one format: "02", "1.877" (so_lieu.py)


def target_names(targets: list[Target]) -> dict[str, str]:
    """[[chi_tieu.<ma>]] placeholders of a document's targets."""
    return {f"chi_tieu.{t.ma}": value_text(t) for t in targets}

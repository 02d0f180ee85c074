"""Định dạng theo thể thức văn bản hành chính Việt Nam (ngày, số, ký hiệu, bộ lọc Jinja)."""

from kehoach_docs.format import vn
from kehoach_docs.format.vn import *  # noqa: F403 - the package's API is vn's __all__

__all__ = vn.__all__

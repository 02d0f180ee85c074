"""Định dạng theo thể thức văn bản hành chính Việt Nam (ngày, số, ký hiệu, bộ lọc Jinja)."""

from kehoach_docs.format.vn import (
    FILTERS,
    dia_danh_ngay,
    in_hoa,
    la_ma,
    ngay_hanh_chinh,
    ngay_ngan,
    nfc,
    phan_tram,
    quy,
    so,
    so_dem,
    so_hieu,
    so_ky_hieu,
    trich_dan,
    viet_thuong_dau,
)

__all__ = [
    "FILTERS",
    "dia_danh_ngay",
    "in_hoa",
    "la_ma",
    "ngay_hanh_chinh",
    "ngay_ngan",
    "nfc",
    "phan_tram",
    "quy",
    "so",
    "so_dem",
    "so_hieu",
    "so_ky_hieu",
    "trich_dan",
    "viet_thuong_dau",
]

"""Generate the SAMPLE units and results of data/nq57-mau (deterministic; values are invented
sample figures, marked as such in every file). Run once: python tools/mau_nq57.py"""

from __future__ import annotations

import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "data" / "nq57-mau"
UNITS = [  # (stem, name, kind)
    ("so-khoa-hoc-va-cong-nghe", "Sở Khoa học và Công nghệ", "dang_bo_btv"),
    ("so-tai-chinh", "Sở Tài chính", "dang_bo_btv"),
    ("so-noi-vu", "Sở Nội vụ", "dang_bo_btv"),
    ("so-giao-duc-va-dao-tao", "Sở Giáo dục và Đào tạo", "dang_bo_btv"),
    ("so-y-te", "Sở Y tế", "dang_bo_btv"),
    ("so-xay-dung", "Sở Xây dựng", "dang_bo"),
    ("so-cong-thuong", "Sở Công thương", "dang_bo"),
    ("so-nong-nghiep-va-moi-truong", "Sở Nông nghiệp và Môi trường", "dang_bo_btv"),
    ("so-van-hoa-the-thao-va-du-lich", "Sở Văn hóa, Thể thao và Du lịch", "dang_bo"),
    ("so-tu-phap", "Sở Tư pháp", "dang_bo"),
    ("so-ngoai-vu", "Sở Ngoại vụ", "chi_bo"),
    ("so-dan-toc-va-ton-giao", "Sở Dân tộc và Tôn giáo", "chi_bo"),
    ("thanh-tra-tinh", "Thanh tra tỉnh", "dang_bo"),
    ("van-phong-ubnd-tinh", "Văn phòng UBND tỉnh", "dang_bo"),
    ("ban-quan-ly-khu-kinh-te-dong-nam", "Ban Quản lý Khu kinh tế Đông Nam", "dang_bo"),
    ("trung-tam-xuc-tien-dau-tu", "Trung tâm Xúc tiến đầu tư, thương mại và du lịch", "chi_bo"),
    ("dai-phat-thanh-va-truyen-hinh", "Đài Phát thanh và Truyền hình tỉnh", "dang_bo"),
    ("truong-cao-dang-ky-thuat-viet-duc", "Trường Cao đẳng Kỹ thuật Việt - Đức Nghệ An", "dang_bo"),
    ("truong-cao-dang-y-te", "Trường Cao đẳng Y tế Nghệ An", "dang_bo"),
    ("benh-vien-huu-nghi-da-khoa", "Bệnh viện Hữu nghị Đa khoa Nghệ An", "dang_bo_btv"),
    ("benh-vien-san-nhi", "Bệnh viện Sản Nhi Nghệ An", "dang_bo"),
    ("quy-dau-tu-phat-trien", "Quỹ Đầu tư phát triển tỉnh", "chi_bo"),
]
SIGNERS = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Đức",
           "Võ Thị Hà", "Đặng Văn Hải", "Bùi Thị Hạnh", "Đỗ Văn Hùng", "Hồ Thị Lan", "Ngô Văn Long"]
IDEAS = ["Số hóa hồ sơ lưu trữ và tra cứu trực tuyến", "Ứng dụng trợ lý ảo trả lời câu hỏi của người dân",
         "Bảng điều hành số theo dõi nhiệm vụ", "Phần mềm quản lý tài sản dùng mã QR",
         "Sinh hoạt chi bộ có ứng dụng Sổ tay đảng viên điện tử", "Quy trình ký số văn bản trên điện thoại"]
MISSING = {2025: {"so-dan-toc-va-ton-giao"}, 2026: {"quy-dau-tu-phat-trien", "so-ngoai-vu"}}
HEAD = "# MẪU (sample): số liệu giả định để minh họa, không phải số liệu thật.\n"


def dot(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def main() -> None:
    rng = random.Random(57)
    for i, (stem, name, kind) in enumerate(UNITS):
        day = 5 + i
        lines = [HEAD + f"# {name}", f"ten: {name}", f"loai: {kind}", f"so: {10 + i}",
                 f"ngay: 2025-04-{day:02d}", "nguoi_ky:", f"  ho_ten: {SIGNERS[i % len(SIGNERS)]}"]
        if i % 5 == 0:
            lines[-2:-2] = ["chi_tieu:", "  sang_kien_so: 2"]
        (ROOT / "don-vi" / f"{stem}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        for year in (2025, 2026):
            if stem in MISSING[year]:
                continue
            tong = rng.randint(300, 2500)
            dat = min(tong, int(tong * rng.uniform(0.86, 0.995)))
            ideas = [IDEAS[(i + year) % len(IDEAS)]] if (i + year) % 4 else []
            out = [HEAD + f"# {name} — kết quả năm {year}", f"nam: {year}",
                   f"ngay_bao_cao: {year}-11-{10 + i % 5:02d}", "chi_tieu:"]
            out.append(f"  cap_uy_co_ke_hoach: {'true' if year == 2025 and i != 7 or year == 2026 else 'false'}")
            out.append(f"  quan_triet_hang_nam: {'false' if (i, year) in {(3, 2025), (12, 2026)} else 'true'}")
            out.append(f"  van_ban_ky_so: {{dat: {dat}, tong: {tong}}}")
            out.append(f"  ho_so_tren_mang: {round(rng.uniform(72, 96), 1)}")
            if ideas:
                out += ["sang_kien:", f"  - ten: \"{ideas[0]}\"", "    chi_tieu: sang_kien_so",
                        "    linh_vuc: Chuyển đổi số"]
            n = rng.randint(1, 3)
            out.append(f"quan_triet: {{so_buoi: {n}, so_nguoi_du: {rng.randint(20, 180)}}}")
            out += ["ket_qua_noi_bat:", f"  - \"Ký số {dot(dat)}/{dot(tong)} văn bản đi trên môi trường mạng.\"",
                    "hoan_thanh:", f"  - {'hd_ke_hoach' if year == 2025 else 'hd_so_ket'}"]
            folder = ROOT / "ket-qua" / str(year)
            (folder / f"{stem}.yaml").write_text("\n".join(out) + "\n", encoding="utf-8")
    for year, (dti, pii, classes) in {2025: (24, 31, 2), 2026: (18, 28, 3)}.items():
        text = "\n".join([HEAD + f"# Văn phòng Đảng ủy — số liệu toàn Đảng bộ, năm {year}",
                          f"nam: {year}", f"ngay_bao_cao: {year}-12-05", "chi_tieu:",
                          f"  dti: {dti}", f"  pii: {pii}", f"  lop_boi_duong_so: {classes}"])
        (ROOT / "ket-qua" / str(year) / "toan-dang-bo.yaml").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

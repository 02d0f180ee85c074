#!/usr/bin/env python3
"""Write sample yearly results for Đề án 04 (data/de-an-04/ket-qua/<năm>/*.yaml).

Deterministic: every random choice comes from a random.Random seeded by a SHA-256 of a
label ("so-noi-vu/2023", "so-noi-vu/ho-so", "thieu-bao-cao"), so a rerun gives the same
files. One file per unit and year 2022-2025 (a few reports deliberately missing), and the
office's whole-body figures in toan-khoi.yaml for 2021 (baseline) … 2025.

    python tools/make_sample_results.py [--workspace data/de-an-04]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

from kehoach_docs.format import phan_tram, so, so_dem

YEARS = [2022, 2023, 2024, 2025]
MISSING_PER_YEAR = {2022: 3, 2023: 2, 2024: 4, 2025: 2}
DVK, DSCQ, DSQC = "mo_hinh_dan_van_kheo", "diem_sang_dan_van_chinh_quyen", "diem_sang_quy_che_dan_chu"
BIG_TTHC = ("cuc-thue", "bao-hiem-xa-hoi", "so-tai-nguyen", "so-giao-thong", "so-tu-phap",
            "so-lao-dong", "so-ke-hoach", "van-phong-ubnd")
# Sector by stem keyword (first match): field, "Dân vận khéo" models, bright spots, sub-units.
SECTORS = [
    (("truong-",), "Giáo dục - đào tạo",
     ["hỗ trợ học sinh, sinh viên có hoàn cảnh khó khăn", "tư vấn tuyển sinh và giới thiệu việc làm cho người học"],
     ["Giảng viên, viên chức thân thiện, tận tụy với người học", "Một cửa điện tử trong giải quyết thủ tục cho người học"],
     ["Phòng Đào tạo", "Phòng Công tác học sinh, sinh viên", "Khoa Khoa học cơ bản"]),
    (("benh-vien", "so-y-te"), "Y tế",
     ["chăm sóc người bệnh: “Đón tiếp niềm nở, phục vụ tận tình”", "vận động hiến máu tình nguyện"],
     ["Cải tiến quy trình khám bệnh, giảm thời gian chờ của người bệnh", "Nhân viên y tế nói lời hay, làm việc tốt"],
     ["Khoa Khám bệnh", "Phòng Công tác xã hội", "Khoa Hồi sức tích cực"]),
    (("hoi-", "doan", "mttq", "lien-hiep", "lien-doan", "lien-minh"), "Công tác vận động quần chúng",
     ["vận động hội viên, đoàn viên tham gia xây dựng nông thôn mới", "vận động nguồn lực hỗ trợ hộ nghèo, gia đình chính sách"],
     ["Lắng nghe, tiếp thu ý kiến hội viên, đoàn viên ở cơ sở", "Cán bộ sát dân, hiểu dân, giúp dân"],
     ["Ban Tổ chức - Kiểm tra", "Ban Tuyên giáo", "Văn phòng"]),
    (("bao-nghe-an", "dai-phat-thanh", "nha-xuat-ban", "thong-tin"), "Thông tin - truyền thông",
     ["tuyên truyền gương người tốt, việc tốt", "tiếp nhận, phản hồi ý kiến bạn đọc, khán giả"],
     ["Tuyên truyền cải cách hành chính, chuyển đổi số", "Đường dây nóng tiếp nhận phản ánh của người dân"],
     ["Phòng Thời sự", "Phòng Biên tập", "Văn phòng"]),
    (("thue", "hai-quan", "kho-bac", "ngan-hang", "tai-chinh", "ke-hoach", "bao-hiem", "xuc-tien"),
     "Tài chính - ngân sách",
     ["hỗ trợ doanh nghiệp, người dân thực hiện thủ tục trên môi trường điện tử",
      "tuyên truyền, vận động thanh toán không dùng tiền mặt"],
     ["Đồng hành cùng doanh nghiệp", "Giải quyết hồ sơ đúng hẹn, không để tồn đọng"],
     ["Bộ phận Một cửa", "Phòng Hành chính - Quản trị", "Phòng Tuyên truyền và Hỗ trợ"]),
    (("qlda", "xay-dung", "giao-thong", "khu-kinh-te", "cong-thuong", "tai-nguyen"), "Đầu tư xây dựng, đất đai",
     ["vận động bồi thường, giải phóng mặt bằng", "đối thoại, tháo gỡ vướng mắc cho doanh nghiệp"],
     ["Công khai, minh bạch quy trình thẩm định, cấp phép", "Giải quyết dứt điểm kiến nghị về đất đai, môi trường"],
     ["Phòng Giải phóng mặt bằng", "Bộ phận Một cửa", "Phòng Kế hoạch - Tổng hợp"]),
    (("nong-nghiep", "rung", "pu-mat", "dan-toc"), "Nông nghiệp, nông thôn",
     ["vận động nhân dân vùng đệm tham gia bảo vệ rừng", "hỗ trợ đồng bào dân tộc thiểu số phát triển sinh kế"],
     ["Cán bộ bám cơ sở, đồng hành cùng nông dân", "Giải quyết kịp thời chính sách cho đồng bào vùng khó khăn"],
     ["Hạt Kiểm lâm", "Phòng Chính sách", "Văn phòng"]),
    ((), "Cải cách hành chính",
     ["giải quyết thủ tục hành chính theo cơ chế một cửa", "tiếp công dân, giải quyết kiến nghị của người dân"],
     ["Công chức thân thiện, nói không với phiền hà", "Số hóa hồ sơ, trả kết quả trực tuyến"],
     ["Văn phòng", "Bộ phận Một cửa", "Phòng Hành chính - Tổng hợp"]),
]
QUY_CHE_DAN_CHU = ["Hội nghị cán bộ, công chức, viên chức dân chủ, thực chất",
                   "Mỗi cán bộ, đảng viên một việc làm theo gương Bác",
                   "Công khai tài chính, tài sản công và chế độ của người lao động",
                   "Đối thoại định kỳ giữa người đứng đầu với cán bộ, người lao động"]
NAMES = {"nam": (["Văn", "Đình", "Hữu", "Xuân", "Quang", "Minh"], ["Hùng", "Tuấn", "Thành", "Dũng", "Sơn", "Hải", "Cường"]),
         "nu": (["Thị", "Thị Thu", "Thị Hồng", "Thị Minh"], ["Lan", "Hà", "Hương", "Nga", "Phương", "Trang", "Hằng"])}
SURNAMES = ["Nguyễn", "Trần", "Lê", "Hoàng", "Phan", "Hồ", "Đặng", "Võ", "Bùi", "Đinh"]
ROLES = ["Trưởng phòng", "Phó Chánh Văn phòng", "Chuyên viên", "Bí thư Chi đoàn", "Chủ tịch Công đoàn"]
GENERIC_HAN_CHE = ["Việc nhân rộng các mô hình “Dân vận khéo” còn chậm, chưa đồng đều.",
                   "Công tác tuyên truyền về các mô hình, điểm sáng dân vận chính quyền còn hạn chế.",
                   "Một số cán bộ, đảng viên chưa nhận thức đầy đủ về công tác dân vận chính quyền."]


def rng_for(label: str) -> random.Random:
    return random.Random(int.from_bytes(hashlib.sha256(label.encode()).digest()[:8], "big"))


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


@dataclass
class Unit:
    stem: str
    ten: str
    loai: str
    tthc: bool
    own: dict
    plan: tuple[int, date] | None  # (số, ngày) of its own plan; None: never issued
    sector: tuple = ()
    staff: int = 0
    volume: int = 0       # TTHC dossiers a year
    procedures: int = 0   # TTHC of the unit (to publish)
    models: dict[int, list[tuple[str, str]]] = field(default_factory=dict)  # year → (target, name)
    skip: frozenset = frozenset()  # model items that do not apply (khong_ap_dung)
    signer: str = ""      # its Bí thư (the profile's signer), named in commendations
    size: str = ""        # size class: a large đảng bộ (7 or more cấp ủy viên) as one with a Ban Thường vụ
    superior_2025: str = ""  # chu_the of its superior after the 2025 reorganisation (to-chuc.yaml)

    @property
    def org(self) -> str:
        return f"{'Chi bộ' if self.loai == 'chi_bo' else 'Đảng bộ'} {self.ten}"

    @property
    def cap_uy(self) -> str:
        return {"dang_bo_btv": "Ban Thường vụ Đảng ủy", "dang_bo": "Đảng ủy", "chi_bo": "Chi bộ"}[self.loai] + " " + self.ten


def size_class(p: dict) -> str:
    """How large a unit is, for its numbers: a đảng bộ with 7 or more cấp ủy viên is as large as
    one with a Ban Thường vụ (which needs 9: Điều lệ Đảng, Điều 22.5)."""
    return "dang_bo_btv" if p["loai"] == "dang_bo" and (p.get("so_cap_uy_vien") or 0) >= 7 else p["loai"]


def person(r: random.Random) -> str:
    middle, given = NAMES[r.choice(["nam", "nu"])]
    return f"{r.choice(SURNAMES)} {r.choice(middle)} {r.choice(given)}"


def load_units(ws: Path) -> list[Unit]:
    profiles = {f.stem: yaml.safe_load(nfc(f.read_text(encoding="utf-8"))) for f in sorted((ws / "don-vi").glob("*.yaml"))}
    # Drafts at first: no number yet, or issued late (after January 2022, the profile then
    # records the number and date it was issued with).
    late = date(2022, 1, 31)
    drafts = [s for s, p in profiles.items() if not p.get("so") or p["ngay"] > late]
    never = set(rng_for("khong-ban-hanh").sample(drafts, 2))
    bodies = yaml.safe_load((ws / "to-chuc.yaml").read_text(encoding="utf-8"))["co_quan"]
    units = []
    for stem, p in profiles.items():
        r = rng_for(f"{stem}/ho-so")
        if p.get("so") and p["ngay"] <= late:
            plan = (p["so"], p["ngay"])
        elif stem in never:
            plan = None
        else:  # a draft issued later, in 2022 or 2023
            lo, hi = {"chi_bo": (1, 12), "dang_bo": (5, 40), "dang_bo_btv": (20, 95)}[size_class(p)]
            start = max(p["ngay"], date(2022, 2, 1)) if r.random() < 0.5 else date(2023, 1, 16)
            plan = (r.randint(lo, hi), start + timedelta(days=r.randint(20, 120)))
            if p.get("so"):  # one fact, one place: the profile says when it was issued
                plan = (p["so"], p["ngay"])
        u = Unit(stem, p["ten"], p["loai"], "mt_cai_cach_hanh_chinh" not in p.get("khong_ap_dung", []),
                 p.get("chi_tieu") or {}, plan, skip=frozenset(p.get("khong_ap_dung", [])),
                 signer=p["nguoi_ky"]["ho_ten"], size=size_class(p))
        moves = [c["cap_tren"] for c in p.get("thay_doi", []) if c.get("cap_tren") and c["tu"].year <= 2025]
        u.superior_2025 = bodies[moves[-1] if moves else bodies["dang_uy_khoi"]["ke_nhiem"]]["chu_the"]
        u.sector = next(s for s in SECTORS if not s[0] or any(k in stem for k in s[0]))
        size = {"dang_bo_btv": (150, 700), "dang_bo": (60, 300), "chi_bo": (12, 45)}[u.size]
        u.staff = r.randint(*size) * (3 if "benh-vien" in stem else 1)
        if any(k in stem for k in BIG_TTHC):
            u.volume, u.procedures = r.randint(3000, 9000), r.randint(120, 280)
        else:
            u.volume, u.procedures = {"dang_bo_btv": (r.randint(400, 2500), r.randint(40, 150)),
                                      "dang_bo": (r.randint(80, 600), r.randint(10, 60)),
                                      "chi_bo": (r.randint(10, 80), r.randint(3, 20))}[u.size]
        units.append(u)
    return units


def choose_missing(units: list[Unit]) -> dict[int, set[str]]:
    pool = [u.stem for u in units]
    rng_for("thieu-bao-cao").shuffle(pool)
    twice, rest = pool[0], iter(pool[1:])
    missing = {y: {twice} if y in (2022, 2024) else set() for y in YEARS}
    for y in YEARS:
        while len(missing[y]) < MISSING_PER_YEAR[y]:
            missing[y].add(next(rest))
    return missing


def plan_models(units: list[Unit], missing: dict[int, set[str]]) -> None:
    """Spread each unit's models over the years it reports (0–2 a year)."""
    plain = [u.stem for u in units if not any(k in u.own for k in (DVK, DSCQ, DSQC))]
    none_at_all = set(rng_for("khong-mo-hinh").sample(plain, 2))
    for u in units:
        r = rng_for(f"{u.stem}/mo-hinh")
        years = [y for y in YEARS if u.stem not in missing[y]]
        if u.stem in none_at_all:
            continue
        linh_vuc, dvk, dscq = u.sector[1], u.sector[2], u.sector[3]
        wanted = []
        for ma, drop, names in ((DVK, 0.03, dvk), (DSCQ, 0.06, dscq), (DSQC, 0.08, QUY_CHE_DAN_CHU)):
            n = int(u.own.get(ma, 1))
            n = n - 1 if n > 1 and r.random() < 0.25 else 0 if r.random() < drop else n
            n = min(n + (r.random() < 0.12), len(names))
            for name in r.sample(names, n):
                text = (f"Mô hình “Dân vận khéo” trong {name}" if ma == DVK else
                        f"Điểm sáng “{name}”" if ma == DSCQ else f"Điểm sáng “{name}” gắn với thực hiện Chỉ thị 05")
                wanted.append((ma, text, "Thực hiện dân chủ ở cơ sở" if ma == DSQC else linh_vuc))
        for item in wanted:
            free = [y for y in years if len(u.models.get(y, [])) < 2]
            if free:
                y = r.choices(free, weights=[3 if y <= 2023 else 2 for y in free])[0]
                u.models.setdefault(y, []).append(item)


ACTIVITY_YEARS: dict[str, int] = {}  # activity id → the year it is due (from the model)


def unit_year(u: Unit, year: int, missing: dict[int, set[str]]) -> dict:
    r = rng_for(f"{u.stem}/{year}")
    issued = u.plan is not None and u.plan[1].year <= year
    out: dict = {"nam": year}
    if year in (2023, 2025):  # the last year of the sơ kết / tổng kết: the unit's own report's number
        lo, hi = {"chi_bo": (1, 12), "dang_bo": (5, 40), "dang_bo_btv": (20, 95)}[u.size]
        out["so_bao_cao"] = rng_for(f"{u.stem}/so-bao-cao/{year}").randint(lo, hi)
    out["ngay_bao_cao"] = date(year, 10 if year == 2025 else 11, r.randint(3, 25))
    # The unit's plan number and date are in its profile only (don-vi/), never restated here.
    k = YEARS.index(year)
    ct = {"cap_uy_co_ke_hoach": issued,
          "quan_triet_hang_nam": r.random() > [0.05, 0.02, 0.0, 0.0][k] + (0.1 if not issued and k == 0 else 0)}
    han_che, noi_bat = [], []
    if u.tthc:
        rate = min(1.0, [0.962, 0.976, 0.984, 0.988][k] + r.gauss(0, 0.008))
        own_rate = u.own.get("tthc_nhanh_dung_hieu_qua")
        if own_rate and r.random() < 0.85:
            rate = max(rate, own_rate / 100)
        tong = round(u.volume * (1 + 0.05 * k) * r.uniform(0.9, 1.1))
        dat = min(tong, round(tong * rate))
        hl = min(99.0, max(85.0, r.gauss([92.5, 93.2, 94.0, 94.6][k], 2.0)))
        own_hl = u.own.get("hai_long_tthc")
        if own_hl and r.random() < 0.85:
            hl = max(hl, min(99.0, own_hl + r.uniform(0.2, 3.0)))
        hl = round(hl, 1)
        published = u.procedures + r.randint(0, 4)
        unpublished = r.randint(1, 3) if r.random() < [0.12, 0.06, 0.03, 0.0][k] else 0
        ct["tthc_nhanh_dung_hieu_qua"] = {"dat": dat, "tong": tong}
        ct["hai_long_tthc"] = hl
        ct["tthc_cong_khai"] = {"dat": published - unpublished, "tong": published}
        noi_bat.append(f"Giải quyết đúng hạn {so(dat)}/{so(tong)} hồ sơ thủ tục hành chính "
                       f"({phan_tram(100 * dat / tong)}); mức độ hài lòng của người dân, doanh nghiệp đạt {phan_tram(hl)}.")
        if dat / tong < max(0.98, (own_rate or 0) / 100):
            han_che.append(f"Còn {so(tong - dat)} hồ sơ thủ tục hành chính giải quyết quá hạn.")
        if hl <= 90 or own_hl and hl < own_hl:
            han_che.append("Mức độ hài lòng của người dân, doanh nghiệp về giải quyết thủ tục hành chính chưa đạt chỉ tiêu đề ra.")
        if unpublished:
            han_che.append(f"Còn {unpublished} thủ tục hành chính chưa được cập nhật, công khai kịp thời.")
    ct["quy_che_dan_van"] = year > 2022 or r.random() > (0.5 if not issued else 0.08)
    ct["so_ket_khen_thuong"] = r.random() > [0.06, 0.0, 0.03, 0.0][k]
    out["chi_tieu"] = ct
    if u.models.get(year):
        out["mo_hinh"] = [{"ten": t, "chi_tieu": ma, "linh_vuc": lv} for ma, t, lv in u.models[year]]
        noi_bat.insert(0, f"Xây dựng {u.models[year][0][1][0].lower()}{u.models[year][0][1][1:]}, "
                          "được cán bộ, người dân đồng tình, hưởng ứng.")
    if ct["quan_triet_hang_nam"]:
        total = round(u.staff * r.uniform(0.95, 1.08))
        out["quan_triet"] = {"so_buoi": r.choice([1, 1, 2] if u.loai == "chi_bo" else [1, 2, 2, 3]),
                             "so_nguoi_du": round(total * r.uniform(0.9, 1.0)), "tong_so_nguoi": total}
        noi_bat.append(f"Tổ chức quán triệt các chỉ thị, nghị quyết về công tác dân vận và học tập bài báo "
                       f"“Dân vận” của Bác Hồ cho {so(out['quan_triet']['so_nguoi_du'])}/{so(total)} cán bộ, đảng viên, người lao động.")
    else:
        han_che.insert(0, "Chưa tổ chức quán triệt các chỉ thị, nghị quyết về công tác dân vận trong năm.")
    classes = 2 if int(u.own.get("lop_tap_huan", 1)) >= 2 and r.random() < 0.85 else r.choices([0, 1, 2], [15, 75, 10])[0]
    if classes:
        out["tap_huan"] = {"so_buoi": classes, "so_nguoi_du": max(8, round(u.staff * r.uniform(0.1, 0.35)))}
    if ct["so_ket_khen_thuong"]:
        awards = []
        for _ in range(r.choice([0, 0, 1, 2] if year != 2023 else [1, 2])):
            tap_the = r.random() < 0.6
            awards.append({"ten": r.choice(u.sector[4]) if tap_the else f"Đồng chí {person(r)}, {r.choice(ROLES)}",
                           "loai": "tap_the" if tap_the else "ca_nhan",
                           "thanh_tich": f"Có thành tích tiêu biểu trong thực hiện công tác dân vận chính quyền năm {year}",
                           "hinh_thuc": f"{'Biểu dương' if u.loai == 'chi_bo' else 'Giấy khen'} của {u.cap_uy}"})
        if year == 2025 and r.random() < 0.1:
            awards.append({"ten": r.choice(u.sector[4]), "loai": "tap_the",
                           "thanh_tich": "Có thành tích tiêu biểu trong thực hiện Đề án 04 giai đoạn 2021 - 2025",
                           "hinh_thuc": f"Giấy khen của {u.superior_2025}", "de_nghi": True})
        out["khen_thuong"] = awards
    else:
        han_che.append("Chưa kịp thời sơ kết, biểu dương, khen thưởng tập thể, cá nhân thực hiện tốt công tác dân vận chính quyền.")
    if not issued:
        han_che.insert(0, "Cấp ủy chưa ban hành kế hoạch thực hiện Đề án 04.")
    if not han_che and r.random() < 0.25:
        han_che.append(r.choice(GENERIC_HAN_CHE))
    out["ket_qua_noi_bat"] = noi_bat[:2] if noi_bat else ["Duy trì nền nếp thực hiện Quy chế dân chủ ở cơ sở."]
    if u.tthc and dat / tong < max(0.98, (own_rate or 0) / 100):
        # Dossiers handled on time below the target are no highlight (they are a shortcoming).
        out["ket_qua_noi_bat"] = [t for t in out["ket_qua_noi_bat"] if not t.startswith("Giải quyết đúng hạn ")]
    out["han_che"] = han_che[:1]
    # Timeline activities of the model due this year, most of them done (kehoach status).
    out["hoan_thanh"] = [ma for ma, due in ACTIVITY_YEARS.items()
                         if due == year and ma not in u.skip and r.random() < 0.93]
    return {k: v for k, v in out.items() if v != [] and v != {}}


# Office whole-body figures: provincial ranks (of 63), SIPAS rank, classes the office held.
RANKS = {2021: (20, 25, 30, 38), 2022: (17, 22, 28, 37), 2023: (16, 17, 23, 35),
         2024: (13, 15, 19, 35), 2025: (12, 14, 16, 33)}
CLASSES = {2022: (2, 236), 2023: (1, 128), 2024: (2, 251), 2025: (3, 342)}


def office_year(year: int, units: list[Unit], reports: dict[str, dict]) -> dict:
    r = rng_for(f"toan-khoi/{year}")
    par, papi, pci, sipas = RANKS[year]
    out: dict = {"nam": year, "ngay_bao_cao": date(year, 11 if year == 2025 else 12, r.randint(10, 25)),
                 "chi_tieu": {"par_index": par, "papi": papi, "pci": pci, "sipas": sipas}}
    if year == 2021:
        out["ket_qua_noi_bat"] = ["Ban Thường vụ Đảng ủy Khối ban hành Kế hoạch số 44-KH/ĐUK, ngày 10/12/2021 "
                                  "triển khai thực hiện Đề án 04 của Ban Thường vụ Tỉnh ủy."]
        out["han_che"] = ["Năm 2021: Chỉ số PAR INDEX, PAPI, PCI của tỉnh chưa nằm trong nhóm 15 tỉnh, thành phố đứng đầu."]
        return out
    n, people = CLASSES[year]
    out["chi_tieu"]["lop_tap_huan"] = n
    out["tap_huan"] = {"so_buoi": n, "so_nguoi_du": people}
    issued = sum(1 for u in units if u.plan and u.plan[1].year <= year)
    models = sum(len(rep.get("mo_hinh", [])) for rep in reports.values())
    noi_bat = [
        f"{so(issued)}/{so(len(units))} tổ chức cơ sở đảng đã ban hành kế hoạch thực hiện Đề án 04; "
        f"trong năm xây dựng {so(models)} mô hình “Dân vận khéo”, điểm sáng dân vận chính quyền.",
        f"Tổ chức {so_dem(n)} lớp tập huấn nghiệp vụ công tác dân vận cho {so(people)} lượt cán bộ phụ trách công tác dân vận."]
    han_che = ["Một số tổ chức cơ sở đảng báo cáo chậm; việc nhân rộng mô hình, điểm sáng chưa đồng đều."
                      if year < 2025 else "Chỉ số PCI của tỉnh chưa vào nhóm 15 tỉnh, thành phố đứng đầu cả nước."]
    if year in (2023, 2025):
        best = sorted(units, key=lambda u: (-sum(len(u.models.get(y, [])) for y in YEARS if y <= year),
                                            rng_for(f"{u.stem}/khen/{year}").random()))
        period = "qua 02 năm thực hiện Đề án 04 (2022 - 2023)" if year == 2023 else \
            "trong thực hiện Đề án 04 giai đoạn 2021 - 2025"
        # The office's body on the report's date (Đảng ủy Khối ended 12/02/2025; to-chuc.yaml).
        office = "Ban Thường vụ Đảng ủy Khối" if year < 2025 else "Ban Thường vụ Đảng ủy Ủy ban nhân dân tỉnh"
        awards = [{"ten": u.org, "loai": "tap_the", "thanh_tich": f"Có thành tích tiêu biểu {period}",
                   "hinh_thuc": f"Giấy khen của {office}"} for u in best[:3 if year == 2023 else 5]]
        if year == 2025:
            awards += [{"ten": u.org, "loai": "tap_the", "thanh_tich": "Có thành tích xuất sắc thực hiện Đề án 04 giai đoạn 2021 - 2025",
                        "hinh_thuc": "Bằng khen của Ban Thường vụ Tỉnh ủy", "de_nghi": True} for u in best[:2]]
            person(r)  # keeps the draws of the later years as they were
            awards.append({"ten": f"Đồng chí {best[2].signer}, Bí thư {best[2].cap_uy.removeprefix('Ban Thường vụ ')}",
                           "loai": "ca_nhan", "thanh_tich": "Có thành tích xuất sắc thực hiện Đề án 04 giai đoạn 2021 - 2025",
                           "hinh_thuc": "Bằng khen của Ban Thường vụ Tỉnh ủy", "de_nghi": True})
        out["khen_thuong"] = awards
    out["ket_qua_noi_bat"], out["han_che"] = noi_bat, han_che
    return out


def scalar(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return f"{v:.1f}"
    if isinstance(v, (int, date)):
        return str(v) if isinstance(v, int) else v.isoformat()
    return v if re.fullmatch(r"[a-z_]+", v) else json.dumps(v, ensure_ascii=False)


def flow(d: dict) -> str:
    return "{" + ", ".join(f"{k}: {scalar(v)}" for k, v in d.items()) + "}"


def dump(comment: str, data: dict) -> str:
    lines = [f"# {comment}"]
    for key, value in data.items():
        if key == "chi_tieu":
            lines.append("chi_tieu:")
            lines += [f"  {k}: {flow(v) if isinstance(v, dict) else scalar(v)}" for k, v in value.items()]
        elif key == "mo_hinh":
            lines.append("mo_hinh:")
            for m in value:
                lines += [f"  - ten: {scalar(m['ten'])}", f"    chi_tieu: {m['chi_tieu']}", f"    linh_vuc: {m['linh_vuc']}"]
        elif isinstance(value, dict):
            lines.append(f"{key}: {flow(value)}")
        elif isinstance(value, list):
            lines.append(f"{key}:")
            lines += [f"  - {flow(v) if isinstance(v, dict) else scalar(v)}" for v in value]
        else:
            lines.append(f"{key}: {scalar(value)}")
    return nfc("\n".join(lines) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workspace", default=ROOT / "data/de-an-04", type=Path)
    ws = ap.parse_args().workspace
    model = yaml.safe_load((ws / "khung-don-vi.yaml").read_text(encoding="utf-8"))
    ACTIVITY_YEARS.update({a["ma"]: int(str(a["han"])[-4:]) for y in model["lo_trinh"] for a in y["hoat_dong"]
                           if a.get("han") and a["ma"] != "hd_xay_dung_ke_hoach"})
    units = load_units(ws)
    missing = choose_missing(units)
    plan_models(units, missing)
    out_dir = ws / "ket-qua"
    for old in out_dir.glob("20*/*.yaml"):
        old.unlink()
    for year in [2021, *YEARS]:
        (out_dir / str(year)).mkdir(parents=True, exist_ok=True)
        reports = {}
        for u in units if year in YEARS else []:
            if u.stem not in missing[year]:
                reports[u.stem] = unit_year(u, year, missing)
                (out_dir / str(year) / f"{u.stem}.yaml").write_text(
                    dump(f"{u.ten} — kết quả năm {year}", reports[u.stem]), encoding="utf-8")
        label = "năm gốc 2021" if year == 2021 else f"kết quả năm {year}"
        (out_dir / str(year) / "toan-khoi.yaml").write_text(
            dump(f"Văn phòng Đảng ủy Khối — số liệu toàn Khối, {label}",
                 office_year(year, units, reports)), encoding="utf-8")
    for y in YEARS:
        print(f"{y}: thiếu báo cáo {', '.join(sorted(missing[y]))}")
    print("Chưa ban hành kế hoạch:", ", ".join(u.stem for u in units if u.plan is None))


if __name__ == "__main__":
    main()

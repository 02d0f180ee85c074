"""One verdict rule (Vượt / Đạt / Chưa đạt) for every comparator.

A target accepts some values (≥ 98: 98 and above; > 90: above 90; = 100: 100 only; ≤ 5: 5 and
below; top 15: ranks 1 to 15; tăng 1-2 bậc: gains from 1). The verdict of an achieved value,
already rounded as printed:

- Chưa đạt: the target does not accept it;
- Vượt: it is accepted and strictly better than the target's far bound (above the value, or
  the range's upper end, when more is better; below it when less is better: ≤, top N);
- Đạt: it is accepted and not better than that bound (exactly 98 for ≥ 98, 15 for top 15,
  1 or 2 for tăng 1-2 bậc; always for "=").

So "> 90%" with 93,9% is Vượt, as "≥ 98%" with 98,4% is. A target set for every year is Đạt
over a period only if every year with figures is: the worst year decides (`worst`).
"""

from __future__ import annotations

from decimal import Decimal

VUOT, DAT, CHUA_DAT = "Vượt", "Đạt", "Chưa đạt"
LOWER_IS_BETTER = ("<=", "top")


def verdict(so_sanh: str, goal: Decimal | float, achieved: Decimal, goal_to: Decimal | float | None = None) -> str:
    goal = Decimal(str(goal))
    far = Decimal(str(goal_to)) if goal_to is not None else goal
    if so_sanh in LOWER_IS_BETTER:
        accepted = achieved <= goal
        better = achieved < goal
    elif so_sanh == "=":
        accepted, better = achieved == goal, False
    elif so_sanh == ">":
        accepted = achieved > goal
        better = achieved > far
    else:  # ">=", "tang_bac"
        accepted = achieved >= goal
        better = achieved > far
    if not accepted:
        return CHUA_DAT
    return VUOT if better else DAT


def worst(verdicts: list[str | None]) -> str | None:
    """Over several years: Chưa đạt if any year is, Vượt if every year is, else Đạt."""
    found = [v for v in verdicts if v is not None]
    if not found:
        return None
    if CHUA_DAT in found:
        return CHUA_DAT
    return VUOT if all(v == VUOT for v in found) else DAT


WORDS = {VUOT: "vượt", DAT: "đạt", CHUA_DAT: "chưa đạt"}

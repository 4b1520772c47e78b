"""Which column of HR's staff list is which field: headers as 人事給与 systems really write them.

Each field has its own header (職員番号, 氏名, 所属局, 所属部, 所属課, 役職, 役職区分) and aliases in tiers: the
field's own header first, then the usual synonyms, then weaker ones (役職: 役職名 / 職名 / 職位, then 職階 / 職). When
several columns could be one field, the column in the best tier is used and the others are left alone (and said
so in a note); two columns in that same tier are genuinely ambiguous and get a message naming the columns and
the header to give the one to use. 役職 (the title, e.g. 課長) and 役職区分 (the class the tracks use, 幹部 / 一般)
are different fields: a file may have either or both.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    """One field of the roster: its key, its own (Japanese) header and alias tiers (normalised, best first)."""

    key: str
    header: str
    tiers: tuple[tuple[str, ...], ...]

    @property
    def aliases(self) -> tuple[str, ...]:
        return tuple(a for tier in self.tiers for a in tier)

    def tier(self, norm: str) -> int | None:
        """0 for the field's own header, then 1, 2 … for weaker aliases; None when ``norm`` is not one of them."""
        for rank, tier in enumerate(self.tiers):
            if norm in tier:
                return rank
        return None


FIELDS: tuple[Field, ...] = (
    Field("staff_id", "職員番号", (("職員番号",), ("職員id", "職員コード", "職員no", "職員no.", "staff_id", "staffid"),
                                  ("id",))),
    Field("name", "氏名", (("氏名",), ("職員氏名", "漢字氏名", "名前", "name"))),
    Field("bureau", "所属局", (("所属局",), ("局", "局名", "局等", "局等名", "bureau"))),
    Field("division", "所属部", (("所属部",), ("部", "部名", "部等", "部等名", "division"))),
    Field("section", "所属課", (("所属課",), ("課", "課名", "課等", "課等名", "section"), ("所属", "所属名"))),
    Field("title", "役職", (("役職",), ("役職名", "職名", "職位", "title"), ("職階", "職"))),
    Field("role", "役職区分", (("役職区分",), ("区分", "role"))),
)
BY_KEY = {f.key: f for f in FIELDS}
ALIASES = {a for f in FIELDS for a in f.aliases}
REQUIRED = ("staff_id", "name", "bureau", "section")  # and 役職 or 役職区分; 所属部 may be absent or empty


def norm_header(text: object) -> str:
    """A header as compared: NFKC, no spaces, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or ""))).lower()


@dataclass
class ColumnMap:
    """field key → 0-based column index; ``headers`` the file's header texts; ``problems`` / ``notes`` in Japanese."""

    columns: dict[str, int]
    headers: list[str]
    problems: list[str]
    notes: list[str]

    def header_of(self, key: str) -> str:
        return self.headers[self.columns[key]]

    def describe(self, key: str) -> str:
        """「N 列目「見出し」」 for the column read as ``key``."""
        return f"{self.columns[key] + 1} 列目「{self.header_of(key)}」"


def _where(col: int, headers: list[str]) -> str:
    return f"{col + 1} 列目「{headers[col]}」"


def map_columns(headers: list[str]) -> ColumnMap:
    """Match the header row to the fields (see the module docstring)."""
    candidates: dict[str, list[tuple[int, int]]] = {}  # key -> [(tier, column)]
    for col, text in enumerate(headers):
        norm = norm_header(text)
        for f in FIELDS:
            rank = f.tier(norm)
            if rank is not None:
                candidates.setdefault(f.key, []).append((rank, col))
                break
    columns: dict[str, int] = {}
    problems: list[str] = []
    notes: list[str] = []
    for f in FIELDS:
        found = sorted(candidates.get(f.key, []))
        if not found:
            continue
        best = [col for rank, col in found if rank == found[0][0]]
        if len(best) == 1:
            columns[f.key] = best[0]
            others = [col for _, col in found[1:]]
            if others:
                notes.append(f"{'、'.join(_where(c, headers) for c in others)}は使いません（{f.header}は "
                             f"{_where(best[0], headers)}を使います）。逆にしたいときは、使いたい列の見出しを「{f.header}」に"
                             "変えてください。")
            continue
        places = "、".join(_where(c, headers) for c in best)
        if found[0][0] == 0:
            problems.append(f"見出しが「{f.header}」の列が {len(best)} つあります（{places}）。どちらを使うか決められません。"
                            f"使わない列の見出しを「{f.header}（旧）」のように変えるか、列を削除してください。")
        else:
            problems.append(f"「{f.header}」として読める列が {len(best)} つあります（{places}）。どちらを使うか決められません。"
                            f"{f.header}として使う列の見出しを「{f.header}」に変えてください（もう一方はそのままで構いません。"
                            f"見出しが「{f.header}」の列があれば、その列を使います）。")
    missing = [BY_KEY[k].header for k in REQUIRED if k not in columns]
    if "title" not in columns and "role" not in columns:
        missing.append("役職（または役職区分）")
    if missing:
        shown = "、".join(h for h in headers if h) or "（空）"
        problems.append(f"必要な列がありません: {'、'.join(missing)}。見出しは 職員番号, 氏名, 所属局, 所属部, 所属課, "
                        f"役職（課長・主事などの役職名。幹部・一般の区分なら 役職区分。両方あっても構いません）にしてください"
                        f"（英語なら staff_id, name, bureau, division, section, title / role）。いまの見出し: {shown}")
    return ColumnMap(columns, headers, problems, notes)

"""The one rule for 職員番号 (staff ids), shared by the roster, ``aidojo submit``, ``collect`` and records.

Full-width characters become half-width (NFKC), dash look-alikes become ``-``, surrounding spaces go, and
the id stays text: leading zeros are kept (``000123`` is never ``123``). Allowed: ASCII letters, digits,
``_`` and ``-``, starting with a letter or digit, at most 32 characters — what a file name, a zip entry, a
JupyterHub user name and nbgrader's student id all accept.

A spreadsheet cell holding a number is read through its number format (:func:`staff_id_from_cell`): Excel shows
the number 123 formatted ``000000`` as ``000123``, and that is the id. Ids that differ only in leading zeros are
one person split in two (:func:`same_but_leading_zeros`, :func:`leading_zero_clashes`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable

STAFF_ID_MAX = 32
STAFF_ID_RE = re.compile(rf"^[A-Za-z0-9][A-Za-z0-9_-]{{0,{STAFF_ID_MAX - 1}}}$")
_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−ｰー－﹣"), "-")
# Excel number formats that only pad digits: 000000, "K"00000, \K00000, 0 (optionally with ;-sections after)
_LITERAL = r'(?:"[^"]*"|\\.)'
_PADDING_FORMAT = re.compile(rf"^({_LITERAL}*)(0+|#*0+)({_LITERAL}*)(?:;.*)?$")


class StaffIdError(ValueError):
    """A value that is not a usable 職員番号 (the message is Japanese and names the value)."""


def normalize_staff_id(raw: object) -> str:
    """``raw`` as a canonical staff id, or :class:`StaffIdError`.

    Numbers are refused rather than guessed: a spreadsheet cell holding the number 123 must be read through
    its number format by the caller (``000123``; see :func:`staff_id_from_cell`), because only the caller knows
    that format.
    """
    if isinstance(raw, bool) or not isinstance(raw, str):
        raise StaffIdError(f"職員番号「{raw}」が文字列ではありません（数値として読むと先頭の0が消えます）。")
    text = unicodedata.normalize("NFKC", raw).translate(_DASHES).strip()
    if not text:
        raise StaffIdError("職員番号が空です。")
    if not STAFF_ID_RE.match(text):
        raise StaffIdError(f"職員番号「{text}」は使えません（半角英数字と - _ で{STAFF_ID_MAX}文字まで、先頭は英数字。例: k12345）。")
    return text


def is_staff_id(raw: object) -> bool:
    """True when ``raw`` normalises to a valid staff id."""
    try:
        normalize_staff_id(raw)
    except StaffIdError:
        return False
    return True


def _unquote(literal: str) -> str:
    return "".join(part[1:-1] if part.startswith('"') else part[1:]
                   for part in re.findall(_LITERAL, literal))


def staff_id_from_cell(value: object, number_format: str | None = None) -> str:
    """A spreadsheet cell as a canonical staff id, reading a number through its display format.

    ``123`` formatted ``000000`` is ``000123``; formatted ``"K"00000`` it is ``K00123``; formatted ``General`` it is
    ``123`` (Excel shows no zeros, and neither can we). Text cells go through :func:`normalize_staff_id`. A number
    with a fraction or a format that is not plain digit padding is refused (:class:`StaffIdError`).
    """
    if isinstance(value, bool) or value is None:
        return normalize_staff_id(value if value is not None else "")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not value.is_integer() or value < 0:
            raise StaffIdError(f"職員番号「{value}」は整数ではありません。セルの書式を「文字列」にして入力し直してください。")
        number = int(value)
        fmt = (number_format or "General").strip()
        if fmt in ("", "General", "@", "0"):
            return normalize_staff_id(str(number))
        match = _PADDING_FORMAT.match(fmt)
        if not match:
            raise StaffIdError(f"職員番号「{number}」のセルの表示形式「{fmt}」を読めません。"
                               "セルの書式を「文字列」にして入力し直してください。")
        prefix, digits, suffix = match.groups()
        return normalize_staff_id(f"{_unquote(prefix)}{number:0{digits.count('0')}d}{_unquote(suffix)}")
    return normalize_staff_id(value)


def same_but_leading_zeros(a: str, b: str) -> bool:
    """``a`` and ``b`` differ only in leading zeros (``000123`` vs ``123``): one person split in two."""
    return a != b and a.lstrip("0") == b.lstrip("0") and bool(a.lstrip("0"))


def leading_zero_clashes(new: Iterable[str], existing: Iterable[str]) -> list[tuple[str, str]]:
    """Pairs (new id, existing id) that are the same but for leading zeros, sorted (linear time)."""
    by_core: dict[str, set[str]] = defaultdict(set)
    for sid in existing:
        if sid.lstrip("0"):
            by_core[sid.lstrip("0")].add(sid)
    out = set()
    for sid in new:
        for other in by_core.get(sid.lstrip("0"), ()):
            if other != sid:
                out.add((sid, other))
    return sorted(out)


def unix_account_name(staff_id: str) -> str:
    """The Unix account of a staff member on a one-account-per-person server: lower case (Debian's NAME_REGEX),
    ``s`` before a leading digit. Shared by the hub's spawner and ``collect``'s check of who owns a submission."""
    name = staff_id.lower()
    return name if name[:1].isalpha() else "s" + name

"""The one rule for 職員番号 (staff ids), shared by the roster, ``aidojo submit``, ``collect`` and records.

Full-width characters become half-width (NFKC), dash look-alikes become ``-``, surrounding spaces go, and
the id stays text: leading zeros are kept (``000123`` is never ``123``). Allowed: ASCII letters, digits,
``_`` and ``-``, starting with a letter or digit, at most 32 characters — what a file name, a zip entry, a
JupyterHub user name and nbgrader's student id all accept.
"""

from __future__ import annotations

import re
import unicodedata

STAFF_ID_MAX = 32
STAFF_ID_RE = re.compile(rf"^[A-Za-z0-9][A-Za-z0-9_-]{{0,{STAFF_ID_MAX - 1}}}$")
_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−ｰー－﹣"), "-")


class StaffIdError(ValueError):
    """A value that is not a usable 職員番号 (the message is Japanese and names the value)."""


def normalize_staff_id(raw: object) -> str:
    """``raw`` as a canonical staff id, or :class:`StaffIdError`.

    Numbers are refused rather than guessed: a spreadsheet cell holding the number 123 must be read through
    its number format by the caller (``000123``), because only the caller knows that format.
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


def same_but_leading_zeros(a: str, b: str) -> bool:
    """``a`` and ``b`` differ only in leading zeros (``000123`` vs ``123``): one person split in two."""
    return a != b and a.lstrip("0") == b.lstrip("0") and bool(a.lstrip("0"))


def unix_account_name(staff_id: str) -> str:
    """The Unix account of a staff member on a one-account-per-person server: lower case (Debian's NAME_REGEX),
    ``s`` before a leading digit. Shared by the hub's spawner and ``collect``'s check of who owns a submission."""
    name = staff_id.lower()
    return name if name[:1].isalpha() else "s" + name

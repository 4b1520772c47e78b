"""Who handed a submission in: the one identity rule shared by ``aidojo submit`` and ``aidojo collect``.

A submission names its staff id in several places: the zip's file name (``k12345_m01.zip``), the folder it
sits in (``k12345/m01/``), the manifest written by ``aidojo submit``, the notebook's own metadata
(``metadata.aidojo.staff_id``) and, on JupyterHub, the exchange's student folder (the hub login). Every place
that names an id must name the same one after :func:`aidojo.text.staff_id.normalize_staff_id` (full-width to
half-width, leading zeros kept); which places a kind of submission must have is decided by the caller.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from aidojo.text.staff_id import StaffIdError, normalize_staff_id, same_but_leading_zeros

METADATA_KEY = "aidojo"  # notebook metadata: {"aidojo": {"staff_id": "k12345", "module": "m01"}}

# What browsers, Explorer and Finder add to a copied or re-downloaded file's name.
_COPY_SUFFIX = re.compile(r"(?:\s*\(\d{1,3}\)|\s*-\s*(?:コピー|copy)|\s+\d{1,3}|\s*のコピー|\s*copy)$", re.IGNORECASE)


class IdentityError(ValueError):
    """The places that name the submitter disagree or name no usable id (``code`` stable, message Japanese)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Claim:
    """One place that names the submitter: ``where`` in Japanese (「ファイル名 k12345_m01.zip」), ``raw`` as written."""

    where: str
    raw: str


def notebook_staff_id(nb: dict) -> str | None:
    """The staff id written into a notebook's metadata by ``aidojo submit`` (None when there is none)."""
    meta = nb.get("metadata")
    ours = meta.get(METADATA_KEY) if isinstance(meta, dict) else None
    value = ours.get("staff_id") if isinstance(ours, dict) else None
    return value if isinstance(value, str) else None if value is None else str(value)


def stamp_notebook(nb: dict, staff_id: str, module: str) -> dict:
    """Write ``staff_id`` and ``module`` into the notebook's metadata (in place; returns ``nb``)."""
    meta = nb.setdefault("metadata", {})
    ours = meta.get(METADATA_KEY)
    meta[METADATA_KEY] = {**(ours if isinstance(ours, dict) else {}), "staff_id": staff_id, "module": module}
    return nb


def staff_id_in_name(file_name: str, module: str) -> str | None:
    """The staff id a file or folder name gives for ``module`` (``k12345_m01.zip``, ``ｋ１２３４５_m01 (1).zip``), as
    read (NFKC: full-width letters become half-width); None when the name does not have that form."""
    stem = unicodedata.normalize("NFKC", file_name).strip()
    if stem.lower().endswith(".zip"):
        stem = stem[:-4]
    while True:
        shorter = _COPY_SUFFIX.sub("", stem).strip()
        if shorter == stem:
            break
        stem = shorter
    m = re.fullmatch(r"(.+?)[_\- ]" + re.escape(module), stem, flags=re.IGNORECASE)
    return m.group(1) if m else None


def resolve_identity(claims: list[Claim]) -> str:
    """The one staff id every claim names (normalised), or :class:`IdentityError` naming each place and value."""
    if not claims:
        raise IdentityError("id_missing", "職員番号がどこにも書かれていないため、だれの提出か分かりません")
    ids: list[tuple[Claim, str]] = []
    for claim in claims:
        try:
            ids.append((claim, normalize_staff_id(claim.raw)))
        except StaffIdError as exc:
            raise IdentityError("bad_staff_id", f"{claim.where}の職員番号が正しくありません: {exc}") from None
    distinct = list(dict.fromkeys(sid for _, sid in ids))
    if len(distinct) == 1:
        return distinct[0]
    said = "、".join(f"{c.where}は「{sid}」" for c, sid in ids)
    hint = ""
    if len(distinct) == 2 and same_but_leading_zeros(*distinct):
        hint = "（先頭の0が落ちていませんか）"
    raise IdentityError("id_mismatch", f"提出者が一致しません: {said}{hint}。本人の提出と確かめられないため受け付けませんでした")

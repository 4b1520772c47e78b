"""What HR's file really is, read honestly: the kind from its bytes (not its name), the text encoding, and
half-width kana made full-width.

Hand-written because the general detectors (chardet, charset-normalizer) guess on short Japanese text, while a
roster needs a yes/no answer with a reason: UTF-8 when it decodes strictly; else Shift_JIS (Excel's cp932) or
EUC-JP, whichever reads as natural Japanese; and a refusal when the only reading is implausible half-width kana
(the tell-tale of EUC-JP or other bytes read as Shift_JIS).
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

HALFWIDTH_KANA = re.compile(r"[\uff61-\uff9f]+")
_TAKES_DAKUTEN = set("ｳｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾊﾋﾌﾍﾎﾜｦ")
_TAKES_HANDAKUTEN = set("ﾊﾋﾌﾍﾎ")
_NEVER_FIRST = set("ﾞﾟｧｨｩｪｫｬｭｮｯｰ")


class FileKindError(ValueError):
    """The file is not something a roster can be read from (Japanese message)."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # what it was read as, for the import summary: UTF-8, UTF-8（BOM付き）, Shift_JIS（cp932）, EUC-JP


def file_kind(data: bytes, label: str) -> str:
    """``"xlsx"`` or ``"csv"`` from the bytes; anything else is refused with what it is and what to do."""
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            raise FileKindError(f"{label}: Excel（.xlsx）ファイルとして開けません（ファイルが壊れています）。"
                                "Excel で開けるか確認し、保存し直してください。") from None
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "mimetype" in names and any(n.startswith("content.xml") for n in names):
            raise FileKindError(f"{label}: OpenDocument（.ods）の表計算ファイルです。Excel 形式（.xlsx）か CSV で保存し直してください。")
        if "word/document.xml" in names:
            raise FileKindError(f"{label}: Word の文書です。名簿は Excel（.xlsx）か CSV で用意してください。")
        raise FileKindError(f"{label}: ZIP ファイルで、中に Excel のシートがありません。Excel（.xlsx）か CSV を指定してください。")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileKindError(f"{label}: 古い Excel 形式（.xls）か、パスワード付きの Excel ファイルです。読めません。"
                            "パスワードを外し、Excel で .xlsx か CSV で保存し直してください。")
    if data.startswith(b"%PDF"):
        raise FileKindError(f"{label}: PDF ファイルです。名簿は Excel（.xlsx）か CSV で用意してください。")
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<") and (b"<html" in head or b"<table" in head or b"<?xml" in head):
        raise FileKindError(f"{label}: Web ページ（HTML/XML）形式です（拡張子が .xls でも中身は Excel ではありません）。"
                            "Excel で開いて .xlsx か CSV で保存し直してください。")
    return "csv"


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def implausible_kana(text: str) -> str | None:
    """The first half-width-kana run no Japanese text would contain (e.g. starting with ﾞ, ﾟ after ｶ), or None."""
    for match in HALFWIDTH_KANA.finditer(text):
        run = match.group()
        if run[0] in _NEVER_FIRST and not (len(run) == 1 and run == "ｰ"):
            return run
        for before, mark in zip(run, run[1:]):
            if (mark == "ﾞ" and before not in _TAKES_DAKUTEN) or (mark == "ﾟ" and before not in _TAKES_HANDAKUTEN):
                return run
    if any("\ue000" <= ch <= "\uf8ff" for ch in text):  # user-defined area: bytes that were never Shift_JIS text
        return next(ch for ch in text if "\ue000" <= ch <= "\uf8ff")
    return None


def _natural_share(text: str) -> float:
    """Share of the non-ASCII characters that are kana, Japanese punctuation or everyday (JIS level 1) kanji."""
    counts: dict[str, int] = {}
    for ch in text:
        if ord(ch) > 0x7F:
            counts[ch] = counts.get(ch, 0) + 1
    total = sum(counts.values())
    if not total:
        return 1.0
    natural = 0
    for ch, n in counts.items():
        if "\u3000" <= ch <= "\u30ff" or "\uff01" <= ch <= "\uff5e":
            natural += n
        elif "\u4e00" <= ch <= "\u9fff":
            try:
                if 0xB0 <= ch.encode("euc_jp")[0] <= 0xCF:
                    natural += n
            except UnicodeEncodeError:
                pass
    return natural / total


def decode_text(data: bytes, label: str) -> Decoded:
    """Decode a text file honestly (see the module docstring); FileKindError names the problem and line."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return Decoded(data[3:].decode("utf-8"), "UTF-8（BOM付き）")
        except UnicodeDecodeError as exc:
            raise FileKindError(f"{label} の {_line_of(data, exc.start + 3)} 行目: UTF-8（BOM付き）として読めない文字があります。"
                                "ファイルが壊れていないか確認してください。") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileKindError(f"{label}: UTF-16 のファイル（Excel の「Unicode テキスト」）は読めません。"
                            "Excel で「CSV UTF-8（コンマ区切り）」または「CSV（コンマ区切り）」で保存し直してください。")
    try:
        return Decoded(data.decode("utf-8"), "UTF-8")
    except UnicodeDecodeError as utf8_exc:
        utf8_error = utf8_exc
    readings: dict[str, str] = {}
    errors: dict[str, UnicodeDecodeError] = {}
    for codec in ("cp932", "euc_jp"):
        try:
            readings[codec] = data.decode(codec)
        except UnicodeDecodeError as exc:
            errors[codec] = exc
    sjis, euc = readings.get("cp932"), readings.get("euc_jp")
    if euc is not None and _natural_share(euc) >= 0.8 and (sjis is None or implausible_kana(sjis) is not None
                                                           or _natural_share(euc) > _natural_share(sjis) + 0.3):
        return Decoded(euc, "EUC-JP")
    if sjis is not None:
        odd = implausible_kana(sjis)
        if odd is None:
            return Decoded(sjis, "Shift_JIS（cp932）")
        line = sjis[:sjis.index(odd)].count("\n") + 1
        raise FileKindError(
            f"{label} の {line} 行目: 文字コードを判別できません。Shift_JIS として読むと「{odd}」のような不自然な半角カナに"
            "なります（別の文字コードのファイルを Shift_JIS として読んでいる可能性があります）。"
            "Excel で「CSV UTF-8（コンマ区切り）」で保存し直してください。")
    sjis_exc = errors["cp932"]
    utf8_line, sjis_line = _line_of(data, utf8_error.start), _line_of(data, sjis_exc.start)
    enc, line = ("UTF-8", utf8_line) if utf8_error.start >= sjis_exc.start else ("Shift_JIS（cp932）", sjis_line)
    raise FileKindError(
        f"{label} の {line} 行目: 文字コードが正しくありません（{enc} として読むと {line} 行目に読めない文字があります。"
        f"UTF-8 としては {utf8_line} 行目、Shift_JIS（cp932）としては {sjis_line} 行目で失敗）。"
        "文字化けしていないか確認し、Excel で「CSV UTF-8（コンマ区切り）」で保存し直してください。")


def fullwidth_kana(text: str) -> str:
    """Half-width katakana (and ｡｢｣､･) as their full-width forms, voiced marks joined (ﾀﾞ → ダ); nothing else changes."""
    if not HALFWIDTH_KANA.search(text):
        return text
    return HALFWIDTH_KANA.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)

"""Generate data/jimu_tebiki.pdf (a 3-page fictional 庶務事務の手引き of みどり市) with reportlab.

Run once after editing the text below: ``python scripts/make_sample_pdf.py``. The PDF is committed;
the app and tests only read it. The Japanese font (IPAex Gothic) is embedded so that pypdf can
extract the text again.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

HERE = Path(__file__).resolve().parents[1]
OUT = HERE / "data" / "jimu_tebiki.pdf"
FONT_CANDIDATES = [
    Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"),
    Path(__import__("matplotlib_fontja").__file__).parent / "fonts" / "ipaexg.ttf",
]

PAGES = [
    ("みどり市 庶務事務の手引き（新規採用職員向け）", [
        "第1章 物品の購入",
        "事務用品は、毎月10日までに総務課へ物品請求書を提出して購入します。",
        "1件5万円を超える物品は、見積書を2社以上から取る必要があります。",
        "急ぎの購入が必要なときの扱いは所属によって異なるため、先輩職員に確認してください。",
    ]),
    ("第2章 出張の手続き", [
        "出張するときは、出発の3日前までに庶務事務システムで出張命令を申請します。",
        "旅費は、出張から戻った後5日以内に実績を入力すると、翌月の給料日に支払われます。",
        "公用車を使うときは、総務課の公用車予約表で前日までに予約してください。",
    ]),
    ("第3章 会議室の予約", [
        "本庁舎の会議室は、施設予約システムで2か月前から予約できます。",
        "住民が参加する会議で会議室を使うときは、使用目的に「住民参加」と入力します。",
        "使い終わったら机と椅子を元の配置に戻し、鍵を総務課に返却してください。",
    ]),
]


def _font() -> str:
    for path in FONT_CANDIDATES:
        if path.is_file():
            pdfmetrics.registerFont(TTFont("IPAexGothic", str(path)))
            return "IPAexGothic"
    raise SystemExit("日本語フォント（IPAexゴシック）が見つかりません。fonts-ipaexfont か matplotlib-fontja を入れてください。")


def build(out: Path = OUT) -> Path:
    """Write the PDF atomically (temp file, then replace)."""
    font = _font()
    fd, tmp = tempfile.mkstemp(suffix=".pdf", dir=out.parent)
    os.close(fd)
    c = canvas.Canvas(tmp, pagesize=A4, invariant=1)
    c.setTitle("みどり市 庶務事務の手引き")
    width, height = A4
    for number, (title, lines) in enumerate(PAGES, start=1):
        c.setFont(font, 16)
        c.drawString(60, height - 80, title)
        c.setFont(font, 11)
        y = height - 120
        for line in lines:
            c.drawString(60, y, line)
            y -= 24
        c.setFont(font, 9)
        c.drawString(width / 2 - 20, 40, f"- {number} -")
        c.showPage()
    c.save()
    os.chmod(tmp, 0o644)
    os.replace(tmp, out)
    return out


if __name__ == "__main__":
    print(build())

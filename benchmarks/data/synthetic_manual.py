"""A synthetic みどり市 business manual as a PDF of N pages (default 1,000), made at run time.

Every page describes one (department, procedure) pair, so a question naming both has exactly one
right page: ``make_manual_pdf`` returns those probes for hit@5. Deterministic for a given seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

DEPARTMENTS = [
    "市民課", "保険年金課", "税務課", "納税課", "福祉政策課", "障がい福祉課", "介護保険課", "子育て支援課",
    "保育課", "健康づくり課", "環境政策課", "ごみ減量推進課", "道路維持課", "公園緑地課", "下水道課",
    "住宅政策課", "建築指導課", "商工振興課", "観光交流課", "農林水産課", "防災危機管理課", "人事課",
    "財政課", "契約課", "情報政策課",
]
PROCEDURES = [
    "申請書の受付", "本人確認", "手数料の収納", "証明書の交付", "郵送請求への対応", "窓口混雑時の整理券発行",
    "電話問い合わせの記録", "苦情の一次対応", "個人情報の持ち出し申請", "公印の使用", "文書の保存年限",
    "システム障害時の代替手順", "災害時の臨時窓口開設", "外国籍住民への多言語対応", "やさしい日本語での案内",
    "代理人による申請", "オンライン申請の審査", "還付金の支払", "督促状の発送", "決裁の回付",
    "会議録の作成", "生成AIの業務利用", "委託業者の監督", "備品の購入手続", "庁舎の鍵の管理",
    "時間外勤務の申請", "研修の受講登録", "情報公開請求への対応", "個人番号の取扱い", "来庁者アンケートの集計",
    "広報紙への掲載依頼", "ホームページの更新", "補助金の交付決定", "現地調査の実施", "住民説明会の開催",
    "データの匿名化", "押印の省略", "キャッシュレス決済の取扱い", "障がいのある方への合理的配慮", "引継書の作成",
]
STEPS = [
    "受付時に{form}の記載内容を確認し、不足があればその場で補正を依頼する。",
    "{dept}の担当係長が内容を確認したうえで、{system}に登録する。",
    "処理の期限は受付日から{days}日以内とし、超える場合は申請者に連絡する。",
    "判断に迷う場合は{dept}の庶務担当に相談し、対応記録を残す。",
    "{system}が使えない場合は紙の台帳に記録し、復旧後に入力する。",
    "個人情報を含む書類は施錠できる書庫に保管し、持ち出す際は上長の承認を得る。",
    "根拠となる規程は{rule}であり、改正があった場合は本ページを更新する。",
    "市民からの問い合わせには、確認できた事実だけを伝え、不明な点は担当者に引き継ぐ。",
    "月末には件数を集計し、{dept}の課長に報告する。",
]
SYSTEMS = ["窓口支援システム", "文書管理システム", "財務会計システム", "住民記録システム", "電子申請システム"]


@dataclass(frozen=True)
class Probe:
    """A question whose answer is on exactly one page."""

    question: str
    page: int


def manual_pages(pages: int = 1000, seed: int = 7) -> list[tuple[str, list[str]]]:
    """(title, lines) for each page."""
    rng = random.Random(seed)
    pairs = [(d, p) for p in PROCEDURES for d in DEPARTMENTS]
    rng.shuffle(pairs)
    out = []
    for n in range(pages):
        dept, proc = pairs[n % len(pairs)]
        title = f"{dept}における{proc}の手順"
        lines = [f"第{n // 20 + 1}章 {title}", f"この節では、{dept}で{proc}を行うときの手順を定める。"]
        fill = dict(dept=dept, form=f"様式第{rng.randint(1, 60)}号", system=rng.choice(SYSTEMS),
                    days=rng.choice([3, 5, 7, 10, 14, 30]), rule=f"みどり市{proc}事務取扱要領第{rng.randint(1, 30)}条")
        for i, step in enumerate(rng.sample(STEPS, len(STEPS)), start=1):
            lines.append(f"（{i}）{step.format(**fill)}")
        out.append((title, lines))
    return out


def _wrap(line: str, width: int = 46) -> list[str]:
    return [line[i : i + width] for i in range(0, len(line), width)] or [""]


def make_manual_pdf(path: Path, pages: int = 1000, seed: int = 7) -> list[Probe]:
    """Write the manual to ``path`` (reportlab, a Japanese CID font) and return one probe per page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiKakuGo-W5"))
    c = canvas.Canvas(str(path), pagesize=A4)
    probes = []
    for n, (title, lines) in enumerate(manual_pages(pages, seed), start=1):
        c.setFont("HeiseiKakuGo-W5", 10)
        y = 800
        for line in lines:
            for piece in _wrap(line):
                c.drawString(40, y, piece)
                y -= 16
        c.drawString(280, 30, f"- {n} -")
        c.showPage()
        dept, proc = title.split("における")[0], title.split("における")[1].removesuffix("の手順")
        probes.append(Probe(f"{dept}で{proc}をするときの手順は？", n))
    c.save()
    return probes

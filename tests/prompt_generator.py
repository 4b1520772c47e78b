"""A seeded generator of prompts with known elements, laid out the ways staff write (tests and benchmarks).

Each generated prompt says which of the five elements it holds. Fragments are written so that each names one
element only; layouts cover plain sentences, 【】/■/●/#/「役割：」 headings, bullet lists, empty template headings
(which must count for nothing) and material set off in several ways (which must never count).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

KEYS = ("role", "purpose", "instruction", "constraints", "output_format")
HEADINGS = {"role": "役割", "purpose": "目的", "instruction": "指示", "constraints": "制約", "output_format": "出力形式"}

FRAGMENTS: dict[str, list[str]] = {
    "role": ["あなたはみどり市の広報担当です", "あなたは市民課の窓口職員です", "危機管理課の担当者の立場で",
             "ベテランの編集者として", "あなたは市の保健師です", "議会対応の担当者になりきって", "You are a city press officer"],
    "purpose": ["市民に防災フェアへ来てもらうためです", "部長への報告用です", "子育て世帯向けの文書です",
                "来月の説明会で配る予定なので", "高齢の方にも内容が伝わるようにしたい", "目的は、窓口の問い合わせを減らすことです",
                "背景として、昨年は参加者が少なかったという事情があります"],
    "instruction": ["お知らせ文を作成してください", "次の記録を要約してください", "返信の案を書いてください",
                    "要点を抜き出してください", "この文章を書き直してください", "案内文をお願いします", "Please draft a notice"],
    "constraints": ["300字以内", "資料にないことは書かない", "専門用語は使わない",
                    "個人名は出さないこと", "敬語で", "200文字程度", "推測で補わない"],
    "output_format": ["箇条書き", "見出しと本文の形", "表形式",
                      "番号付きのリスト", "件名と本文に分ける", "Q&A形式", "Use bullet points"],
}
MATERIALS = [
    "先週から自宅前のごみ集積所にカラスが来て、ごみが散らかっています。ネットを増やしてください。",
    "防災フェアは10月18日（土）10時からみどり中央公園で開きます。参加費は無料です。",
    "保育園の入園申込の書類が多すぎて、準備が大変です。至急対応してください。200字以内で回答を。",
]
DELIMITERS = [
    ("<資料>\n", "\n</資料>"), ("###\n", "\n###"), ("###資料###\n", "\n###"), ("【資料】\n", ""), ("---\n", "\n---"),
    ("■資料\n", ""), ("資料：\n", ""), ("<<<資料>>>\n", ""), ("```\n", "\n```"), ("【資料ここから】\n", "\n【資料ここまで】"),
]
HEADING_STYLES = ["【{h}】{b}", "■{h}：{b}", "●{h}\n{b}", "# {h}\n{b}", "{h}：{b}", "「{h}：」{b}", "＜{h}＞{b}", "・{h}：{b}"]
EMPTY_STYLES = ["【{h}】", "■{h}：", "{h}：", "# {h}", "{h}：〇〇", "【{h}】（ここに書く）"]


@dataclass(frozen=True)
class Generated:
    text: str
    expected: frozenset[str]
    layout: str


def _fragment(rng: random.Random, key: str) -> str:
    return rng.choice(FRAGMENTS[key])


def generate(n: int = 2000, seed: int = 20261130) -> list[Generated]:
    """``n`` prompts with a random subset of the elements, each in a random layout, some with material."""
    rng = random.Random(seed)
    out: list[Generated] = []
    for _ in range(n):
        keys = [k for k in KEYS if rng.random() < 0.6]
        layout = rng.choice(["sentences", "headings", "bullets", "headings+empty"])
        if layout == "sentences":
            body = "。".join(_fragment(rng, k) for k in rng.sample(keys, len(keys))) + ("。" if keys else "")
        elif layout == "bullets":
            body = "\n".join(f"・{_fragment(rng, k)}" for k in keys)
        else:
            style = rng.choice(HEADING_STYLES)
            lines = [style.format(h=HEADINGS[k], b=_fragment(rng, k)) for k in keys]
            if layout == "headings+empty":
                empty = rng.choice(EMPTY_STYLES)
                lines += [empty.format(h=HEADINGS[k]) for k in KEYS if k not in keys]
            body = "\n".join(lines)
        if rng.random() < 0.6:
            start, end = rng.choice(DELIMITERS)
            material = start + rng.choice(MATERIALS) + end
            body = f"{material}\n{body}" if rng.random() < 0.3 else f"{body}\n{material}"
        out.append(Generated(body.strip(), frozenset(keys), layout))
    return out

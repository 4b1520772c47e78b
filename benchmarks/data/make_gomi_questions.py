"""Generate ``gomi_questions.jsonl``: questions about the Tsu garbage table whose answers the table holds.

Each line: id, question, item (the row's 品目, which must be among the top-5 hits), category
(分別区分, what a correct answer says) and row (spreadsheet row, header = 1). Deterministic (seed 3).
Run: python benchmarks/data/make_gomi_questions.py
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from pathlib import Path

from aidojo.data import tsu_gomi_table

OUT = Path(__file__).with_name("gomi_questions.jsonl")
N = 120
TEMPLATES = [
    "{name}はどう捨てますか",
    "{name}は何ごみですか？",
    "{name}の捨て方を教えてください",
    "{name}を処分したいのですが、分別はどうなりますか",
    "{name}って何ゴミ？",
    "{name}はどの分別区分になりますか",
]
_QUALIFIED = re.compile(r"^(?P<base>[^（）]+)（(?P<qual>[^（）]{1,8})）$")


def spoken_name(item: str, rng: random.Random) -> str:
    """How a resident might name the item: 'アートパネル（木製）' → '木製のアートパネル' half of the time."""
    m = _QUALIFIED.match(item)
    if m and rng.random() < 0.5 and not re.search(r"[・、以上以下]", m["qual"]):
        return f"{m['qual']}の{m['base']}"
    return item


def main() -> None:
    df = tsu_gomi_table()
    counts = Counter(df["品目"])
    rows = [(i + 2, r) for i, r in enumerate(df.itertuples(index=False)) if counts[r.品目] == 1 and r.品目.strip()]
    rng = random.Random(3)
    picked = sorted(rng.sample(rows, N), key=lambda t: t[0])
    lines = []
    for n, (row_no, r) in enumerate(picked, start=1):
        question = rng.choice(TEMPLATES).format(name=spoken_name(r.品目, rng))
        lines.append({"id": f"gomi-{n:03d}", "question": question, "item": r.品目, "category": r.分別区分, "row": row_no})
    OUT.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    print(f"{len(lines)} questions → {OUT}")


if __name__ == "__main__":
    main()

"""Build the person-name lexicon that ``aidojo.safety`` ships: IPADIC's surnames and given names, with readings.

Run: python benchmarks/data/make_name_lexicon.py   (needs Janome, which bundles IPADIC)
Writes aidojo/safety/data/person_names.txt: one name a line, tab-separated:
    surface  kind (S surname / G given name / X common word)  reading (katakana)  flag (W: also a common word)
A name that is also a common word (平日, 長男, 健康 as given names) is flagged W: the detectors use such entries only
where the context already says a name follows. Entries of one character that are not kanji, and entries with
characters outside kanji/kana, are left out. X lines are common words of 1-3 kanji written only with characters that
given names use (実家, 長男, 明日): a kanji run the lexicon does not know is guessed to be a given name only when it
is not one of them.

IPADIC (the source of the names) is distributed under its own permissive licence; its notice is kept at the top of
the generated file, as that licence asks.
"""

from __future__ import annotations

import importlib
import re
from collections import Counter
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "aidojo" / "safety" / "data" / "person_names.txt"
_OK = re.compile(r"^[一-龥々〆ヶぁ-んァ-ヴー]+$")
_KANJI = re.compile(r"[一-龥々]")
_KANJI_WORD = re.compile(r"^[一-龥々]+$")
_COMMON_NOUN_POS = ("名詞,一般", "名詞,サ変接続", "名詞,副詞可能", "名詞,形容動詞語幹", "名詞,数", "名詞,接尾")
NAME_CHAR_MIN = 8  # a kanji used in at least this many given names counts as a name character
_COMMON_WORD_POS = ("名詞,一般", "名詞,サ変接続", "名詞,副詞可能", "名詞,形容動詞語幹", "名詞,ナイ形容詞語幹", "名詞,数",
                    "名詞,代名詞", "名詞,非自立", "名詞,接尾", "動詞", "形容詞", "副詞", "連体詞", "接続詞", "感動詞", "接頭詞")
NOTICE = """# Person names from IPADIC (via Janome), built by benchmarks/data/make_name_lexicon.py.
# Copyright 2000, 2001, 2002, 2003 Nara Institute of Science and Technology. All Rights Reserved.
# Use, reproduction, and distribution of this software is permitted. Any copy of this software, whether in its
# original form or modified, must include both the above copyright notice and the following paragraphs.
# NAIST makes no representations regarding the merchantability or fitness of this software for any particular
# purpose; it is provided "as is", and NAIST shall not be liable for any damages arising from its use.
# columns: surface<TAB>kind (S surname, G given name, X common word)<TAB>reading<TAB>flag (W: also a common word)
"""


def build() -> list[tuple[str, str, str, str]]:
    names: dict[tuple[str, str], str] = {}
    common: set[str] = set()
    common_nouns: set[str] = set()
    for i in range(10):
        extra = importlib.import_module(f"janome.sysdic.entries_extra{i}").DATA
        compact = importlib.import_module(f"janome.sysdic.entries_compact{i}").DATA
        for key, info in extra.items():
            pos, surface = info[0], compact[key][0]
            if "固有名詞,人名,姓" in pos or "固有名詞,人名,名" in pos:
                kind = "S" if pos.endswith("姓") else "G"
                reading = info[4] if len(info) > 4 and info[4] != "*" else ""
                if _OK.match(surface) and (len(surface) > 1 or re.match(r"[一-龥々]", surface)):
                    names.setdefault((surface, kind), reading)
            elif pos.startswith(_COMMON_WORD_POS):
                common.add(surface)
                if pos.startswith(_COMMON_NOUN_POS) and _KANJI_WORD.match(surface):
                    common_nouns.add(surface)
    rows = [(s, k, r, "W" if s in common else "") for (s, k), r in names.items()]
    name_chars = Counter(ch for (s, k), _ in names.items() if k == "G" and s not in common for ch in s if _KANJI.match(ch))
    chars = {ch for ch, n in name_chars.items() if n >= NAME_CHAR_MIN}
    rows += [(w, "X", "", "") for w in common_nouns if 1 <= len(w) <= 3 and all(ch in chars for ch in w)]
    return sorted(rows, key=lambda row: (row[1], row[0]))


def main() -> None:
    rows = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(NOTICE + "".join("\t".join(row) + "\n" for row in rows), encoding="utf-8")
    print(f"{OUT}: {sum(r[1] == 'S' for r in rows)} surnames, {sum(r[1] == 'G' for r in rows)} given names, "
          f"{sum(r[1] == 'X' for r in rows)} common words")


if __name__ == "__main__":
    main()

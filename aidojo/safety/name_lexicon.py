"""Word lists for person-name detection: common surnames, words that look like names but are not, prefixes.

Kept apart from the patterns in :mod:`aidojo.safety.names` so they can be reviewed and extended on their own.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# Common Japanese surnames (about 280). Used where the text alone cannot tell a name from a noun: before job
# titles (山田課長 vs 総務課長), before 方 (松岡方), at the start of a sentence (山田です), 「原 亜希子」.
COMMON_SURNAMES = frozenset(
    "佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上 木村 林 斎藤 清水 山崎 森 池田 "
    "橋本 阿部 石川 山下 中島 石井 小川 前田 岡田 長谷川 藤田 後藤 近藤 村上 遠藤 青木 坂本 斉藤 福田 太田 西村 藤井 "
    "金子 岡本 藤原 中野 三浦 原田 中川 松田 竹内 小野 田村 中山 和田 石田 森田 上田 原 内田 柴田 酒井 宮崎 横山 高木 "
    "安藤 宮本 大野 小島 谷口 今井 工藤 高田 増田 丸山 杉山 村田 大塚 新井 小山 平野 藤本 河野 上野 野口 武田 松井 "
    "千葉 岩崎 菅原 木下 久保 佐野 野村 松尾 市川 菊地 杉本 古川 大西 島田 水野 桜井 高野 渡部 吉川 山内 西田 飯田 "
    "菊池 西川 小松 北村 安田 五十嵐 川口 平田 関 中田 久保田 服部 東 岩田 土屋 川崎 福島 本田 辻 樋口 秋山 田口 永井 "
    "山中 中西 吉村 川上 大橋 石原 松岡 浅野 馬場 荒木 大久保 野田 小沢 田辺 川村 星野 黒田 堀 尾崎 望月 永田 熊谷 内藤 "
    "松浦 大石 平井 早川 荒井 大谷 河合 小池 北川 岡 松下 広瀬 片山 本間 須藤 吉野 水谷 関口 森本 宮田 矢野 "
    "桑原 小西 奥村 岩本 大川 前川 南 西 北 竹田 西山 小田 松村 宮下 坂井 三宅 中井 福井 大森 田島 沢村 小田切 桐生 "
    "堀内 堀江 土井 細川 篠原 西尾 村井 岡部 松原 吉岡 浜田 菅野 岡崎 三上 長田 石黒 加納 小倉 上原 宇野 川島 "
    "北野 浅田 佐久間 矢島 大島 中尾 白石 松山 稲垣 奥田 杉浦 平川 大竹 小笠原 寺田 戸田 金井 坂口 関根 千田 "
    "堤 辻本 内山 中林 梅田 梶原 柳田 成田 野中 西岡 若林 有田 今村 塚本 竹中 三好 藤川 広田 星 新田 高山 "
    "川原 小泉 吉永 森下 大村 住吉 片岡 松永 青山 島崎 荻野 渡邊 齋藤 髙橋 濱田".split()
)

# Words that end right before an honorific (さん/様/氏) but are not names.
NOT_NAMES = frozenset({
    "皆", "客", "奥", "子", "王", "神", "仏", "殿", "貴", "同", "仕", "模", "多", "異", "一", "両", "彼", "源",
    "皆々", "各位", "御中", "先方", "相手", "本人", "ご本人", "家族", "親御", "親", "母", "父", "姉", "兄",
    "担当", "担当者", "利用者", "申請者", "相談者", "来庁者", "保護者", "市民", "住民", "職員", "事業者",
    "関係者", "世帯主", "被保険者", "受給者", "納税者", "契約者", "代理人", "窓口", "業者", "大家", "管理人",
    "娘", "息子", "お子", "奥方", "旦那", "主人", "ご主人", "ご家族", "ご両親", "両親", "先生", "同僚",
    "近所", "隣", "お隣", "上様", "様", "仕様", "模様", "多様", "異様", "同様", "一様", "殿様", "王様", "神様",
    "ママ", "パパ", "スタッフ", "メンバー", "ユーザー", "オーナー", "ゲスト", "ドライバー", "ヘルパー", "ケアマネ",
    "赤", "弟", "妹", "孫", "大工", "お嬢", "嫁", "婿", "叔母", "叔父", "伯母", "伯父",
})
NOT_NAME_SUFFIX = re.compile(
    r"(?:者|員|係|課|部|局|室|所|庁|校|会|社|店|院|園|協|団|組|省|市|区|様|主|達|等|事|業|館|屋|堂|大学|大学准|学院|"
    r"本人|個人|代理人|法人|管理人|友人|知人|隣人|住人|外国人|老人|婦人|成人|一人|二人|夫人|保証人|後見人|相続人|"
    r"申立人|届出人|証人|商人|職人|役人|他人|大人|新人|各人|本日|今日|明日|昨日|師|手|官|長|"
    r"(?:保育|介護|弁護|税理|栄養|消防|書|福祉|療法|会計|建築|衛生|整備|調理)士)$"
)
NAME_PREFIXES = re.compile(
    r"^(?:本日|昨日|先日|今日|明日|前回|今回|先ほど|先程|担当|長男|長女|次男|次女|三男|三女|夫|妻|息子|娘|父|母|"
    r"祖父|祖母|孫|相談者|申請者|来庁者|利用者|市民|住民|職員|同居|隣人|家主|上司|同僚|故|世帯主|保護者|代表者|"
    r"届出人|請求者|契約者|名義人|受取人|被保険者|ケアマネジャー|担当者|担当)"
)


# --- the IPADIC name lexicon (aidojo/safety/data/person_names.txt, built by benchmarks/data/make_name_lexicon.py) ---

_DATA = Path(__file__).with_name("data") / "person_names.txt"
# Kanji of given names popular since IPADIC was compiled (陽翔, 結菜, 湊, 紬): the lexicon knows few of them.
MODERN_NAME_CHARS = "翔陽蓮湊葵颯蒼碧悠凛結莉咲杏萌紬凪琉煌心芽依菜翼遥律朔樹楓柚椿澪詩奏響希羽斗空優瑛晴暖紗彩華湊稀輝芯"
# One-kanji given names: accepted alone only right after a kinship word (長男の健, 妻・恵).
ONE_KANJI_GIVEN = frozenset(
    "健蓮湊葵凛翔誠勇清進茂実豊勝剛学修光薫恵愛舞萌結陽颯蒼碧樹翼悠仁徹聡功守保明弘浩博隆昇稔忍望操静栞紬凪律楓椿澪"
    "響奏遥渉亮潤純優猛毅武勉晃司歩環梓泉瞳翠晶匠巧隼駿蘭桜藍岳拓廉湧渚光馨巌栄寛"
)
_KATA_TO_HIRA = str.maketrans({chr(c): chr(c - 0x60) for c in range(0x30A1, 0x30F7)})


def to_hiragana(text: str) -> str:
    """Katakana → hiragana (ー and other characters unchanged)."""
    return text.translate(_KATA_TO_HIRA)


@dataclass(frozen=True)
class NameLexicon:
    """Surnames and given names with their readings. ``*_words``: entries that are also common words (平日, 長男)."""

    surnames: frozenset[str]
    given: frozenset[str]
    surname_words: frozenset[str]
    given_words: frozenset[str]
    surname_readings: frozenset[str]  # hiragana readings of surnames that are common (COMMON_SURNAMES) or 3+ kana
    given_readings: frozenset[str]  # hiragana readings of given names that are not common words
    given_readings_words: frozenset[str]  # readings of given names that are also common words (うめ, あおい)
    common_words: frozenset[str]  # common words written only with characters given names use (実家, 長男, 明日)
    name_chars: frozenset[str]  # kanji that given names use (in 8+ lexicon names, plus today's favourites)
    common_surname_readings: frozenset[str]  # readings of COMMON_SURNAMES (さとう, はやし, いとう)

    def is_surname(self, s: str, *, strict: bool = False) -> bool:
        """A surname (``strict``: one of the common ones, or a lexicon one that is not also a common word)."""
        if s in COMMON_SURNAMES:
            return True
        return s in self.surnames and not (strict and s in self.surname_words)

    def is_given(self, s: str, *, allow_words: bool = False) -> bool:
        """A given name, written in kanji or kana (a common word such as 平日 only with ``allow_words``)."""
        if s in self.given and (allow_words or s not in self.given_words):
            return True
        return to_hiragana(s) in self.given_readings and len(s) >= 2


@lru_cache(maxsize=1)
def lexicon() -> NameLexicon:
    """The name lexicon, read once."""
    surnames, given, s_words, g_words, s_read, g_read = set(), set(), set(), set(), set(), set()
    g_read_w: set[str] = set()
    common_read: set[str] = set()
    common_words: set[str] = set()
    for line in _DATA.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        surface, kind, reading, flag = (line.split("\t") + ["", "", ""])[:4]
        reading = to_hiragana(reading)
        if kind == "S":
            surnames.add(surface)
            if flag == "W":
                s_words.add(surface)
            if reading and (surface in COMMON_SURNAMES or (flag != "W" and len(reading) >= 3)):
                s_read.add(reading)
            if reading and surface in COMMON_SURNAMES:
                common_read.add(reading)
        elif kind == "G":
            given.add(surface)
            if flag == "W":
                g_words.add(surface)
                if reading and len(reading) >= 2:
                    g_read_w.add(reading)
            elif reading and len(reading) >= 2:
                g_read.add(reading)
        elif kind == "X":
            common_words.add(surface)
    counts = Counter(ch for name in given - g_words for ch in name if "一" <= ch <= "龥")
    chars = {ch for ch, n in counts.items() if n >= 8} | set(MODERN_NAME_CHARS)
    return NameLexicon(frozenset(surnames), frozenset(given), frozenset(s_words), frozenset(g_words),
                       frozenset(s_read), frozenset(g_read), frozenset(g_read_w), frozenset(common_words),
                       frozenset(chars), frozenset(common_read))

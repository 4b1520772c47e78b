"""Person names that no honorific or form label marks, found with a name lexicon and the words around them.

- kinship: 「母の佐藤ウメ」「長男・健太」「山田花子の母です」「田所の家内」「横田家の長男」
- ages and school years: 「うちの子（山田はなこ、2歳）」「湊（5歳）」「畑中 りく（6）」「そうすけ 小3」
- lists and speaker labels: 「出席者：佐藤、鈴木、高橋」「欠席：竹下委員」「土田委員：」「寺田：田中町の…」
- right after an address: 「…本町2丁目3番4号 山田太郎」
- full names in kana or kanji on their own: 「やまだはなこ」「ヤマダ ハナコ」「山田はなこ」「鈴木一郎の」
- family titles used like honorifics: 「ミツおばあちゃん」「ひなたママ」

The lexicon (:mod:`aidojo.safety.name_lexicon`, IPADIC's names) says what can be a surname or a given name; the
context says how much is needed: right after 「長男・」 a given name alone will do (even one the lexicon lacks, if it is
written with name kanji and is not a common word), while a full name with no context must be a known surname followed
by a known given name. Ordinary words stay unmasked: 「母の日」「妻の実家」「田中町」「中央公園」「課長：」.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from aidojo.safety.name_lexicon import COMMON_SURNAMES, NAME_PREFIXES, ONE_KANJI_GIVEN, lexicon, to_hiragana
from aidojo.safety.pii_types import Candidate

K = "一-龥々〆ヶ"
KATA = "ァ-ヴー"
HIRA = "ぁ-ゖ"
_RUN_CHARS = re.compile(rf"[{K}{KATA}{HIRA}・ 　]")
_KIN = (
    "母|父|妻|夫|娘|息子|長男|長女|次男|次女|三男|三女|四男|四女|末っ子|祖母|祖父|孫|兄|姉|弟|妹|義母|義父|義兄|義姉|義弟|義妹|"
    "叔母|叔父|伯母|伯父|主人|家内|嫁|婿|娘婿|甥|姪|子ども|子供|うちの子|子|元夫|元妻|前夫|前妻|養父|養母|継父|継母|母親|父親|"
    "おばあちゃん|おじいちゃん|ばあちゃん|じいちゃん|同居人|内縁の夫|内縁の妻|世帯主|本人|相談者|隣人|保護者|旦那|旦那さん|"
    "兄嫁|弟嫁|むすめ|むすこ|はは|ちち|つま|おっと|あに|あね|おとうと|いもうと|まご|うち"
)
_KIN = _KIN + "|長女夫婦|長男夫婦|息子夫婦|娘夫婦|夫婦|両親|子ども[\\d一二三四五六七八九]人|子[\\d一二三四五六七八九]人|[\\d一二三四五六七八九]人の子"
_KIN = "|".join(sorted(_KIN.split("|"), key=len, reverse=True))
_KIN_WORDS = {w for w in _KIN.split("|") if "\\" not in w}
KINSHIP_WORDS = frozenset(_KIN_WORDS)
# 「母の佐藤ウメ」「長男・健太」「父（たかし、75）」: a kinship word, then the name
_KIN_BEFORE = re.compile(rf"(?<![{K}])(?:{_KIN})(?:さん)?(?P<sep>[のはが・:：、]|\s|[(（]|(?=[{K}{KATA}]))")
# 「山田花子の母です」「田所の家内ですが」「横田家の長男」: the name, then the kinship word
_KIN_AFTER = re.compile(
    rf"(?:家)?の(?:{_KIN})(?![{K}])(?:です|でございます|でして|なんです|なん|ですが|ですけど|が|は|から|より|として|、|。|で|に|と|の|\s|$)"
)
_AGE = re.compile(
    r"[\s　]?(?:[、,・]\s?|[(（]\s?)?(?:\d{1,3}|[一二三四五六七八九十]{1,3})\s?(?:歳|才|さい|か月|ヶ月|カ月)"
    r"|[\s　]?[(（](?:\d{1,3}|(?:小|中|高|小学|中学|高校)\s?\d年?生?|\d年生?)[)）、,]"
    r"|[\s　](?:小|中|高)\d(?!\d)"
    r"|[(（](?=[^()（）\n]{0,24}(?:生まれ|生[)）、]|歳|才))"
)
_LIST_LABEL = re.compile(
    r"(?:出席者|出席委員|出席|欠席者|欠席委員|欠席|参加者|同席者|同席|委員|メンバー|記録者|記録|司会|説明員|報告者|講師|作成者|確認者|"
    r"署名委員|来所者|訪問者|対応者|班員|構成員|[A-ZＡ-Ｚ]班|兄弟|姉妹|家族|世帯員|要配慮者|要支援者|避難者|対象者|差出人|送信者|"
    r"宛先|宛名|名簿|依頼者|申出人|通報者|面談者|同行者|付添人|連絡者)\s*(?:[:：]|[(（]|[ 　]+|(?<=委員)(?=[一-龥]))\s*"
)
_ROLE_BEFORE = re.compile(
    r"(?:担当者|担当|担任|主治医|ケアマネジャー|ケアマネ|ヘルパー|相談員|支援員|通訳|後見人|身元保証人|保証人|代理人|大家|管理人|"
    r"家主|民生委員|自治会長|班長|講師|議長)(?:の|は|が|：|:|\s)\s*"
)
_ORG_OF = re.compile(
    r"(?:会社|株式会社[^\s、。]{1,12}|事務所|センター|協会|大学|病院|新聞|銀行|社|課|係|室|部|局|店|園|学校|団体|法人|の会)の(?=[一-龥ァ-ヴ])"
)
_ROLE_AFTER = re.compile(
    r"(?:副委員長|委員長|委員|議員|議長|主査|主事|主任|主幹|教諭|教頭|校長|園長|医師|保健師|看護師|会長|自治会長|理事長|代表|講師|"
    r"准教授|教授|弁護士|司法書士|税理士|社労士|相談員|支援員|ケアマネ|ヘルパー|氏|両名|各委員|の各氏|の各委員)"
)
_SPEAKER = re.compile(rf"(?m)(?:^|(?<=[。\n]))\s*(?P<name>[{K}{KATA}ぁ-ゖ 　]{{1,10}}?)(?P<role>{_ROLE_AFTER.pattern})?\s*[:：](?!\d)")
_ADDRESS_END = re.compile(
    r"(?:\d{1,5}号室?|\d{1,5}号棟|\d{1,5}番地?(?:\d{1,5})?|\d{1,3}丁目(?:\d{1,5}(?:-\d{1,5}){0,2})?|\d{1,5}(?:-\d{1,5}){1,3}|"
    r"[A-Za-z]?\d{3,4}号室?)\s*(?:[ 　、,]+|(?=[{K}]))".replace("{K}", K)
)
_FAMILY_TITLE = re.compile(r"(?:おばあちゃん|おじいちゃん|ばあちゃん|じいちゃん|ばあば|じいじ|ママ|パパ|お母さん|お父さん|くん|ちゃん)")
_INTRO = re.compile(
    r"(?:^|(?<=[。！？!?\n「]))\s*(?:こんにちは|こんばんは|はじめまして|初めまして|すみません|あの)?[、,]?\s*(?:わたしは|私は|わたし|私)?[、,]?\s*"
)
_INTRO_END = re.compile(r"(?:です|でした|でございます|と申します|といいます|と言います|っていいます|って言います)")
_LABEL_VALUE = re.compile(r"(?:名字|苗字|旧姓|姓|名前|お名前|氏名)(?:は|：|:)\s*")
_PLACE_END = re.compile(r"[町村市区県郡部課局署館園所院校駅店社寺宮城山川橋通線港島台丘坂谷沢池原野浜]$")
_NOT_GIVEN_KANA = {"です", "でした", "ます", "さん", "ちゃん", "くん", "さま", "ため", "こと", "もの", "ところ", "とき", "ほう",
                   "ください", "から", "まで", "など", "なの", "だけ", "ばかり", "よう", "そう", "あと", "まま", "ほか",
                   "みんな", "みな", "あなた", "こちら", "そちら", "どちら", "だれ", "どなた", "おまえ", "あいつ", "かれ",
                   "かのじょ", "ちゃんと", "おかあさん", "おとうさん", "おばあちゃん", "おじいちゃん", "いつも", "すぐ",
                   "もう", "まだ", "また", "とても", "ちょっと", "いろいろ", "ありがとう", "よろしく", "はい", "いいえ",
                   "それ", "これ", "あれ", "どれ", "それに", "そして", "でも", "だから", "さらに", "ただ", "なお",
                   "みんなで", "ふたり", "ひとり", "ふたりとも", "うち", "うちの", "わたし", "わたくし", "ぼく", "おれ",
                   "じぶん", "あの", "その", "この", "どの", "ほんとう", "ほんと", "ぜんぶ", "いっしょ",
                   "おじい", "おばあ", "おじ", "おば", "じい", "ばあ", "ねえ", "にい", "おにい", "おねえ", "おかあ", "おとう",
                   "かあ", "とう", "ママ", "パパ", "ぱぱ", "あかちゃん", "あかん", "こども", "おこさん"}


@dataclass(frozen=True)
class Allow:
    """What a context accepts as a name."""

    surname: bool = False  # a surname alone (佐藤)
    given: bool = False  # a given name alone, known to the lexicon (健太, はなこ)
    guess: bool = False  # a given name the lexicon lacks, written in name kanji (陽翔)
    words: bool = False  # given names that are also common words (ウメ, 健), and one-kanji names
    kana_guess: bool = False  # a kana given name the lexicon lacks (りく, ひなた)
    surname_words: bool = False  # surnames that are also common words (根本, 梶)


FULL = Allow()
LIST = Allow(surname=True)
LIST_STRONG = Allow(surname=True, surname_words=True)
KIN_WEAK = Allow(surname=True, given=True)
KIN_AFTER = Allow(surname=True, given=True, guess=True)
KIN_BEFORE = Allow(surname=True, given=True, guess=True, words=True, kana_guess=True)
KIN_BEFORE_KNOWN = Allow(surname=True, given=True, words=True)
KIN_GLUED = Allow(surname=True, given=True, words=True)
AGE_GLUED = Allow(given=True)  # 「はなこ3か月」: a known given name (or a full name) glued to an age
AGE_GLUED_YEARS = Allow(given=True, words=True)  # 「ひなた2歳」: given names that are also words will do before 歳
_MIXED_GIVEN = re.compile(r"[ぁ-ゖ]{1,3}[子美江代枝恵香奈乃世]")
_NOT_NAME_KANA_END = re.compile(r"(?:から|まで|より|など|だけ|ほう|こと|もの|ため|とき|ところ|ずつ|くらい|ぐらい)$")
_VERB_END = re.compile(r"(?:ません|ました|ます|です|ない|たい|ている|てる|った|って|れる|せる|ける|げる|める|ねる|べる|える|いる|ける|した|"
                       r"だった|でした|ください|ちゃう|じゃう)$")


def _is_kanji(c: str) -> bool:
    return _script(c) == "K"


@lru_cache(maxsize=4096)
def _script(c: str) -> str:
    """K (kanji), T (katakana), H (hiragana) or "" for one character."""
    o = ord(c)
    if 0x4E00 <= o <= 0x9FA5 or c in "々〆ヶ":
        return "K"
    if 0x30A1 <= o <= 0x30F4 or c == "ー":
        return "T"
    if 0x3041 <= o <= 0x3096:
        return "H"
    return ""


def _guess_given(s: str) -> bool:
    lex = lexicon()
    return (2 <= len(s) <= 3 and all(c in lex.name_chars for c in s) and s not in lex.common_words
            and s not in _KIN_WORDS and not _PLACE_END.search(s) and s not in lex.surname_words)


def _kana_given(s: str, words: bool, guess: bool = False, katakana_guess: bool = False) -> bool:
    lex = lexicon()
    h = to_hiragana(s)
    if {_script(c) for c in s} not in ({"H"}, {"T"}):
        return False  # ウメの: a name is written in one kana
    if len(h) < 2 or h in _NOT_GIVEN_KANA or _VERB_END.search(h) or h[0] in "ぁぃぅぇぉっゃゅょゎんー" or \
            h.startswith(("さん", "さま", "ちゃん", "くん", "どの", "たち", "です", "でし")):
        return False
    if h in lex.given_readings or (words and h in lex.given_readings_words):
        return True
    # a guess only for hiragana (katakana words are mostly loanwords: 子どものカード)
    return guess and (s == h or katakana_guess) and 2 <= len(h) <= 4 and h[-1] not in "はがをにでへも" and not _NOT_NAME_KANA_END.search(h)


def _given(s: str, allow: Allow, after_surname: bool) -> bool:
    """``s`` can be a given name here (``after_surname``: a surname comes before it, which makes it likelier)."""
    lex = lexicon()
    if not s or s in _KIN_WORDS:
        return False
    script = {_script(c) for c in s}
    if script == {"H", "T"}:
        return False  # ウメの: a name is written in one kana
    if script <= {"H", "T"}:
        return _kana_given(s, allow.words or after_surname, allow.kana_guess)
    if script == {"H", "K"}:  # とし子, ゆり江: kana and a name-ending kanji
        return bool(_MIXED_GIVEN.fullmatch(s))
    if not script <= {"K"}:
        return False
    known = s in lex.given or (len(s) == 1 and s in ONE_KANJI_GIVEN)
    if known and (allow.words or after_surname):
        return len(s) > 1 or allow.words or after_surname
    if s in lex.common_words or s in lex.given_words:
        return False
    if s in lex.given:
        return True
    return (allow.guess or after_surname) and _guess_given(s)


def _surname(s: str, strict: bool = True) -> bool:
    lex = lexicon()
    if not s:
        return False
    if all(_script(c) == "K" for c in s):
        return s in COMMON_SURNAMES or (s in lex.surnames and (not strict or s not in lex.surname_words))
    h = to_hiragana(s)
    return all(_script(c) in "HT" for c in s) and h in lex.surname_readings and h not in _NOT_GIVEN_KANA


def _split_full(s: str, allow: Allow) -> bool:
    """A surname glued to a given name: 山田花子, 佐藤ウメ, 山田はなこ, やまだはなこ, ヤマダハナコ."""
    for k in range(min(5, len(s) - 1), 0, -1):
        head, tail = s[:k], s[k:]
        if _script(head[-1]) == "K" and _script(tail[0]) == "K" and k == 1 and (len(tail) > 2 or len(tail) == 1):
            continue  # 森林公園 is not 森 + 林公園, 国保 is not 国 + 保
        if _surname(head) and _given(tail, allow, after_surname=True):
            if _script(head[0]) in "HT" and len(to_hiragana(head)) < 3 and len(tail) < 3:
                continue  # two short kana words in a row are seldom a name
            return True
    return False


def _loose_given(s: str, surname: str) -> bool:
    """A given name after a surname and a space (早瀬 陽向, ナカムラ ユウト): any short name-like word will do."""
    lex = lexicon()
    if s in _KIN_WORDS or s in lex.common_words:
        return False
    if all(_script(c) == "K" for c in s):
        return 1 <= len(s) <= 3 and not _PLACE_END.search(s)
    if all(_script(c) in "HT" for c in s):
        return _kana_given(s, True, guess=to_hiragana(surname) in lex.common_surname_readings or
                           all(_script(c) == "K" for c in surname), katakana_guess=True)
    return False


def is_name(s: str, allow: Allow = FULL) -> bool:
    """Whether ``s`` reads as a person's name in a context that ``allow`` describes."""
    s = s.strip(" 　")
    if not 1 <= len(s) <= 14 or not _RUN_CHARS.fullmatch(s[0]) or s in _KIN_WORDS:
        return False
    parts = [p for p in re.split(r"[ 　]+", s) if p]
    if len(parts) == 2:
        if not _surname(parts[0], strict=False):
            return False
        return _given(parts[1], allow, after_surname=True) or (allow != FULL and _loose_given(parts[1], parts[0]))
    if len(parts) > 2:
        return False
    if "・" in s:  # グエン・ティ・ラン, ハリス・ジェーン: a foreign name, in a context that names a person
        bits = s.split("・")
        return (allow.surname or allow.given) and all(len(b) >= 2 and all(_script(c) == "T" for c in b) for b in bits)
    if _split_full(s, allow):
        return True
    if allow.surname and _surname(s, strict=not allow.surname_words) and \
            (len(s) > 1 or s in COMMON_SURNAMES or allow.surname_words) and \
            not (s in lexicon().common_words and s not in COMMON_SURNAMES and not allow.surname_words):
        return True
    return (allow.given or allow.words) and _given(s, allow, after_surname=False)


def _boundary_after(text: str, end: int) -> bool:
    """Whether a name may end at ``end``: the next character starts something else."""
    if end >= len(text):
        return True
    last, nxt = _script(text[end - 1]), _script(text[end])
    if not nxt:
        return True
    if nxt == last == "K" or nxt == last == "T":
        return False
    if nxt == "H":
        return bool(re.match(r"(?:です|でし|でご|さん|ちゃん|くん|さま|と申|とい|って|[がはのをにでともへやか])", text[end:]))
    return True


def _score(s: str) -> int:
    """Prefer readings with a known surname and given name over guesses (ties: the longer one)."""
    lex = lexicon()
    parts = re.split(r"[ 　]+", s.strip())
    score = 0
    if parts[0][:2] in COMMON_SURNAMES or parts[0][:3] in COMMON_SURNAMES or parts[0] in COMMON_SURNAMES:
        score += 3
    for k in range(1, min(5, len(s))):
        if s[:k] in lex.surnames and (s[k:].strip() in lex.given or _kana_given(s[k:].strip(), True)):
            score += 4
            break
    return score


# 「いつ届くん？」「何時に開くんですか」: a verb ending in く with the colloquial ん (〜くの), not a name + くん.
_VERB_KUN_END = re.compile(r"くん(?:[?？。!！、,…]|$|\s|や|よ|ね|な(?!の)|だ|じゃ|か|けど|で|でしょ)")


def verb_before_kun(text: str, end: int) -> bool:
    """Whether the one kanji before 「くん」 at ``end`` is a verb's stem (届く + ん) rather than a name (蓮くん).

    It is, when the kanji stands alone (no kanji before it) and is no one-kanji name or common surname, and either
    no name uses it at all (届, 置, 聞) or a sentence ending follows (開くん？, 行くんですか). Names the lexicon lists
    as one-kanji given names (蓮, 湊, 歩) stay names: over-masking 「歩くんですか」 is the safer mistake.
    """
    if end < 1 or not text.startswith("くん", end) or _script(text[end - 1]) != "K":
        return False
    if end >= 2 and _script(text[end - 2]) == "K":
        return False
    kanji = text[end - 1]
    if kanji in ONE_KANJI_GIVEN or kanji in COMMON_SURNAMES:
        return False
    lex = lexicon()
    if kanji not in lex.given and kanji not in lex.surnames and kanji not in lex.name_chars:
        return True
    return bool(_VERB_KUN_END.match(text, end))


def _one_kanji_name_before(text: str, end: int) -> tuple[int, int] | None:
    """「湊5歳」: a one-kanji given name standing alone right before ``end``."""
    if end >= 1 and text[end - 1] in ONE_KANJI_GIVEN and (end < 2 or _script(text[end - 2]) != "K"):
        return end - 1, end
    return None


_AGE_AFTER = re.compile(r"\d{1,3}\s?(?:歳|才|さい)")


def name_after(text: str, pos: int, allow: Allow, limit: int = 12) -> tuple[int, int] | None:
    """The name that starts at ``pos`` (spaces skipped), as (start, end), or None."""
    while pos < len(text) and text[pos] in " 　":
        pos += 1
    end = pos
    while end < len(text) and end - pos < limit and _RUN_CHARS.match(text[end]) and not (
        text[end] in " 　" and (end + 1 >= len(text) or text[end + 1] in " 　")
    ):
        end += 1
    for stop in range(end, pos, -1):
        candidate = text[pos:stop]
        if candidate[-1] in " 　・氏様殿" or not _boundary_after(text, stop) or \
                (stop < len(text) and text[stop].isdigit() and not _AGE_AFTER.match(text, stop)):
            continue  # 「田中町2丁目」: a number glued to a word, unless it is an age (ゆうと5歳)
        if is_name(candidate, allow):
            return pos, stop
        if stop < len(text) and text[stop] in "(（" and len(candidate) > 1 and is_name(candidate, replace(allow, surname_words=True)):
            return pos, stop  # 根本（市民課）: a name and its affiliation
    return None


def name_before(text: str, end: int, allow: Allow, limit: int = 12) -> tuple[int, int] | None:
    """The name that ends at ``end``, as (start, end), or None (the best-scored of the possible starts)."""
    start = end
    while start > 0 and end - start < limit and _RUN_CHARS.match(text[start - 1]) and text[start - 1] != "・":
        start -= 1
    best: tuple[int, int, int] | None = None
    for s in range(start, end):
        candidate = text[s:end]
        if candidate[0] in " 　" or (s > 0 and _script(text[s - 1]) == _script(text[s]) and _script(text[s]) in "KT"):
            continue
        if s > 0 and _script(text[s]) == "H" and _script(text[s - 1]) == "H" and text[s - 1] not in "はがのをにもとへ":
            continue  # うちの|ちの: a hiragana name starts after a particle
        if text[s] in "のはがをにもとへで" and s + 1 < end and _script(text[s + 1]) == "H" and is_name(text[s + 1 : end], allow):
            continue  # 長女のさくら: the particle is not part of the name (のぞみ alone still is a name)
        stripped = candidate
        p = NAME_PREFIXES.match(stripped)
        if p and p.end() < len(stripped):
            continue  # 担当山田: the name starts after the prefix, tried at a later start
        if is_name(candidate, allow):
            rank = (_score(candidate), len(candidate))
            if best is None or rank > best[:2]:
                best = (*rank, s)
    return (best[2], end) if best else None


_EN_INTRO = re.compile(r"\b(?:I am|I'm|my name is|this is|name:)\s+([A-Z][a-z]+(?:\s[A-Z][a-z]+){1,2})", re.IGNORECASE)


def find_context_names(text: str) -> list[Candidate]:
    """Name spans in the normalised ``text`` found through kinship, ages, lists, addresses and full-name readings."""
    out: list[Candidate] = []

    def add(span: tuple[int, int] | None) -> None:
        if span and span[1] > span[0]:
            out.append(Candidate("person_name", *span))

    for m in _KIN_BEFORE.finditer(text):
        sep = m.group("sep")
        if sep in ("は", "が", "、"):  # 夫は…, 息子、それに…: weaker than 長男・ or 長男の
            span = name_after(text, m.end(), KIN_WEAK)
        elif not sep:  # 夫清は, 長男健太: glued to the kinship word (長男一家 is not a name: 一家 is a common word)
            span = name_after(text, m.end(), KIN_GLUED)
            if span and span[1] - span[0] > 1 and text[span[0] : span[1]] in lexicon().common_words:
                span = None
        elif sep == "の":  # a guess after の only when no の follows (主人の国保の保険証)
            span = name_after(text, m.end(), KIN_BEFORE_KNOWN) or name_after(text, m.end(), KIN_BEFORE)
            if span and span[1] < len(text) and text[span[1]] == "の" and not is_name(text[span[0] : span[1]], KIN_BEFORE_KNOWN):
                span = None
        else:
            span = name_after(text, m.end(), KIN_BEFORE)
        if span and (sep or _is_kanji(text[span[0]])):
            add(span)
    for m in _KIN_AFTER.finditer(text):
        add(name_before(text, m.start(), KIN_AFTER))
    for m in _AGE.finditer(text):
        end = m.start()
        if m.group(0)[0].isdigit() or m.group(0)[0] in "一二三四五六七八九十":
            # Glued to the number (「おおむね1か月」「満6歳」「はなこ2歳」): mostly an adverb or a prefix before a
            # duration, so only a name the lexicon knows will do, never a guess.
            years = not re.search(r"か月|ヶ月|カ月", m.group(0))  # 「ひなた2歳」 but 「ほぼ1か月」
            span = name_before(text, end, AGE_GLUED_YEARS if years else AGE_GLUED)
            if span and span[1] - span[0] == 1 and text[span[0]] not in ONE_KANJI_GIVEN:
                span = None  # 満6歳: a prefix, not a name
            add(span or _one_kanji_name_before(text, end))
            continue
        span = name_before(text, end, KIN_BEFORE)
        if span is None and end > 0 and text[end - 1] in "(（":
            span = name_before(text, end - 1, KIN_BEFORE)
        add(span)
    for m in _LIST_LABEL.finditer(text):
        span = name_after(text, m.end(), LIST)
        add(span)
    for m in _ROLE_BEFORE.finditer(text):
        add(name_after(text, m.end(), LIST))
    for m in _ROLE_AFTER.finditer(text):
        add(name_before(text, m.start(), LIST))
    for m in _SPEAKER.finditer(text):
        name = m.group("name").strip()
        if name and is_name(name, LIST_STRONG if m.group("role") else LIST):
            start = m.start("name") + m.group("name").index(name[0])
            add((start, start + len(name)))
    for m in _ADDRESS_END.finditer(text):
        add(name_after(text, m.end(), LIST))
    for m in re.finditer(r"(?:丁目|番地?|号)の", text):  # 若葉台2丁目の河合ですけど
        span = name_after(text, m.end(), LIST)
        if span and _INTRO_END.match(text, span[1]):
            add(span)
    for m in re.finditer(rf"[{K}{KATA}ぁ-ゖ]の(?=[{K}{KATA}ぁ-ゖ])", text):  # みどり建設の原口でございます
        span = name_after(text, m.end(), LIST)
        if span and _INTRO_END.match(text, span[1]):
            add(span)
    for m in _ORG_OF.finditer(text):  # 株式会社みどりテックの近江です
        span = name_after(text, m.end(), LIST)
        if span and _INTRO_END.match(text, span[1]):
            add(span)
    for m in _FAMILY_TITLE.finditer(text):
        if m.group(0) == "くん" and verb_before_kun(text, m.start()):
            continue
        add(name_before(text, m.start(), KIN_BEFORE if m.group(0) in ("ママ", "パパ") or "ちゃん" in m.group(0) else KIN_AFTER))
    for m in _LABEL_VALUE.finditer(text):
        add(name_after(text, m.end(), KIN_AFTER))
    for m in _INTRO.finditer(text):
        span = name_after(text, m.end(), KIN_AFTER)
        if span and _INTRO_END.match(text, span[1]):
            add(span)
    for m in _EN_INTRO.finditer(text):
        add((m.start(1), m.end(1)))
    out.extend(_full_names(text))
    # A name in a list brings the names listed with it: 「佐藤、鈴木、高橋」「結衣と芽依」「真鍋 蒼・真鍋 葵」.
    for c in sorted(out, key=lambda c: c.start):
        _continue_list(text, c.end, LIST_AND_GIVEN if _is_given_only(text[c.start : c.end]) else LIST, add)
    return out


LIST_AND_GIVEN = Allow(surname=True, given=True, guess=True, kana_guess=True)


def _is_given_only(name: str) -> bool:
    """A name written as a given name alone (健太, りく): the names listed with it are likely given names too."""
    return " " not in name and not _surname(name[:2]) and not _surname(name[:1]) and not _split_full(name, FULL)


def _continue_list(text: str, pos: int, allow: Allow, add) -> None:
    """Names listed one after another from ``pos`` (「、鈴木、高橋」, 「（41）、妻智子（39）」, 「と芽依」)."""
    for _ in range(20):
        paren = re.match(r"\s*[(（][^()（）\n]{1,14}[)）]|\s?(?:\d{1,3}|[一二三四五六七八九十]{1,3})\s?(?:歳|才|さい)", text[pos:])
        if paren:  # 「（41）、妻智子」「はなこ2歳とゆうと5歳」: an age in or out of parentheses
            pos += paren.end()
        sep = re.match(r"\s*(?:[、,，・/／]|と(?=[^\s]))\s*", text[pos:])
        if not sep:
            return
        pos += sep.end()
        kin = re.match(rf"(?:{_KIN})(?:[・:：]|(?=[{K}{KATA}ぁ-ゖ\s]))", text[pos:])
        if kin:  # 夫剛（41）、妻智子（39）
            pos += kin.end()
        span = name_after(text, pos, allow)
        if not span or not _list_item_end(text, span[1]):
            return
        add(span)
        pos = span[1]


def _list_item_end(text: str, end: int) -> bool:
    """A list item ends at a separator, a parenthesis, a particle or the end of the sentence."""
    return end >= len(text) or bool(re.match(r"[、,，・/／()（）\s。]|と|の|が|は|を|に|も|です|さん|氏|委員|[0-9]", text[end:]))


_FREE_KANJI = re.compile(rf"(?<![{K}{KATA}])[{K}]{{3,6}}(?![{K}])")
_FREE_KANA_AFTER_KANJI = re.compile(rf"(?<![{K}])([{K}]{{1,3}})([{HIRA}{KATA}]{{2,5}})")
_FREE_KANA_SPACED = re.compile(rf"(?<![{HIRA}])[{HIRA}]{{2,14}}[ 　][{HIRA}]{{2,5}}(?![{HIRA}])|(?<![{KATA}])[{KATA}]{{2,8}}[ 　][{KATA}]{{2,6}}(?![{KATA}])")
_FREE_KANA = re.compile(rf"[{HIRA}]{{5,}}|[{KATA}]{{4,}}")


def _kana_full_name(text: str, start: int, run: str) -> int | None:
    """End of a kana full name (surname reading + given reading) starting at ``start``, or None."""
    lex = lexicon()
    for stop in range(min(len(run), 11), 3, -1):
        piece = run[:stop]
        if not _boundary_after(text, start + stop):
            continue
        parts = re.split(r"[ 　]", piece)
        if len(parts) == 2:
            if _surname(parts[0]) and _kana_given(parts[1], True):
                return start + stop
            continue
        if _VERB_END.search(to_hiragana(piece)):
            continue
        for k in range(2, len(piece) - 1):
            head = to_hiragana(piece[:k])
            if len(head) >= 3 and head in lex.common_surname_readings and _kana_given(piece[k:], False) and \
                    len(piece[k:]) >= 2:  # glued kana (やまだはなこ): only a common surname's reading, else オカ+リナ
                return start + stop
    return None


def _full_names(text: str) -> list[Candidate]:
    """Full names with no context: a known surname plus a known given name, in kanji, kana or both."""
    lex = lexicon()
    out = []
    for m in _FREE_KANJI.finditer(text):
        s = m.group(0)
        p = NAME_PREFIXES.match(s)
        start = m.start() + (p.end() if p and p.end() < len(s) - 1 else 0)
        s = text[start : m.end()]
        for k in range(min(4, len(s) - 2), 0, -1):
            head, tail = s[:k], s[k:]
            if (head in COMMON_SURNAMES or (head in lex.surnames and head not in lex.surname_words and k >= 2)) and \
                    tail in lex.given and tail not in lex.given_words and len(tail) >= 2 and tail not in lex.common_words:
                out.append(Candidate("person_name", start, m.end()))
                break
    for m in _FREE_KANA_AFTER_KANJI.finditer(text):
        head, tail = m.group(1), m.group(2)
        if (head in COMMON_SURNAMES or (head in lex.surnames and head not in lex.surname_words)) and \
                _kana_given(tail, True) and _boundary_after(text, m.end()):
            out.append(Candidate("person_name", m.start(), m.end()))
    for m in _FREE_KANA_SPACED.finditer(text):
        head_run, tail = m.group(0).split(maxsplit=1)
        for i in range(len(head_run) - 1):
            if i and to_hiragana(head_run[i - 1]) not in "はがのをにもとへ":
                continue
            head = head_run[i:]
            if _surname(head) and (_kana_given(tail, True) or (to_hiragana(head) in lex.common_surname_readings and
                                                                _kana_given(tail, True, guess=True, katakana_guess=True))) \
                    and _boundary_after(text, m.end()):
                out.append(Candidate("person_name", m.start() + i, m.end()))
                break
    for m in _FREE_KANA.finditer(text):
        run = m.group(0)
        for i in range(max(1, len(run) - 3)):
            if i and to_hiragana(run[i - 1]) not in "はがのをにもとへ、 　":
                continue  # inside a word: a name starts after a particle or where the run starts
            found = _kana_full_name(text, m.start() + i, run[i:])
            if found:
                out.append(Candidate("person_name", m.start() + i, found))
                break
    return out

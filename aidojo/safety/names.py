"""Person names: a kanji/kana run before さん/様/氏/殿 or a job title, values of 氏名:/【届出人】 fields,
self-introductions (…と申します, 山田です), a common surname followed by a given name, Mr./Ms. names.

Hand-written because Janome is only an optional extra here, loads a dictionary and still misses many
surnames; honorifics, titles and form labels are the dependable signal in municipal text.
"""

from __future__ import annotations

import re

from aidojo.safety.name_lexicon import COMMON_SURNAMES, NAME_PREFIXES, NOT_NAME_SUFFIX, NOT_NAMES
from aidojo.safety.names_context import KINSHIP_WORDS, find_context_names, verb_before_kun
from aidojo.safety.pii_types import Candidate

_KANJI = "一-龥々〆ヶ"
_KATA = "ァ-ヶー・"
_HONORIFIC = re.compile(r"(?:さん|さま|様|氏|殿|くん|君|ちゃん)(?![式子相々態名族堂下])")
_KANJI_RUN = re.compile(
    rf"[{_KANJI}]{{1,10}}(?:[ 　]?(?![のはがをにでともへやおご])[ぁ-ん]{{2,4}}|[ 　][{_KANJI}]{{1,4}})?$"
)
_KATA_RUN = re.compile(rf"[{_KATA}]{{2,16}}(?:[ 　][{_KATA}]{{2,10}})?$")
_PAREN_BEFORE = re.compile(r"[(（][^()（）]{1,24}[)）]$")
_FIELD_LABEL = (
    r"(?:氏名|お名前|名前|申請者名|相談者名|届出人|申請者|請求者|相談者|来庁者|代表者名|代表者|保護者|世帯主名|世帯主|"
    r"口座名義|名義人|名義|受取人|契約者|担当者|担当|記入者|作成者|代理人|後見人|連絡者|緊急連絡先|フリガナ|ふりがな|name)"
)
_LABEL_NOTE = r"(?:\([^()\n]{1,8}\))?"  # 氏名（漢字）, 氏名(カナ)
_NOT_FIELD_WORDS = r"(?!電話|連絡|生年|住所|メール|年齢|性別|職業|続柄|勤務|携帯|口座|個人番号|マイナンバー|tel|TEL|〒|郵便)"
_FIELD = re.compile(
    _FIELD_LABEL + _LABEL_NOTE + r"\s*[:]\s*"
    rf"([{_KANJI}{_KATA}ぁ-ん]{{1,8}}(?:[ 　]{_NOT_FIELD_WORDS}[{_KANJI}{_KATA}ぁ-ん]{{1,8}})?)",
    re.IGNORECASE,
)
_FIELD_WA = re.compile(
    r"(?:氏名|お名前|名前)は\s*"
    rf"([{_KANJI}{_KATA}]{{2,8}}(?:[ 　][{_KANJI}{_KATA}]{{1,8}})?)(?=です|で[、。]|と|、|。|\s|$)"
)
_FIELD_BARE = re.compile(  # 名義今井 美咲 / 相談者丸山さくら: the label glued to the name
    r"(?:口座名義|名義人|名義|請求者|届出人|申請者)\s*(?!氏名|名前|住所|電話|連絡|生年|の|は|が)"
    rf"([{_KANJI}{_KATA}]{{1,4}}(?:[ 　]?(?![のはがをにでともへやおご])[ぁ-ん]{{2,4}}|[ 　]?[{_KANJI}]{{1,3}}|[ 　][{_KATA}]{{2,8}})?)"
)
_SELF_INTRO = re.compile(  # お問い合わせした高橋 蓮です / 私は山田です
    r"(?:した|しました|私は|私、|わたしは|わたくし|こんにちは、?|こんばんは、?|はじめまして、?|初めまして、?|"
    r"お世話になっております。?|お世話になります。?)"
    rf"([{_KANJI}]{{1,4}}(?:[ 　]?(?![のはがをにでともへやおご])[ぁ-ん]{{2,4}}|[ 　]?[{_KANJI}]{{1,3}})?|[{_KATA}]{{2,12}})"
    r"(?:です|でございます|と申します)"
)
_NOT_PARTICLE = "(?![のはがをにでともへやおご])"
_GIVEN_KANJI = rf"(?:(?!様|殿|氏|君)[{_KANJI}]){{1,3}}"  # a given name stops before an honorific
_GIVEN_KANA = r"(?:(?!さん|さま|ちゃん|くん|です|でし|でご|と申)[ぁ-ん]){2,4}"
_SENTENCE_INTRO = re.compile(  # 山田花子です。 at the start of a sentence (checked against COMMON_SURNAMES)
    rf"(?:^|(?<=[。\n、！？!?\s]))([{_KANJI}]{{1,4}}(?:[ 　]?{_GIVEN_KANJI}|[ 　]?{_NOT_PARTICLE}{_GIVEN_KANA})?)"
    r"(?=です|でございます|と申します)"
)
_TITLE = re.compile(
    r"(?:課長補佐|課長|係長|部長|局長|所長|室長|次長|主任|主査|主事|主幹|参事|先生|議員|委員長|委員|副市長|市長|准教授|教授|医師|弁護士)"
)
_TITLE_BEFORE = re.compile(_TITLE.pattern + "$")
_PERSON_ONLY_TITLES = {"先生", "議員", "副市長", "市長", "教授", "医師", "弁護士"}  # a department never precedes these
_FIELD_SPACED = re.compile(  # 申請者氏名 内藤 美和 / フリガナ ナイトウ ミワ: label and value separated by a space
    r"(?:氏名|お名前|フリガナ|ふりがな|口座名義|名義人)(?:[ 　\t]+|\([^()\n]{1,8}\)\s*)"
    rf"([{_KANJI}{_KATA}]{{1,8}}(?:[ 　]{_NOT_FIELD_WORDS}[{_KANJI}{_KATA}ぁ-ん]{{1,8}})?)"
)
_CARE_OF = re.compile(r"(?<![様殿])方(?![向法針式面角々法])")  # 松岡方 (c/o): surnames only
_RELATION_PAREN = re.compile(  # 加害者は夫（松井 剛）/ 代理人（平田 修）
    r"(?:夫|妻|父|母|長男|長女|次男|次女|息子|娘|兄|姉|弟|妹|祖父|祖母|代理人|保護者|加害者|相手方?|相談者|本人|"
    r"申請者|請求者|世帯主|配偶者|元夫|元妻|担当|担当者)(?:\(|[ 　]+(?=[^()\s]{1,4}[ 　][^()\s]{1,3}))"
    rf"([{_KANJI}]{{1,4}}(?:[ 　]?[{_KANJI}]{{1,3}})?|[{_KATA}]{{2,16}}(?:[ 　][{_KATA}]{{2,10}})?)(?=[)、。\s]|$)"
)
_BRACKET_FIELD = re.compile(  # 【届出人】北村 一樹 / [氏名] 山田太郎
    r"[【\[](?:氏名|お名前|名前|届出人|申請者|相談者|代表者|保護者|世帯主|世帯員|同居人|家族|口座名義|名義人|名義|"
    r"担当者?|記入者|代理人|フリガナ|ふりがな|緊急連絡先)[】\]]\s*"
    rf"([{_KANJI}{_KATA}ぁ-ん]{{1,8}}(?:[ 　]{_NOT_FIELD_WORDS}[{_KANJI}{_KATA}ぁ-ん]{{1,8}})?)"
)
_INTRO_AFTER = re.compile(  # 佐々木っていいます / ヤマモトと名乗り
    rf"(?:^|(?<=[、。「\sはがも]))([{_KANJI}]{{1,4}}(?:[ 　]?[{_KANJI}]{{1,3}})?|[{_KATA}]{{2,12}})"
    r"(?=って(?:いい|言い|いう|言う)|と(?:いい|言い)ます|という名前|と名乗)"
)
_SURNAME_SPACE_GIVEN = re.compile(  # 市民課 原 亜希子: a common surname, a space, a given name
    rf"(?<![{_KANJI}])(?=([{_KANJI}]{{1,4}}[ 　]{_NOT_FIELD_WORDS}(?:{_GIVEN_KANJI}|{_NOT_PARTICLE}{_GIVEN_KANA}))"
    rf"(?![{_KANJI}]))"
)  # a lookahead, so that 「組 石井 蒼」 still yields 「石井 蒼」
_STAFF_INTRO = re.compile(  # 市民課の原です / 環境課 藤本
    rf"(?:課|係|室|部|局|センター|担当)(?:の|\s+)([{_KANJI}]{{1,4}}(?:[ 　]?[{_KANJI}]{{1,3}})?)"
    rf"(?=です|でございます|が担当|と申します|\(|[、。\s]|$)"
)
_HIRAGANA_NAME = re.compile(  # ママ友のさとみさん: a hiragana given name after a particle
    r"(?:^|(?<=[のとはがにへ、。「\s]))((?![おご])[ぁ-ん]{2,4})(?=さん|ちゃん|くん)"
)
_NOT_HIRAGANA_NAMES = {"みな", "みんな", "あなた", "そちら", "こちら", "どなた", "だれ", "どちら", "あちら", "ねえ", "にい", "あか",
                       "ばあ", "じい", "おば", "おじ", "まま", "ぱぱ", "かあ", "とう", "よめ", "むこ", "あんた", "てん"}
_EN_FIELD = re.compile(r"\b(?i:name|full\s?name|氏名|名前)\s*:\s*([A-Z][a-zA-Z'\-]+(?:\s+[A-Z][a-zA-Z'\-]+){0,3})")
_NAME_RELATION_AFTER = re.compile(  # 長尾 由香（妻）、長尾 陽太（長男）: a name followed by its family relation
    rf"(?<![{_KANJI}])([{_KANJI}]{{1,4}}[ 　][{_KANJI}ぁ-ん]{{1,4}}|[{_KATA}]{{2,10}}[ 　][{_KATA}]{{2,10}})"
    r"(?=\((?:妻|夫|長男|長女|次男|次女|三男|三女|子|父|母|義父|義母|祖父|祖母|孫|兄|姉|弟|妹|本人|世帯主|同居人)\))"
)
_LATIN_NAME_JA = re.compile(  # 引っ越すTran Van Minhです / John Smithさん
    r"(?<![A-Za-z])([A-Z][a-z]+(?:\s[A-Z][a-z]+){1,3})(?=\s?(?:です|と申します|さん|様|氏|と言います|といいます))"
)
_EN_NAME = re.compile(r"\b(?:Mr|Ms|Mrs|Miss|Mx|Dr|Prof)\.?\s+([A-Z][a-zA-Z'\-]+(?:\s+[A-Z][a-zA-Z'\-]+)?)")
_FIELD_STOP = re.compile(r"(?:です|でした|さん|様|氏|と申します|が|を|に|の|で|と)$")
_NOT_FIELD_VALUES = {"必須", "不明", "未記入", "任意", "空欄", "記入", "省略", "非公開", "匿名", "無記名", "不要", "自署", "同上",
                     "など", "まで", "から", "です", "ます", "について", "とか", "や", "も", "の"}
_SIGNATURE = re.compile(  # …不安があります。山田花子より: a signature at the end of a message
    rf"(?:^|(?<=[。\n\s、]))([{_KANJI}]{{1,4}}(?:[ 　]?[{_KANJI}]{{1,3}})?)より(?=\s*$)", re.M
)
_PARTICLE_START = re.compile(r"^(?:です|でし|でご|と申|と言|さん|さま|様|から|より|まで|[がをにはのでともへや])")
_PHRASE = re.compile(rf"[{_KANJI}](?:の|が|を|に|は|で|へ|から)")  # 家賃の支払いが…: a phrase, not a name
_MOUSHIMASU = re.compile(rf"([{_KANJI}]{{2,5}}(?:[ 　][{_KANJI}]{{1,4}})?|[{_KATA}]{{2,12}})と申します")




def _surname_prefix(value: str) -> str:
    """The longest common surname ``value`` starts with ("" when none)."""
    for k in range(min(4, len(value)), 0, -1):
        if value[:k] in COMMON_SURNAMES:
            return value[:k]
    return ""


def _starts_with_surname(value: str) -> bool:
    """A common surname, alone or followed by a given name (after a one-kanji surname, only after a space or in kana:
    森林 and 原因 are words, not 森 + 林)."""
    surname = _surname_prefix(value)
    if not surname:
        return False
    rest = value[len(surname) :]
    return not (len(surname) == 1 and rest and re.match(rf"[{_KANJI}]", rest))


def _name_before(text: str, end: int) -> int | None:
    """Start of a plausible name ending at ``end`` (just before an honorific), or None."""
    window = text[max(0, end - 16) : end]
    m = _KANJI_RUN.search(window) or _KATA_RUN.search(window)
    if not m:
        return None
    start = end - len(window) + m.start()
    name = text[start:end]
    while (p := NAME_PREFIXES.match(name)) and p.end() < len(name):
        start += p.end()
        name = name[p.end() :]
    first = name.split()[0] if name.split() else name
    if len(first) > 6 and m.re is _KANJI_RUN:  # a long kanji run: keep its tail (the name), drop the noun phrase before it
        start += len(first) - 6
        name = name[len(first) - 6 :]
    name = name.strip()
    if not name or name in NOT_NAMES or NOT_NAME_SUFFIX.search(name):
        return None
    if start > 0 and text[start - 1] in "おご御" and len(name) <= 2:  # お客様, ご主人様, 御社様
        return None
    return start


def _titled_name_before(text: str, end: int) -> int | None:
    """Start of a name before a job title: a common surname (+ given name) or a katakana full name."""
    kata = re.search(rf"[{_KATA}]{{2,8}}・[{_KATA}・]{{2,16}}$", text[max(0, end - 24) : end])
    if kata:
        return end - len(kata.group(0))
    window = text[max(0, end - 8) : end]
    m = re.search(rf"[{_KANJI}]{{1,6}}(?:[ 　][{_KANJI}]{{1,3}})?$", window)
    if not m:
        return None
    run = m.group(0)
    for i in range(len(run)):
        head = run[i:].split()[0] if run[i:].strip() else ""
        surname = _surname_prefix(head)
        if surname and len(head) - len(surname) <= 3:
            if 0 < i and len(run) <= 3 and run[i - 1] not in "課部局室係所":  # 小堀: a rarer surname ending in a common one
                i = 0
            return end - len(run) + i
    return None


def find_person_names(text: str) -> list[Candidate]:
    """Candidate name spans in the normalised ``text`` (overlaps are merged by the caller)."""
    out: list[Candidate] = []
    for m in _HONORIFIC.finditer(text):
        end = m.start()
        if verb_before_kun(text, end):  # 届くん？ is 届く + ん, not a name
            continue
        paren = _PAREN_BEFORE.search(text, max(0, end - 30), end)
        if paren:  # 山田太郎（やまだ たろう）さん: the name sits before the parenthesis
            end = paren.start()
        while end > 0 and text[end - 1] in " 　":  # 大森 勝 様
            end -= 1
        title = _TITLE_BEFORE.search(text, max(0, end - 6), end)
        if title:  # 亀井部長様: the name sits before the title (総務部長様 gets masked too: over-masking is safer)
            end = title.start()
        start = _name_before(text, end)
        if start is not None:
            out.append(Candidate("person_name", start, end))
    for m in _TITLE.finditer(text):
        start = _titled_name_before(text, m.start())
        if start is None and m.group(0) in _PERSON_ONLY_TITLES:
            start = _name_before(text, m.start())
        if start is not None:
            out.append(Candidate("person_name", start, m.start()))
    for m in _CARE_OF.finditer(text):
        start = _titled_name_before(text, m.start())
        if start is not None and text[start : m.start()].strip():
            out.append(Candidate("person_name", start, m.start()))
    for m in _HIRAGANA_NAME.finditer(text):
        if m.group(1) not in _NOT_HIRAGANA_NAMES:
            out.append(Candidate("person_name", m.start(1), m.end(1)))
    for pattern in (_SENTENCE_INTRO, _SURNAME_SPACE_GIVEN, _STAFF_INTRO, _SIGNATURE):
        for m in pattern.finditer(text):
            if _starts_with_surname(m.group(1)):
                out.append(Candidate("person_name", m.start(1), m.end(1)))
    for pattern in (_FIELD, _FIELD_WA, _FIELD_SPACED, _FIELD_BARE, _SELF_INTRO, _RELATION_PAREN, _BRACKET_FIELD,
                    _INTRO_AFTER, _EN_NAME, _EN_FIELD, _NAME_RELATION_AFTER, _LATIN_NAME_JA):
        for m in pattern.finditer(text):
            value = m.group(1)
            # 「[氏名]です」: the word after a label or a placeholder is not a name; nor is a phrase after 相談者：
            if _PARTICLE_START.match(value) or (pattern is _FIELD and _PHRASE.search(value)):
                continue
            stop = _FIELD_STOP.search(value)
            end = m.end(1) - (len(stop.group(0)) if stop and stop.start() > 0 else 0)
            if end > m.start(1) and text[m.start(1) : end] not in _NOT_FIELD_VALUES:
                out.append(Candidate("person_name", m.start(1), end))
    for m in _MOUSHIMASU.finditer(text):
        start, end = m.start(1), m.end(1)
        name = text[start:end]
        p = NAME_PREFIXES.match(name)
        if p and p.end() < len(name):
            start += p.end()
        out.append(Candidate("person_name", start, end))
    out.extend(find_context_names(text))
    return [c for c in out if text[c.start : c.end].strip() not in _NEVER_NAMES]


# Words some patterns can pick up where a name usually stands (電話した者です, 私は三男です, 保護者（父）).
_NEVER_NAMES = NOT_NAMES | KINSHIP_WORDS | {"者", "私", "僕", "俺", "自分", "本人", "当方", "こちら", "私共", "弊社", "当社", "明治", "大正",
                                             "昭和", "平成", "令和"}

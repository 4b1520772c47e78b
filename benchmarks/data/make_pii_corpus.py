"""Generate the labelled PII corpus for ``benchmarks/pii.py`` (synthetic, fictional people, みどり市).

Run: python benchmarks/data/make_pii_corpus.py  → writes benchmarks/data/pii_corpus.jsonl
Each line: {"id", "context", "text", "spans": [{"kind", "start", "end", "value"}]}.
Every name, number and address is made up; My Numbers and card numbers carry valid check digits.
Gold conventions: phone spans include parentheses; postal codes are the digits without 〒; names exclude
honorifics; addresses run from the prefecture/city to the room number.
"""

from __future__ import annotations

import json
import os
import random
import re
import tempfile
from pathlib import Path

OUT = Path(__file__).with_name("pii_corpus.jsonl")
# Hand-written sentences, labelled inline as ⟦kind:value⟧, written after the detectors were tuned on the
# generated part. Their first run (before fixes for 「氏名 値」 fields, 〇〇方, ゆうちょ 1xxxx-xxxxxxxx and a wider
# My Number context) gave overall recall 0.837 and an 11.6% character leak rate.
FRESH = Path(__file__).with_name("pii_fresh.txt")
# A second hand-written batch; its first run (before 5 fixes: 「氏名（漢字）」「代理人（…）」, greetings before a
# name, spaced-out My Numbers, 「口座番号（7桁）」) gave P 0.969, R 0.795 and a 17.5% character leak rate.
HELDOUT = Path(__file__).with_name("pii_heldout.txt")
# A third batch (chat, call logs, 【】 forms, staff e-mails); its first run gave P 1.000, R 0.621 and a 20.2%
# character leak rate, names being the weak spot (recall 0.25), before the fixes in names.py that followed.
HELDOUT2 = Path(__file__).with_name("pii_heldout2.txt")
# A fourth batch (shelters, tax arrears, schools, foreign residents, complaints, case notes, SNS, assembly); its first
# run gave P 0.952, R 0.667 and a 21.0% character leak rate (names: recall 0.444), before the fixes that followed.
HELDOUT3 = Path(__file__).with_name("pii_heldout3.txt")
# A fifth batch (written last). Its first run, before fixes for more 【】 labels, 「名前（続柄）」, Latin names before
# です/さん and 「2の5の8」 addresses, gave P 0.889, R 0.780 and a 13.8% character leak rate (names: recall 0.60;
# every false positive was the city's own public number or address).
HELDOUT4 = Path(__file__).with_name("pii_heldout4.txt")
# Four batches for issue 14 (written before the detectors were changed for them), one per persona: citizens at a
# counter talking about their family (names without honorifics, kinship words, hiragana/katakana names, dates of
# birth), case workers' notes, minutes (attendee lists, role labels), chat messages. Their first run is in the
# benchmark's titles (benchmarks/pii.py).
NEW_BATCHES: tuple[tuple[str, str, str], ...] = (
    ("pii_family.txt", "family", "fa"),
    ("pii_casenotes.txt", "casenotes", "cn"),
    ("pii_minutes.txt", "minutes", "mn"),
    ("pii_chat.txt", "chat", "ch"),
    # written after the detectors were tuned on the four batches above: how well the rules generalise
    ("pii_heldout5.txt", "sixth", "u"),
    # honest questions the go-live gate met (「届くん？」「おおむね1か月」) next to children's names with くん and ages
    ("pii_golive.txt", "golive", "g"),
)
_MARK = re.compile(r"⟦(\w+):([^⟧]+)⟧")
RNG = random.Random(20261123)

SURNAMES = ("山田 佐藤 鈴木 高橋 田中 伊藤 渡辺 中村 小林 加藤 吉田 山本 松本 井上 木村 林 清水 森 池田 橋本 "
            "石川 前田 藤田 岡田 長谷川 村上 近藤 坂本 遠藤 青木 西村 福田 太田 三浦 藤井 岡本 松田 中島 原田 小野 "
            "竹内 金子 和田 中野 田村 安藤 河野 上田 大野 高木 工藤 内田 丸山 今井 酒井 宮崎 横山 野口").split()
GIVEN = "太郎 花子 一郎 美咲 健太 陽子 大輔 直美 翔太 由美 誠 恵 浩二 明美 拓也 さくら ひなた 結衣 蓮 悠人 和子 正雄".split()
KATAKANA_NAMES = ["マリア・ガルシア", "グエン・ヴァン・アン", "ジョン・スミス", "リー・ミン", "アナ・シルバ", "ラジ・パテル"]
ROMAJI = "yamada sato suzuki takahashi tanaka ito watanabe nakamura kobayashi kato yoshida yamamoto".split()
WARDS = ["中央区", "緑区", "北区", "南区", "東区", "西区", "若葉区"]
TOWNS = ["本町", "若葉台", "桜ケ丘", "旭町", "みなと町", "青葉", "新田", "栄町", "緑が丘", "東浜", "松原", "川口町"]
BUILDINGS = ["みどりハイツ", "グリーンコート", "サンライズ若葉", "コーポ旭", "パークサイド本町"]
DASHES = ["-", "-", "-", "‐", "‑", "–", "—", "―", "−", "ー", "ｰ", "－"]
FW = str.maketrans("0123456789-()@.", "０１２３４５６７８９－（）＠．")
KANJI_DIGITS = "〇一二三四五六七八九"


def fw(s: str) -> str:
    return s.translate(FW)


def digits(n: int) -> str:
    return "".join(RNG.choice("0123456789") for _ in range(n))


def my_number_digits(valid: bool = True) -> str:
    body = str(RNG.randint(1, 9)) + digits(10)
    total = sum(int(d) * w for d, w in zip(body, (6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)))
    r = total % 11
    check = 0 if r <= 1 else 11 - r
    if not valid:
        check = (check + RNG.randint(1, 9)) % 10
    return body + str(check)


def luhn_digits(prefix: str, length: int, valid: bool = True) -> str:
    body = prefix + digits(length - len(prefix) - 1)
    for c in "0123456789":
        total = 0
        for i, ch in enumerate(reversed(body + c)):
            d = int(ch) * (2 if i % 2 else 1)
            total += d - 9 if d > 9 else d
        if (total % 10 == 0) == valid:
            return body + c
    raise AssertionError


# ---- value makers: each returns the surface string of one PII value ----
def v_name() -> str:
    r = RNG.random()
    if r < 0.35:
        return RNG.choice(SURNAMES)
    if r < 0.75:
        return RNG.choice(SURNAMES) + RNG.choice(GIVEN)
    if r < 0.9:
        return RNG.choice(SURNAMES) + RNG.choice([" ", "　"]) + RNG.choice(GIVEN)
    return RNG.choice(KATAKANA_NAMES)


def v_fullname() -> str:
    return RNG.choice(SURNAMES) + RNG.choice(["", " ", "　"]) + RNG.choice(GIVEN)


def v_phone() -> str:
    kind = RNG.choice(["mobile", "mobile", "land", "land", "paren", "paren2", "free", "navi", "ip", "0800", "intl"])
    d = RNG.choice(DASHES)
    if kind == "mobile":
        s = f"0{RNG.choice('789')}0{d}{digits(4)}{d}{digits(4)}"
        if RNG.random() < 0.25:
            s = re.sub(r"\D", "", s)
    elif kind == "land":
        area = RNG.choice(["093", "092", "03", "06", "0948", "0949"])
        local = str(RNG.randint(2, 9)) + digits(10 - len(area) - 4 - 1)
        s = f"{area}{d}{local}{d}{digits(4)}"
        if RNG.random() < 0.2:
            s = s.replace(d, " ")
    elif kind == "paren":
        s = f"(093){RNG.choice(['', ' '])}{digits(3)}{d}{digits(4)}"
    elif kind == "paren2":
        s = f"093({digits(3)}){digits(4)}"
    elif kind == "free":
        s = f"0120{d}{digits(3)}{d}{digits(3)}"
    elif kind == "navi":
        s = f"0570{d}{digits(3)}{d}{digits(3)}"
    elif kind == "ip":
        s = f"050{d}{digits(4)}{d}{digits(4)}"
    elif kind == "0800":
        s = f"0800{d}{digits(3)}{d}{digits(4)}"
    else:
        s = RNG.choice([f"+81-90-{digits(4)}-{digits(4)}", f"+81-93-{RNG.randint(2, 9)}{digits(2)}-{digits(4)}"])
    return fw(s) if RNG.random() < 0.25 else s


def v_email() -> str:
    local = RNG.choice(ROMAJI) + RNG.choice([".", "_", ""]) + RNG.choice(["taro", "hanako", "k", "m", str(RNG.randint(1, 99))])
    domain = RNG.choice(["example.jp", "example.com", "mail.example.ne.jp", "city.midori.example.lg.jp"])
    s = f"{local}@{domain}"
    return fw(s) if RNG.random() < 0.1 else s


def v_postal() -> str:
    s = f"{digits(3)}-{digits(4)}"
    if RNG.random() < 0.2:
        s = s.replace("-", "")
    return fw(s) if RNG.random() < 0.2 else s


def v_address() -> str:
    city = RNG.choice(["みどり市", "みどり市", "みどり市", "緑川県みどり市", "福岡県みどり市"]) + RNG.choice(WARDS)
    town = RNG.choice(TOWNS)
    a, b, c = RNG.randint(1, 9), RNG.randint(1, 30), RNG.randint(1, 40)
    style = RNG.random()
    if style < 0.3:
        block = f"{a}丁目{b}番{c}号"
    elif style < 0.6:
        block = f"{a}-{b}-{c}"
    elif style < 0.7:
        block = f"{KANJI_DIGITS[a]}丁目{b}番地"
    elif style < 0.8:
        block = f"{RNG.randint(100, 2500)}番地"
    elif style < 0.9:
        block = fw(f"{a}-{b}-{c}")
    else:
        block = f"{a}丁目{b}-{c}"
    s = city + town + block
    if RNG.random() < 0.3:
        s += RNG.choice(["", " "]) + RNG.choice(BUILDINGS) + f"{RNG.randint(1, 9)}0{RNG.randint(1, 9)}号室"
    return s


def v_my_number() -> str:
    n = my_number_digits()
    r = RNG.random()
    if r < 0.3:
        n = f"{n[:4]} {n[4:8]} {n[8:]}"
    elif r < 0.5:
        n = f"{n[:4]}-{n[4:8]}-{n[8:]}"
    return fw(n) if RNG.random() < 0.25 else n


def v_my_number_invalid_in_context() -> str:
    return my_number_digits(valid=False)


def v_card() -> str:
    if RNG.random() < 0.2:
        n = luhn_digits("37", 15)
        return f"{n[:4]}-{n[4:10]}-{n[10:]}"
    n = luhn_digits(RNG.choice(["4", "5", "35"]), 16)
    sep = RNG.choice([" ", "-", ""])
    s = sep.join([n[0:4], n[4:8], n[8:12], n[12:16]])
    return fw(s) if RNG.random() < 0.15 else s


def v_account() -> str:
    return digits(7)


MAKERS = {
    "person_name": v_name,
    "fullname": v_fullname,
    "phone": v_phone,
    "email": v_email,
    "postal_code": v_postal,
    "address": v_address,
    "my_number": v_my_number,
    "my_number_ctx": v_my_number_invalid_in_context,
    "credit_card": v_card,
    "bank_account": v_account,
}
KIND_OF = {"fullname": "person_name", "my_number_ctx": "my_number"}

# ---- negative fillers (never labelled) ----
def n_date() -> str:
    return RNG.choice([f"2026-{RNG.randint(1, 12):02d}-{RNG.randint(1, 28):02d}", f"2026/{RNG.randint(1, 12)}/{RNG.randint(1, 28)}",
                       f"令和8年{RNG.randint(1, 12)}月{RNG.randint(1, 28)}日", fw(f"2026-{RNG.randint(1, 12):02d}-{RNG.randint(1, 28):02d}"),
                       f"{RNG.randint(1, 12)}月{RNG.randint(1, 28)}日（{RNG.choice('月火水木金')}）"])


def n_time() -> str:
    h = RNG.randint(8, 17)
    return RNG.choice([f"{h}:{RNG.choice(['00', '15', '30', '45'])}", f"{h}時{RNG.choice(['', '30分'])}",
                       f"{h}:00〜{h + 1}:30", f"{h:02d}:00-{h + 1:02d}:00"])


def n_price() -> str:
    v = RNG.choice([1200, 3500, 12000, 250000, 1234567, 980, 45000, 10000000])
    return RNG.choice([f"{v:,}円", f"¥{v:,}", f"{v}円", fw(f"{v:,}") + "円"])


def n_ref() -> str:
    return RNG.choice([f"R8-{digits(5)}", f"みど総第{RNG.randint(100, 9999)}号", f"A{digits(7)}",
                       f"{RNG.randint(2025, 2026)}-{digits(4)}", f"第{RNG.randint(1, 30)}-{RNG.randint(1, 9)}号",
                       f"{my_number_digits(valid=False)}"])


def n_count() -> str:
    return RNG.choice([f"{RNG.randint(2, 300)}件", f"{RNG.randint(2, 90)}名", f"{RNG.randint(1, 12)}-{RNG.randint(1, 31)}",
                       f"約{RNG.randint(1, 9)},{digits(3)}世帯", f"{RNG.randint(10, 99)}.{RNG.randint(0, 9)}%"])


def n_order() -> str:
    return luhn_digits("9", 16, valid=False)


NEGATIVES = {"date": n_date, "time": n_time, "price": n_price, "ref": n_ref, "count": n_count, "order": n_order}

# ---- templates: (context, text with {slots}) ----
TEMPLATES = [
    ("窓口記録", "{date}、{person_name}様が来庁。転入届の相談。連絡先は{phone}。"),
    ("窓口記録", "来庁者：{fullname}さん（{address}在住）。児童手当の申請書を受理。"),
    ("窓口記録", "{person_name}さんから住民票の写しの請求。本人確認書類はマイナンバーカード（個人番号{my_number}）。"),
    ("窓口記録", "{time}、市民課2番窓口で{person_name}様に印鑑登録証を交付した。手数料{price}。"),
    ("窓口記録", "転居先：〒{postal_code} {address}。旧住所の郵便物は転送手続き済み。"),
    ("窓口記録", "申請者 氏名：{fullname}　電話：{phone}　受付番号：{ref}"),
    ("窓口記録", "{date}受付、整理番号{ref}。申請者の{person_name}さんには{date}以降に再来庁をお願いした。"),
    ("窓口記録", "マイナンバー{my_number_ctx}の記載がありましたが、番号が誤っている可能性があるため確認中。"),
    ("窓口記録", "国民健康保険の加入手続き。世帯主{person_name}様、個人番号は{my_number}。"),
    ("窓口記録", "本日の来庁者数は{count}、平均待ち時間は{count}分でした。"),
    ("問い合わせメール", "みどり市 ご担当者様　先日お問い合わせした{fullname}です。返信は{email}までお願いします。"),
    ("問い合わせメール", "件名：粗大ごみの収集について　{address}に住んでいます。{date}に回収予定と聞きましたが来ていません。"),
    ("問い合わせメール", "お世話になります。{person_name}と申します。日中は{phone}に連絡いただけると助かります。"),
    ("問い合わせメール", "市税の口座振替の件です。みどり銀行 本店 普通{account_sp}{bank_account}、名義{fullname}で登録をお願いします。"),
    ("問い合わせメール", "ふるさと納税の寄附（{price}）をカード{credit_card}で支払いましたが、受領証明書が届きません。"),
    ("問い合わせメール", "メールアドレスを{email}に変更しました。今後の案内はこちらへお送りください。"),
    ("問い合わせメール", "イベント申込み　代表者：{fullname}　連絡先：{phone}　参加人数：{count}"),
    ("問い合わせメール", "{date}の説明会は{time}開始とのことですが、会場の{address_plain}は駐車場がありますか。"),
    ("問い合わせメール", "お問い合わせ番号{ref}の件で、{person_name}様へ折り返しのお電話をお願いします（{phone}）。"),
    ("問い合わせメール", "注文番号{order}の申込書を送付しました。請求金額は{price}です。"),
    ("相談メモ", "相談者{person_name}さん（70代）。{address}で一人暮らし。長女の{person_name}さんの携帯は{phone}。"),
    ("相談メモ", "生活保護の相談。家賃{price}、収入なし。口座番号{bank_account}への振込を希望。"),
    ("相談メモ", "{person_name}様より騒音の苦情。隣室の方とのトラブル。次回面談は{date}{time}。"),
    ("相談メモ", "DV相談につき住所秘匿。連絡は{email}のみ可。本人の同意を得て記録。"),
    ("相談メモ", "介護保険の申請支援。ケアマネジャーの{person_name}氏（{phone}）と連携する。"),
    ("相談メモ", "相談件数は前月比{count}、うち電話相談が{count}でした。"),
    ("相談メモ", "子育て支援課へ引継ぎ。保護者：{fullname}、住所：{address}、電話：{phone}。"),
    ("相談メモ", "{date}、{person_name}さん宅を訪問。〒{postal_code}、玄関先で面談した。"),
    ("電話メモ", "{time}に{person_name}様から電話（{phone}）。水道料金の請求額{price}について問い合わせ。"),
    ("電話メモ", "折り返し先：{phone}（平日{time}まで）。用件：保育所の入所申込み。"),
    ("電話メモ", "市外からの電話。+81で始まる番号からでしたが、番号は控えていません。"),
    ("電話メモ", "フリーダイヤルは{phone_free}、ナビダイヤルは{phone_navi}です。受付時間は{time}。"),
    ("申請書", "氏名：{fullname}　生年月日：{birth_date}　住所：{address}　電話番号：{phone}"),
    ("申請書", "振込先口座　みどり信用金庫　若葉支店　口座番号：{bank_account}　口座名義：{fullname}"),
    ("申請書", "個人番号：{my_number}　氏名：{fullname}"),
    ("申請書", "クレジットカード番号：{credit_card}　有効期限：12/28"),
    ("申請書", "郵便番号：{postal_code}　住所：{address}　メール：{email}"),
    ("議事録", "{date}の庁内会議。出席{count}。{person_name}課長補佐より予算{price}の説明があった。"),
    ("議事録", "次回会議は{date}{time}、本庁舎3階第2会議室で開催する。"),
    ("議事録", "令和8年度の実施件数は{count}、前年度比{count}増。事業費は{price}。"),
    ("FAQ", "住民票の写しは1通{price}です。本人確認書類をお持ちください。"),
    ("FAQ", "燃やすごみは週2回、{time}までに指定の集積所へ出してください。"),
    ("FAQ", "みどり市役所の開庁時間は平日{time}です。土日祝日はお休みです。"),
    ("FAQ", "申請様式はみどり市のホームページからダウンロードできます。お客様の声もお寄せください。"),
    ("FAQ", "市民の皆様へ：{date}から中央区役所の窓口が2階に移転します。"),
    ("FAQ", "担当者様へのお問い合わせは、同様の内容をまとめてお送りください。"),
    ("FAQ", "3番線のバスで市役所前まで約{count}分です。みどり市中央区の循環バスをご利用ください。"),
    ("FAQ", "文書番号{ref}の通知をお持ちの方は、保護者様の同意書を添えて提出してください。"),
    ("FAQ", "受付番号は{ref}の形式で発行されます。手数料は{price}、所要時間は{time}程度です。"),
    ("FAQ", "個人番号カードの交付は{date}から。予約は{count}まで受け付けます。"),
]
# Harder cases written after the detectors: odd formats, names without honorifics, public addresses and
# place names that are not personal data, numbers that look like PII. Not tuned against: gaps stay visible.
HARD_TEMPLATES = [
    ("窓口記録", "{person_name}様方、{fullname}さん宛ての郵便物が返戻。転居先不明。"),
    ("窓口記録", "{fullname}（ふりがな：{kana}）さん、{birth_date}生まれ。代理人はみどり商事様の担当者様。"),
    ("窓口記録", "担当：{surname}（市民課）。来庁者は{person_name}くん（中学生）と保護者の方。"),
    ("窓口記録", "電話は{kanji_phone}とのこと（漢数字で記入あり）。要確認。"),
    ("窓口記録", "住所は{kanji_address}。郵便番号は空欄。"),
    ("窓口記録", "個人番号：{my_number_ctx_spaced}（カード券面の番号と相違あり）"),
    ("問い合わせメール", "{email}より：ゆうちょ銀行 記号{yucho_kigo} 番号{yucho_bango}へ還付金を振り込んでください。"),
    ("問い合わせメール", "VISA {credit_card}で決済済みです。法人番号{corp_number}の事業者として申請しました。"),
    ("問い合わせメール", "携帯：{phone_spaced}　固定：{phone}　どちらでも構いません。"),
    ("問い合わせメール", "バス停「本町2丁目」で降りて、若葉台3丁目の公園の前の建物です。"),
    ("問い合わせメール", "みどり市役所（〒{public_postal} みどり市中央区本町1-1-1）の市民課宛てに送りました。"),
    ("相談メモ", "{surname}さんの奥様から相談。ご主人の{person_name}さんが入院中で、長男の携帯{phone}に連絡を希望。"),
    ("相談メモ", "本人の希望により氏名は伏せる。年齢{count}、世帯人数{count}、月収{price}。"),
    ("相談メモ", "相談者は{kata_name}さん（{country}出身）。通訳は{person_name}氏が担当。"),
    ("議事録", "第3-2-1号議案を可決。総務課長、財政課長、中央区長が出席。様式第3号の2を改正する。"),
    ("議事録", "予算額1,234,567千円、人口約{count}人。平成30年4月1日から令和8年3月31日までの計画。"),
    ("FAQ", "受付時間は8:30-17:15です。電話受付は平日のみ。郵便番号を必ず記入してください。"),
    ("FAQ", "マイナンバーカードの交付率は78.5%です。ISBN978-4-12-345678-9の冊子をご覧ください。"),
    ("FAQ", "口座振替の案内は普通郵便で送付します。預金残高1234567円以上の証明は不要です。"),
    ("FAQ", "番号案内：代表{city_phone}（みどり市役所）、夜間{city_phone}。"),
]
CONTEXT_EXTRA = {
    "account_sp": lambda: RNG.choice(["", " ", "預金 "]),
    "address_plain": lambda: RNG.choice(["みどり市民会館", "中央区役所", "若葉台公民館"]),
    "phone_free": lambda: f"0120-{digits(3)}-{digits(3)}",
    "phone_navi": lambda: f"0570-{digits(3)}-{digits(3)}",
    "kana": lambda: RNG.choice(["やまだ たろう", "さとう はなこ", "すずき いちろう"]),
    "surname": lambda: RNG.choice(SURNAMES),
    "kanji_phone": lambda: "〇九〇" + "".join(KANJI_DIGITS[int(d)] for d in digits(8)),
    "kanji_address": lambda: f"みどり市{RNG.choice(WARDS)}{RNG.choice(TOWNS)}{KANJI_DIGITS[RNG.randint(1, 9)]}丁目"
                             f"{KANJI_DIGITS[RNG.randint(1, 9)]}番{KANJI_DIGITS[RNG.randint(1, 9)]}号",
    "my_number_ctx_spaced": lambda: " ".join(re.findall(".{4}", my_number_digits(valid=False))),
    "yucho_kigo": lambda: "1" + digits(4),
    "yucho_bango": lambda: digits(8),
    "corp_number": lambda: str(RNG.randint(1, 9)) + digits(12),
    "phone_spaced": lambda: fw(f"090 {digits(4)} {digits(4)}"),
    "public_postal": lambda: "812-0011",
    "kata_name": lambda: RNG.choice(KATAKANA_NAMES),
    "country": lambda: RNG.choice(["ベトナム", "ブラジル", "フィリピン", "ネパール"]),
    "city_phone": lambda: f"093-{RNG.randint(2, 9)}{digits(2)}-{digits(4)}",
    "birth_date": lambda: birth_date(),
}
LABELLED_EXTRA = {
    "phone_free": "phone", "phone_navi": "phone", "kana": "person_name", "surname": "person_name",
    "kanji_phone": "phone", "kanji_address": "address", "my_number_ctx_spaced": "my_number",
    "yucho_kigo": "bank_account", "yucho_bango": "bank_account", "phone_spaced": "phone",
    "kata_name": "person_name", "birth_date": "date_of_birth",
}


def birth_date() -> str:
    """A date of birth as people write it: 和暦, 西暦, slashes, S50.4.1, full-width digits."""
    year, month, day = RNG.randint(1930, 2024), RNG.randint(1, 12), RNG.randint(1, 28)
    era, base = ("昭和", 1925) if year < 1989 else ("平成", 1988) if year < 2019 else ("令和", 2018)
    style = RNG.randrange(5)
    if style == 0:
        return f"{era}{year - base}年{month}月{day}日"
    if style == 1:
        return f"{year}年{month}月{day}日"
    if style == 2:
        return f"{year}/{month}/{day}"
    if style == 3:
        return f"{dict(昭和='S', 平成='H', 令和='R')[era]}{year - base}.{month}.{day}"
    return fw(f"{year}年{month}月{day}日")


def render(template: str) -> tuple[str, list[dict]]:
    text, spans, pos = "", [], 0
    for m in re.finditer(r"\{(\w+)\}", template):
        text += template[pos : m.start()]
        slot = m.group(1)
        if slot in MAKERS:
            value, kind = MAKERS[slot](), KIND_OF.get(slot, slot)
        elif slot in LABELLED_EXTRA:
            value, kind = CONTEXT_EXTRA[slot](), LABELLED_EXTRA[slot]
        elif slot in CONTEXT_EXTRA:
            value, kind = CONTEXT_EXTRA[slot](), None
        else:
            value, kind = NEGATIVES[slot](), None
        if kind:
            spans.append({"kind": kind, "start": len(text), "end": len(text) + len(value), "value": value})
        text += value
        pos = m.end()
    text += template[pos:]
    return text, spans


def build(n_per_template: int = 7, n_per_hard: int = 5) -> list[dict]:
    rows = []
    for t_index, (context, template) in enumerate(TEMPLATES):
        for k in range(n_per_template):
            text, spans = render(template)
            rows.append({"id": f"t{t_index:02d}-{k}", "context": context, "text": text, "spans": spans})
    for t_index, (context, template) in enumerate(HARD_TEMPLATES):
        for k in range(n_per_hard):
            text, spans = render(template)
            rows.append({"id": f"h{t_index:02d}-{k}", "context": context, "text": text, "spans": spans})
    return rows


def fresh_rows(path: Path = FRESH, split: str = "fresh", prefix: str = "f") -> list[dict]:
    """Parse a hand-written file (context|text with ⟦kind:value⟧ marks) into corpus rows."""
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        context, marked = line.split("|", 1)
        text, spans, pos = "", [], 0
        for m in _MARK.finditer(marked):
            text += marked[pos : m.start()]
            spans.append({"kind": m.group(1), "start": len(text), "end": len(text) + len(m.group(2)), "value": m.group(2)})
            text += m.group(2)
            pos = m.end()
        text += marked[pos:]
        rows.append({"id": f"{prefix}{n:02d}", "context": context, "split": split, "text": text, "spans": spans})
    return rows


def new_batch_rows() -> list[dict]:
    """The rows of the issue-14 batches (NEW_BATCHES)."""
    return [row for name, split, prefix in NEW_BATCHES for row in fresh_rows(OUT.with_name(name), split, prefix)]


def main() -> None:
    rows = [dict(r, split="generated") for r in build()] + fresh_rows() + fresh_rows(HELDOUT, "second", "x")
    rows += fresh_rows(HELDOUT2, "third", "z") + fresh_rows(HELDOUT3, "fourth", "w")
    rows += fresh_rows(HELDOUT4, "fifth", "v")
    rows += new_batch_rows()
    for row in rows:
        for s in row["spans"]:
            assert row["text"][s["start"] : s["end"]] == s["value"], row
    fd, tmp = tempfile.mkstemp(dir=OUT.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    os.replace(tmp, OUT)
    print(f"wrote {len(rows)} sentences, {sum(len(r['spans']) for r in rows)} labelled spans to {OUT}")


if __name__ == "__main__":
    main()

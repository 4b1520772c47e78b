"""aidojo.safety PII detection: every kind with positive and negative cases, spans in the original text."""

from __future__ import annotations

import pytest

from aidojo.safety import PII_KINDS, PLACEHOLDERS, Finding, Masked, find_pii, is_valid_my_number, mask_pii


def kinds_values(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.value) for f in find_pii(text)]


def only(text: str, kind: str) -> list[str]:
    return [f.value for f in find_pii(text) if f.kind == kind]


def my_number(body11: str) -> str:
    """Append the check digit to 11 digits (independent re-statement of the rule for the tests)."""
    weights = (6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
    r = sum(int(d) * w for d, w in zip(body11, weights)) % 11
    return body11 + str(0 if r <= 1 else 11 - r)


# ---------------------------------------------------------------- public shape
def test_placeholders_cover_every_kind():
    assert set(PLACEHOLDERS) == set(PII_KINDS) == {
        "my_number", "phone", "email", "postal_code", "address", "person_name", "credit_card", "bank_account",
        "date_of_birth"}
    assert PLACEHOLDERS["my_number"] == "［マイナンバー］"
    assert PLACEHOLDERS["phone"] == "［電話番号］"


def test_mask_returns_text_and_findings_with_original_spans():
    text = "山田太郎様（電話０９０ー１２３４ー５６７８）"
    m = mask_pii(text)
    assert isinstance(m, Masked)
    assert m.text == "［氏名］様（電話［電話番号］）"
    assert all(isinstance(f, Finding) for f in m.findings)
    for f in m.findings:
        assert text[f.start : f.end] == f.value
    assert [f.kind for f in m.findings] == ["person_name", "phone"]
    assert m.findings[1].value == "０９０ー１２３４ー５６７８"


def test_no_pii_leaves_text_unchanged():
    text = "燃やすごみは月曜日と木曜日の朝8時30分までに出してください。"
    m = mask_pii(text)
    assert m.text == text and m.findings == []
    assert find_pii("") == []


def test_bad_input_is_explained():
    with pytest.raises(TypeError, match="文字列"):
        find_pii(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="知らない個人情報の種類"):
        find_pii("090-1234-5678", kinds=["phone", "blood_type"])


def test_kinds_filter():
    text = "山田様 090-1234-5678"
    assert [f.kind for f in find_pii(text, kinds=["phone"])] == ["phone"]


# ---------------------------------------------------------------- My Number
def test_check_digit_rule():
    assert is_valid_my_number(my_number("12345678901"))
    assert my_number("12345678901") == "123456789018"
    # every wrong last digit fails
    good = my_number("98765432109")
    for d in "0123456789":
        candidate = good[:11] + d
        assert is_valid_my_number(candidate) == (candidate == good)
    # r <= 1 gives check digit 0
    body = next(b for b in (f"{i:011d}" for i in range(1, 10_000))
                if sum(int(d) * w for d, w in zip(b, (6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2))) % 11 in (0, 1))
    assert is_valid_my_number(body + "0")


def test_check_digit_accepts_fullwidth_and_separators_and_rejects_junk():
    n = my_number("31415926535")
    fullwidth = n.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert is_valid_my_number(fullwidth)
    assert is_valid_my_number(f"{n[:4]}-{n[4:8]}-{n[8:]}")
    assert is_valid_my_number(f"{n[:4]} {n[4:8]} {n[8:]}")
    assert not is_valid_my_number(n[:11])
    assert not is_valid_my_number(n + "0")
    assert not is_valid_my_number("abcdefghijkl")


def test_valid_my_number_is_found_anywhere():
    n = my_number("27182818284")
    assert only(f"番号{n}を控えた", "my_number") == [n]
    spaced = f"{n[:4]} {n[4:8]} {n[8:]}"
    assert only(f"確認：{spaced}。", "my_number") == [spaced]
    fw = n.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert mask_pii(f"番号は{fw}です").text == "番号は［マイナンバー］です"


def test_invalid_twelve_digits_only_in_my_number_context():
    good = my_number("16180339887")
    bad = good[:11] + str((int(good[11]) + 1) % 10)
    assert only(f"受付番号{bad}で登録しました", "my_number") == []
    assert only(f"マイナンバー{bad}を記入", "my_number") == [bad]
    assert only(f"個人番号：{bad}", "my_number") == [bad]
    # not part of a longer number
    assert only(f"口座{good}9", "my_number") == []


# ---------------------------------------------------------------- phones
@pytest.mark.parametrize(
    "number",
    [
        "090-1234-5678", "08012345678", "070 1234 5678", "060-1234-5678", "050-1234-5678",
        "093-582-1234", "(093)582-1234", "（０９３）５８２－１２３４", "093(582)1234", "03-1234-5678",
        "0948-22-1234", "0120-123-456", "0120123456", "0800-123-4567", "0570-064-123",
        "+81-90-1234-5678", "+81 93 582 1234", "０９０－１２３４－５６７８",
    ],
)
def test_phone_formats(number):
    assert only(f"連絡先：{number}まで", "phone") == [number]


@pytest.mark.parametrize("dash", list("‐‑–—―−ーｰ－-"))
def test_phone_with_every_dash(dash):
    number = f"090{dash}1234{dash}5678"
    text = f"電話{number}まで"
    found = find_pii(text)
    assert [(f.kind, f.value) for f in found] == [("phone", number)]
    assert text[found[0].start : found[0].end] == number


def test_phone_glued_to_kanji_spans_are_exact():
    text = "電話090-1234-5678まで、または携帯０８０ー９８７６ー５４３２に。"
    found = find_pii(text)
    assert [(text[f.start : f.end]) for f in found] == ["090-1234-5678", "０８０ー９８７６ー５４３２"]
    assert mask_pii(text).text == "電話［電話番号］まで、または携帯［電話番号］に。"


@pytest.mark.parametrize(
    "text",
    [
        "期限は2026-11-23です。", "令和8年11月23日（月）に開催", "手数料は1,200円です。", "¥12,000", "10:30〜12:00",
        "受付時間は8:30-17:15", "人口は123,456人", "前年比12.5%増", "第3-2-1号議案", "2026/11/23 10:00",
        "ISBN978-4-12-345678-9", "整理番号R8-00123", "090-1234-56789", "0090-1234-5678", "1234-5678",
    ],
)
def test_dates_prices_times_and_other_numbers_are_not_phones(text):
    assert only(text, "phone") == []


def test_kanji_digit_phone_is_masked():
    assert mask_pii("電話は〇九〇一二三四五六七八とのこと").text == "電話は［電話番号］とのこと"


# ---------------------------------------------------------------- email
def test_email_positive_and_fullwidth():
    assert only("返信はyamada.taro@example.jpまでお願いします", "email") == ["yamada.taro@example.jp"]
    fw = "ｓａｔｏ＠ｅｘａｍｐｌｅ．ｃｏｍ"
    assert only(f"メール：{fw}。", "email") == [fw]


def test_email_negatives():
    assert only("公式アカウント @midori_city をフォロー", "email") == []
    assert only("a@b は例です", "email") == []


# ---------------------------------------------------------------- postal code
def test_postal_codes_in_context():
    assert only("〒812-0011 みどり市中央区", "postal_code") == ["812-0011"]
    assert only("〒８１２－００１１", "postal_code") == ["８１２－００１１"]
    assert only("郵便番号：8120011", "postal_code") == ["8120011"]
    assert only("812-0011 福岡県みどり市", "postal_code") == ["812-0011"]


def test_postal_code_negatives():
    assert only("番号123-4567の書類", "postal_code") == []
    assert only("郵便番号を必ず記入してください", "postal_code") == []


# ---------------------------------------------------------------- address
@pytest.mark.parametrize(
    "address",
    [
        "みどり市中央区本町2丁目3番4号",
        "みどり市緑区若葉台3-15-8",
        "福岡県みどり市北区旭町1234番地",
        "東京都千代田区霞が関1-2-3",
        "みどり市中央区本町二丁目三番四号",
        "みどり市緑区若葉台3-15-8 みどりハイツ201号室",
        "みどり市南区青葉１－２－３",
        "本町2の5の8",
    ],
)
def test_addresses(address):
    text = f"住所は{address}です。"
    assert only(text, "address") == [address]


def test_address_field_value_is_masked():
    assert mask_pii("住所：みどり市中央区本町 電話：なし").text == "住所：［住所］ 電話：なし"


@pytest.mark.parametrize(
    "text",
    [
        "みどり市役所の窓口は2階です。", "中央区の窓口で受け付けます。", "市民課2番窓口へお越しください。",
        "3番線のバスに乗ってください。", "日付2026-11-23に提出", "資料1-2を参照", "みどり市では10-20代の利用が多い",
        "資料2の5を参照",
    ],
)
def test_address_negatives(text):
    assert only(text, "address") == []


# ---------------------------------------------------------------- person names
@pytest.mark.parametrize(
    "text,name",
    [
        ("山田太郎様が来庁した", "山田太郎"),
        ("佐藤さんから電話", "佐藤"),
        ("担当の鈴木 花子氏に確認", "鈴木 花子"),
        ("相談者丸山さくらさん（70代）", "丸山さくら"),
        ("氏名：高橋　一郎", "高橋　一郎"),
        ("お名前は中村です。", "中村"),
        ("田中と申します。", "田中"),
        ("長女のマリア・ガルシアさん", "マリア・ガルシア"),
        ("前田悠人様より苦情", "前田悠人"),
        ("田村さんの奥様", "田村"),
        ("青木一郎課長補佐より説明", "青木一郎"),
        ("口座名義：森さくら", "森さくら"),
        ("山田太郎（やまだ たろう）さん", "山田太郎"),
        ("滞納者 大森 勝 様", "大森 勝"),
        ("佐藤方に送付", "佐藤"),
        ("こんにちは、ロドリゲスです。", "ロドリゲス"),
        ("ママ友のさとみさんに聞いた", "さとみ"),
        ("代理人：平田 修", "平田 修"),
        ("連絡先：市民課 原 亜希子（内線 2345）", "原 亜希子"),
        ("【届出人】北村 一樹　【電話】なし", "北村 一樹"),
        ("【世帯員】長尾 由香（妻）、長尾 陽太（長男）", "長尾 陽太"),
        ("加害者は夫（松井 剛）。", "松井 剛"),
        ("来月引っ越すTran Van Minhです。", "Tran Van Minh"),
        ("Please contact Mr. John Miller today.", "John Miller"),
        ("Name: Nguyen Thi Hoa / Tel: none", "Nguyen Thi Hoa"),
        ("山田花子です。よろしくお願いします。", "山田花子"),
        ("ヤマモトと名乗った", "ヤマモト"),
        ("亀井部長様　お世話になっております", "亀井"),
    ],
)
def test_person_names(text, name):
    assert name in only(text, "person_name")


@pytest.mark.parametrize(
    "text",
    [
        "お客様各位", "市民の皆様へ", "担当者様へ", "申請様式第1号", "同様の手続き", "皆さんこんにちは",
        "保護者様の同意書", "みどり商事様", "氏名は必須です", "総務課長が出席", "中央区長の挨拶",
        "赤ちゃんが生まれた", "保育士さんに相談", "看護師さんが来た", "地方の方", "両方とも", "この方法で",
        "森林です。", "原因です。", "以上です。", "みなさんこんにちは", "おばあさんが来た", "申請者 氏名：", "Tokyo Station",
    ],
)
def test_person_name_negatives(text):
    assert only(text, "person_name") == []


# ---------------------------------------------------------------- credit cards
def test_credit_cards_with_luhn():
    assert only("カード4111 1111 1111 1111で決済", "credit_card") == ["4111 1111 1111 1111"]
    assert only("番号 4111-1111-1111-1111", "credit_card") == ["4111-1111-1111-1111"]
    assert only("3782-822463-10005", "credit_card") == ["3782-822463-10005"]
    fw = "５５５５５５５５５５５５４４４４"
    assert only(f"決済{fw}", "credit_card") == [fw]


def test_card_like_numbers_failing_luhn():
    assert only("注文番号4111111111111112", "credit_card") == []
    assert only("クレジットカード番号：4111111111111112", "credit_card") == ["4111111111111112"]


# ---------------------------------------------------------------- bank accounts
def test_bank_accounts_in_context():
    assert only("口座番号：1234567", "bank_account") == ["1234567"]
    assert only("みどり銀行 本店 普通1234567", "bank_account") == ["1234567"]
    assert only("ゆうちょ銀行 記号12345 番号12345678", "bank_account") == ["12345", "12345678"]


def test_bank_account_negatives():
    assert only("整理番号1234567", "bank_account") == []
    assert only("預金残高1234567円", "bank_account") == []
    assert only("普通郵便で送付", "bank_account") == []


# ---------------------------------------------------------------- mixed record
def test_full_record_is_masked_and_spans_refer_to_original():
    text = ("氏名：山田　花子　住所：〒８１２－００１１　みどり市中央区本町２丁目３番４号　"
            "電話：（０９３）５８２ー１２３４　メール：hanako@example.jp　マイナンバー：" + my_number("12312312312"))
    m = mask_pii(text)
    for f in m.findings:
        assert text[f.start : f.end] == f.value
    assert {f.kind for f in m.findings} == {"person_name", "postal_code", "address", "phone", "email", "my_number"}
    for leaked in ("花子", "５８２", "hanako", "本町２丁目", "００１１"):
        assert leaked not in m.text


@pytest.mark.parametrize("text", ["［氏名］です。", "私は［氏名］と申します。", "［氏名］さんから相談がありました。", "相談者：家賃の支払いが来月から難しい"])
def test_masked_text_and_role_labels_are_not_names(text):
    assert [f for f in find_pii(text) if f.kind == "person_name"] == []


def test_a_signature_with_yori_is_a_name():
    assert [f.value for f in find_pii("引っ越し後の手続きに不安があります。山田花子より")] == ["山田花子"]


# --- issue 14: the names and dates templates meet ----------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("山田花子の母です", "［氏名］の母です"),
        ("うちの子（山田はなこ、2歳）", "うちの子（［氏名］、2歳）"),
        ("母の佐藤ウメ", "母の［氏名］"),
        ("長男・健太", "長男・［氏名］"),
        ("昭和50年4月1日", "［生年月日］"),
        ("1975年4月1日生まれ", "［生年月日］生まれ"),
        ("みどり市中央区本町2丁目3番4号 山田太郎", "［住所］ ［氏名］"),
        ("出席者：佐藤、鈴木、高橋", "出席者：［氏名］、［氏名］、［氏名］"),
        ("やまだはなこです", "［氏名］です"),
        ("ヤマダ ハナコと申します", "［氏名］と申します"),
        ("娘の結衣と芽依", "娘の［氏名］と［氏名］"),
        ("土田委員：駐輪場が足りません", "［氏名］委員：駐輪場が足りません"),
        ("生年月日：S50.4.1", "生年月日：［生年月日］"),
        ("誕生日は2019/7/7です", "誕生日は［生年月日］です"),
        ("本人（島袋 ハル、84歳）は独居", "本人（［氏名］、84歳）は独居"),
    ],
)
def test_issue_14_names_and_birth_dates_are_masked(text, masked):
    assert mask_pii(text).text == masked


@pytest.mark.parametrize(
    "text",
    ["田中町の公民館で相談会があります", "中央公園の桜まつり", "課長：では始めます。", "委員長：本日の議題は3件です。",
     "母の日のプレゼント", "妻の実家が隣の市です", "長男の入学式は4月8日です", "子どものカードも作れますか？",
     "本条例は令和8年4月1日から施行する。", "昭和63年4月1日に開設された児童館", "4月1日生まれの子は学年がひとつ上",
     "平成30年4月1日から制度が変わった", "うちは夫と子ども3人の5人家族です。", "みどり市役所 市民課（電話 093-582-1000）まで",
     "〒812-8512 みどり市中央区本町1-1-1 みどり市役所 宛", "バス停「本町2丁目」で降ります", "森林公園の管理", "石川県から視察団"],
)
def test_issue_14_ordinary_words_and_office_contacts_are_left_alone(text):
    assert mask_pii(text).text == text, find_pii(text)


def test_a_mobile_number_is_always_someones_even_next_to_an_office():
    assert mask_pii("市民課の担当（090-1234-5678）").text == "市民課の担当（［電話番号］）"
    assert mask_pii("市民課の山田さん（093-582-1234）").text == "市民課の［氏名］さん（［電話番号］）"


@pytest.mark.parametrize(
    "text",
    [
        # a verb ending in く with the colloquial ん (〜くの): not a one-kanji name and くん
        "カード申し込んでからどれくらいで届くん？", "結果はいつ届くんでしょうか", "窓口は土曜も開くん？", "申請書はどこに置くんですか",
        "粗大ごみの券って、名前はどこに書くん？", "明日また窓口に行くんで、何を持っていけばいいですか", "通知はいつ着くん？",
        # an adverb or a prefix before a span of time or an age: not a name glued to an age
        "申請からカードの交付通知書が届くまでは、おおむね1か月から2か月かかります。", "およそ2か月で届くと書いてありました",
        "ほぼ3か月待っています", "ちょうど1か月前に申請しました", "うちの子はまだ3歳です", "満15歳になったら本人が申請できますか",
        "わずか2か月で期限切れの通知が来ました", "最短で1か月、長いと2か月と聞きました",
    ],
)
def test_golive_honest_questions_hold_no_name(text):
    """Questions the go-live gate met (faq_bot ans-037, FAQ-06's answer) and others worded differently."""
    assert find_pii(text) == [], find_pii(text)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("蓮くんの母です", ["蓮"]), ("湊くんも一緒に行くんですか、と聞かれました", ["湊"]), ("歩くんのカードはいつ届くん？", ["歩"]),
        ("健太くんと翼くんのカードをまとめて受け取れますか", ["健太", "翼"]), ("同じ保育園の田中くんのお母さんから聞きました", ["田中"]),
        ("長女のさくらちゃん、2歳の写真です", ["さくら"]), ("はなこ2歳とゆうと5歳の申請です", ["はなこ", "ゆうと"]),
        ("湊5歳と来ました", ["湊"]), ("娘の結衣は生後4か月です", ["結衣"]), ("山本 陸くん（8歳）の写真が規格に合いません", ["山本 陸"]),
    ],
)
def test_golive_childrens_names_with_kun_and_ages_are_still_found(text, names):
    assert [f.value for f in find_pii(text) if f.kind == "person_name"] == names

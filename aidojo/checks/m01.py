"""m01 生成AIの基本とルール: which prompts break the usage rules, unsupported statements, a safe rewrite.

The texts below are fictional (みどり市, fictional people, a reserved example.jp address) and are
shown verbatim in the lesson and the assignment notebooks.
"""

from __future__ import annotations

import re

from aidojo.checks import rubric
from aidojo.checks.registry import CheckResult, question
from aidojo.text.normalize import normalize

# --- q1 / q2: which prompts break a rule, and which rule ------------------------------------------

PROMPTS: dict[str, str] = {
    "A": "市民の緑川花子さん（青葉区若葉町3-12-5、電話090-1234-5678）から届いた苦情メールを貼ります。要約して返信案を作ってください。",
    "B": "来月の市民向け防災講座のチラシに使う見出しの案を5つ出してください。",
    "C": "まだ公表前の来年度予算案（庁内限りの資料）を全文貼ります。議会で聞かれそうな質問と答えを作ってください。",
    "D": "人気作家の小説の一章をそのまま貼ります。市の広報誌に載せられるよう、少しだけ言い換えてください。",
    "E": "すでに公開している市の報道発表資料を貼ります。中学生にも分かる言葉で、300字以内に要約してください。",
}
BREAKING = ["A", "C", "D"]

RULES: dict[str, str] = {
    "1": "個人情報を入力しない",
    "2": "機密情報（公表前・庁内限りの情報）を入力しない",
    "3": "著作権に気をつける（他人の文章をそのまま使わない）",
    "4": "AIの答えの根拠を必ず確かめる",
    "5": "AIで作った文章だと明示する",
}
RULE_OF = {"A": "1", "C": "2", "D": "3"}
_RULE_WORDS = {
    "1": r"個人情報|個人|氏名|名前|住所|電話",
    "2": r"機密|秘密|公表前|未公表|庁内|内部",
    "3": r"著作|コピー|盗用|転載|作家|小説",
    "4": r"根拠|確認|確かめ|検証|ファクト",
    "5": r"明示|表示|ai利用|aiで作",
}


@question("m01.q1", reads=("答え",), title="ルール違反のプロンプトを選ぶ")
def q1(answer: object) -> CheckResult:
    chosen = rubric.parse_choices(answer, list(PROMPTS))
    if not chosen:
        return CheckResult(False, ["答えが書かれていません。A〜Eの記号を「A, B」のように書いてください。"])
    hints = []
    missed = [x for x in BREAKING if x not in chosen]
    wrong = [x for x in chosen if x not in BREAKING]
    if missed:
        hints.append(f"ルール違反のプロンプトがまだ{len(missed)}つあります。個人情報・公表前の情報・他人の著作物が入っていないか、もう一度読んでみましょう。")
    if wrong:
        hints.append(f"{'・'.join(wrong)} は問題ありません。公開済みの情報や、個人を特定しない依頼はAIに入力してかまいません。")
    ok = not hints
    return CheckResult(ok, hints, 1.0 if ok else max(0.0, (len(BREAKING) - len(missed) - len(wrong)) / len(BREAKING)))


def _rule_of(value: str) -> str | None:
    m = re.search(r"[1-5]", value)
    if m:
        return m.group(0)
    for num, pat in _RULE_WORDS.items():
        if re.search(pat, value):
            return num
    return None


@question("m01.q2", reads=("答え",), title="どのルールに反するか")
def q2(answer: object) -> CheckResult:
    pairs = rubric.parse_pairs(answer, list(PROMPTS))
    if not pairs:
        return CheckResult(False, ["答えが書かれていません。「A=1, C=2」のように、記号とルールの番号を組にして書いてください。"])
    hints = []
    for letter, rule in RULE_OF.items():
        given = _rule_of(normalize(pairs.get(letter, "")))
        if letter not in pairs:
            hints.append(f"{letter} がどのルールに反するかが書かれていません。")
        elif given != rule:
            hints.append(f"{letter} のルールの番号をもう一度考えましょう（{letter} のプロンプトには何が入っていますか）。")
    extra = [x for x in pairs if x not in RULE_OF]
    if extra:
        hints.append(f"{'・'.join(extra)} はルール違反ではありません。違反しているプロンプトだけを書いてください。")
    return CheckResult(not hints, hints, 1.0 if not hints else 0.0)


# --- q3: the statements an AI answer adds to its source ---------------------------------------------

SOURCE_Q3 = (
    "みどり市は、2027年4月1日から、市立図書館全8館で電子書籍の貸出サービスを始めます。"
    "利用できるのは、市内に住んでいるか、通勤・通学している方で、図書館の利用カードをお持ちの方です。"
    "一度に借りられるのは2冊まで、貸出期間は14日間です。利用料は無料です。"
)
AI_ANSWER_Q3: dict[str, str] = {
    "1": "2027年4月1日から、市立図書館で電子書籍を借りられるようになります。",
    "2": "市内に住んでいるか、通勤・通学していて、利用カードを持っている人が使えます。",
    "3": "一度に5冊まで借りられます。",
    "4": "利用料はかかりません。",
    "5": "スマートフォンの専用アプリ「みどりブックス」から、24時間いつでも申し込めます。",
}
UNSUPPORTED = ["3", "5"]


@question("m01.q3", reads=("答え",), title="資料にない記述を見つける")
def q3(answer: object) -> CheckResult:
    chosen = rubric.parse_choices(answer, list(AI_ANSWER_Q3))
    if not chosen:
        return CheckResult(False, ["答えが書かれていません。①〜⑤の番号を「③, ⑤」や「3, 5」のように書いてください。"])
    hints = []
    missed = [x for x in UNSUPPORTED if x not in chosen]
    wrong = [x for x in chosen if x not in UNSUPPORTED]
    if missed:
        hints.append(f"資料にない記述がまだ{len(missed)}つあります。数字（冊数・日数）と、資料に出てこない名前に注目しましょう。")
    if wrong:
        hints.append("選んだ番号の中に、資料に書かれている内容があります。資料と一文ずつ見比べましょう。")
    return CheckResult(not hints, hints, 1.0 if not hints else 0.0)


# --- q4: rewrite prompt A without personal data ---------------------------------------------------

COMPLAINT = (
    "先週から自宅前のごみ集積所にカラスが来て、ごみが散らかっています。"
    "収集日の朝8時より前にごみを出す人が多いようです。"
    "ネットを増やすか、収集の時間を早めてもらえませんか。"
)
PERSONAL = ["緑川", "花子", "若葉町3-12-5", "090-1234-5678", "midorikawa", "hanako"]
ORIGINAL_Q4 = (
    "次の苦情メールを要約して、返信案を作ってください。\n"
    "差出人：緑川 花子（みどり市青葉区若葉町3-12-5、電話 090-1234-5678、hanako.midorikawa@example.jp）\n"
    f"本文：{COMPLAINT}"
)

_PHONE = re.compile(r"0\d{1,4}[-‐ー－(（]?\d{1,4}[-‐ー－)）]?\d{3,4}")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def q4_requirements() -> list[rubric.Requirement]:
    return [
        rubric.absent("no_personal", "個人情報を消す", "氏名・住所・電話番号・メールアドレスがまだ残っています。個人が分かる部分を消すか「〔氏名〕」のように置き換えましょう。", PERSONAL),
        rubric.any_of("keeps_content", "苦情の中身を残す", "苦情の中身（カラスでごみが散らかっている、など）まで消えています。個人情報以外の内容は残しましょう。",
                      ["カラス", "集積所", "ごみ", "ゴミ"], own_words=False),
        rubric.phrase("asks_task", "依頼（要約・返信案）", "何をしてほしいか（要約して、返信案を作って）が書かれていません。",
                      [r"要約|まとめ|返信|回答|返事|お返事"], own_words=False),
    ]


@question("m01.q4", reads=("プロンプト",), title="個人情報を外して書き直す")
def q4(prompt: object) -> CheckResult:
    return rubric.to_check(rubric.evaluate(prompt, q4_requirements()),
                           praise="よくできました。個人情報を外しても、AIに頼みたいことはきちんと伝わります。")


@question("m01.q4.hidden", reads=("プロンプト",), title="個人情報を外して書き直す（追加の確認）")
def q4_hidden(prompt: object) -> CheckResult:
    """Stricter: no phone number or e-mail address of any kind may remain (not only the original ones)."""
    text = normalize(rubric.clean_answer(prompt))
    hints = []
    if _PHONE.search(text):
        hints.append("電話番号のような数字が残っています。架空の番号でも、個人の連絡先は入力しないでください。")
    if _EMAIL.search(text):
        hints.append("メールアドレスが残っています。個人の連絡先は入力しないでください。")
    return CheckResult(not hints, hints, 1.0 if not hints else 0.0)

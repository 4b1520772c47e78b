"""m01 生成AIの基本とルール: which prompts break the usage rules, which rule, unsupported statements, a safe rewrite.

One checker per question is both the learner's self-check and the grade. The choice keys are sealed: this
package holds only digests (``aidojo.checks.sealed``); the plain keys are instructor material in
``grader/keys/m01.toml``. The texts are fictional (みどり市, fictional people, a reserved example.jp address)
and shown verbatim in the lesson and the assignment notebooks.
"""

from __future__ import annotations

import re

from aidojo.checks import rubric
from aidojo.checks.registry import question
from aidojo.checks.result import CheckResult
from aidojo.checks.sealed import matches
from aidojo.text.choice_parse import CHOSEN_UNSUPPORTED, CLEARED_SUPPORTED, parse_pairs
from aidojo.text.normalize import normalize

# --- q1 / q2: which prompts break a rule, and which rule ------------------------------------------

PROMPTS: dict[str, str] = {
    "A": "市民の緑川花子さん（青葉区若葉町3-12-5、電話090-1234-5678）から届いた苦情メールを貼ります。要約して返信案を作ってください。",
    "B": "来月の市民向け防災講座のチラシに使う見出しの案を5つ出してください。",
    "C": "まだ公表前の来年度予算案（庁内限りの資料）を全文貼ります。議会で聞かれそうな質問と答えを作ってください。",
    "D": "人気作家の小説の一章をそのまま貼ります。市の広報誌に載せられるよう、少しだけ言い換えてください。",
    "E": "すでに公開している市の報道発表資料を貼ります。中学生にも分かる言葉で、300字以内に要約してください。",
}
RULES: dict[str, str] = {
    "1": "個人情報を入力しない",
    "2": "機密情報（公表前・庁内限りの情報）を入力しない",
    "3": "著作権に気をつける（他人の文章をそのまま使わない）",
    "4": "AIの答えの根拠を必ず確かめる",
    "5": "AIで作った文章だと明示する",
}
# Words that name a rule (「個人情報」 → 1).
RULE_WORDS: dict[str, str] = {
    "1": r"個人情報|個人|氏名|名前|住所|電話|プライバシー",
    "2": r"機密|秘密|公表前|未公表|非公開|庁内|内部|内部情報|部外秘|マル秘",
    "3": r"著作|コピー|盗用|転載|作家|小説|パクリ|無断|引用|他人の(?:文章|作品|著作|文)|丸写し|そのまま(?:使|貼|写|載)|転用",
    "4": r"根拠|確かめ|検証|ファクト|裏付け",
    "5": r"明示|表示|ai利用|aiで作|ai作成",
}
# Sealed keys (grader/keys/m01.toml): seal("m01.q1", "A:違反" | "A:問題なし"), seal("m01.q2", "A=1" | "B=-").
Q1_SEALS: dict[str, str] = {
    "A": "76d61eb34ce350b30e3f48d875ba63b6c234e1d7c068c1dc792c308212a54ff4",
    "B": "94a28c4341a207e9c9178d3d81ebc98512789efc382d18e81c5feede54d116b7",
    "C": "5cbf5e0bb1162428b499ae5ca0cf9e37653e638f21a2cfd555c0ffffd409ff2d",
    "D": "4e4e46699d4970eac69a7e9dc48b0252a3e4e4764262f13d7e2e5bd4529a3136",
    "E": "17c88797ce3646a8cb5d562db9479473dfa00e53727d7513567af4c84f7c36c7",
}
Q2_SEALS: dict[str, str] = {
    "A": "e57513a52a14ef58c4389d8307b2c8e911cbcba2a35b4c163e7d9cf303277cac",
    "B": "e0bfe7a95be07b821335e5559984ecb78a9875cc5c28294538f1386451bbd735",
    "C": "5de0a984af7ace4fa2aad7942feac82fc85ff2005e0b50930ef873426120a3c2",
    "D": "f898585465fde0d5e028771b2e060e99751feffd2de9bb5110b7e83797b13db3",
    "E": "6c50a98372ce124c868048c7db78c878d185e1a5e1efdb125925b3d40836dda0",
}


def _breaks(letter: str) -> bool:
    return matches("m01.q1", f"{letter}:違反", Q1_SEALS[letter])


@question("m01.q1", reads=("答え",), title="ルール違反のプロンプトを選ぶ")
def q1(answer: object) -> CheckResult:
    return rubric.judge_choices(
        answer, list(PROMPTS), _breaks, what="ルールに反するもの",
        missed_hint="ルールに反するプロンプトを見落としています。個人情報・公表前（庁内限り）の情報・他人の著作物が入っていないか、A〜Eをもう一度読みましょう。",
        wrong_hint="ルールに反していないプロンプトも選んでいます。公開済みの情報や、個人が特定されない依頼は、AIに入力してかまいません。")


@question("m01.q2", reads=("答え",), title="どのルールに反するか")
def q2(answer: object) -> CheckResult:
    if not rubric.clean_answer(answer):
        return CheckResult(False, [rubric.BLANK_HINT])
    pairs = parse_pairs(answer, list(PROMPTS), RULE_WORDS)
    if not pairs:
        return CheckResult(False, ["答えが読み取れません。「A=1, C=2」のように、記号とルールの番号を組にして書いてください。"])
    hints = []
    breaking = [x for x in PROMPTS if _breaks(x)]
    unpaired = [x for x in breaking if x not in pairs]
    wrong_rule = [x for x in breaking if x in pairs and not matches("m01.q2", f"{x}={pairs[x]}", Q2_SEALS[x])]
    extra = [x for x in pairs if x not in breaking]
    if unpaired:
        hints.append("ルールに反するプロンプトのうち、ルールの番号が書かれていないものがあります。問1で選んだ（選ぶべき）記号すべてに番号をつけましょう。")
    for x in wrong_rule:
        hints.append(f"{x} のルールの番号をもう一度考えましょう（{x} のプロンプトには、何が入っていますか）。")
    if extra:
        hints.append("ルールに反していないプロンプトにも番号がついています。違反しているプロンプトだけを書いてください。")
    good = len(breaking) - len(unpaired) - len(wrong_rule)
    return CheckResult(not hints, hints, max(0.0, good - len(extra)) / len(breaking))


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
Q3_SEALS: dict[str, str] = {  # seal("m01.q3", "3:資料にない" | "1:資料どおり")
    "1": "53b518a8521d1e001ad2dfff6a86fd0cfb6c1e5350cf87c16d0a474fe8234444",
    "2": "63f4501cab59a63b36fd5c6fc5e3512c17ff5aa44db0a0847b7a6037a5d6406b",
    "3": "65507799f2d26a2f91146f88c0c3a5aa8bbed493cde11a968e4a3f518b17f4dd",
    "4": "b7ed632a3f43297934edf885029182199b18db88d2b9056c71d247d579557668",
    "5": "b19236004cc2f320985b2846c363031ee3ae526dd898eab13f5b8ec761c9aac6",
}


def _unsupported(number: str) -> bool:
    return matches("m01.q3", f"{number}:資料にない", Q3_SEALS[number])


@question("m01.q3", reads=("答え",), title="資料にない記述を見つける")
def q3(answer: object) -> CheckResult:
    return rubric.judge_choices(
        answer, list(AI_ANSWER_Q3), _unsupported, what="資料で確かめられないもの",
        cleared=CLEARED_SUPPORTED, chosen=CHOSEN_UNSUPPORTED, shown={n: chr(0x2460 + int(n) - 1) for n in AI_ANSWER_Q3},
        missed_hint="資料にない記述を見落としています。数字（冊数・日数）と、資料に出てこない名前やサービスに注目しましょう。",
        wrong_hint="選んだ番号の中に、資料に書かれている内容があります。資料と一文ずつ見比べましょう。")


# --- q4: rewrite prompt A without personal data ---------------------------------------------------

COMPLAINT = (
    "先週から自宅前のごみ集積所にカラスが来て、ごみが散らかっています。"
    "収集日の朝8時より前にごみを出す人が多いようです。"
    "ネットを増やすか、収集の時間を早めてもらえませんか。"
)
PERSONAL = ["緑川", "花子", "みどりかわ", "はなこ", "ミドリカワ", "ハナコ", "若葉町3", "3-12-5", "090-1234-5678", "09012345678",
            "midorikawa", "hanako"]
ORIGINAL_Q4 = (
    "次の苦情メールを要約して、返信案を作ってください。\n"
    "差出人：緑川 花子（みどり市青葉区若葉町3-12-5、電話 090-1234-5678、hanako.midorikawa@example.jp）\n"
    f"本文：{COMPLAINT}"
)

_PHONE = re.compile(r"(?<!\d)0\d{1,4}\s*[-‐ー－(（]?\s*\d{1,4}\s*[-‐ー－)）]?\s*\d{3,4}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+\s*(?:@|＠|\(at\)|\[at\])\s*[\w-]+\.[\w.]+", re.I)


def _no_contact(a: rubric.Answer) -> str | None:
    text = normalize(a.full)
    return None if _PHONE.search(text) or _EMAIL.search(text) else "連絡先なし"


def q4_requirements() -> list[rubric.Requirement]:
    return [
        rubric.absent("no_personal", "個人情報を消す",
                      "氏名・住所・電話番号・メールアドレスがまだ残っています。個人が分かる部分を消すか「〔氏名〕」のように置き換えましょう。", PERSONAL),
        rubric.custom("no_contact", "連絡先を入れない",
                      "電話番号やメールアドレスのような連絡先が残っています。架空の番号やアドレスに置き換えても、連絡先は入力しないでください（「〔電話番号〕」のように置き換えます）。",
                      _no_contact),
        rubric.any_of("keeps_content", "苦情の中身を残す", "苦情の中身（カラスでごみが散らかっている、など）まで消えています。個人情報以外の内容は残しましょう。",
                      ["カラス", "からす", "鴉", "集積所", "ごみ", "ゴミ"], own_words=False),
        rubric.phrase("asks_task", "依頼（要約・返信案）", "何をしてほしいか（要約して、返信案を作って）が書かれていません。",
                      [r"要約|まとめ|要点|返信|回答|返事|お返事|返答"], own_words=False),
    ]


@question("m01.q4", reads=("プロンプト",), title="個人情報を外して書き直す")
def q4(prompt: object) -> CheckResult:
    return rubric.to_check(rubric.evaluate(prompt, q4_requirements()),
                           praise="よくできました。個人情報を外しても、AIに頼みたいことはきちんと伝わります。")


__all__ = ["PROMPTS", "RULES", "RULE_WORDS", "SOURCE_Q3", "AI_ANSWER_Q3", "COMPLAINT", "ORIGINAL_Q4", "q1", "q2", "q3", "q4"]

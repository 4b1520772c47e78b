"""m02 プロンプトの基本: rewrite weak prompts for municipal tasks; graded on the five elements and task needs.

Every text is fictional (みどり市, its departments, fictional residents). ``*_ALT`` texts are the other
inputs the hidden tests put in place of the task's source to see that the prompt is reusable.
"""

from __future__ import annotations

import re

from aidojo.checks import rubric
from aidojo.checks.registry import question
from aidojo.checks.result import CheckResult
from aidojo.text.prompt_parse import listed_labels

# --- q1: the five elements ----------------------------------------------------------------------

WEAK_Q1 = "防災フェアのお知らせを書いて。"
FAIR_FACTS = (
    "行事名：みどり市 秋の防災フェア\n"
    "日時：10月18日（土）10時〜15時\n"
    "場所：みどり中央公園（雨天時は市民体育館）\n"
    "内容：起震車での地震体験、非常食の試食、消火器の使い方教室\n"
    "参加費：無料、申込不要\n"
    "問い合わせ：危機管理課 防災係"
)
FAIR_FACT_WORDS = [r"10月18日|10/18", r"中央公園", r"起震車|地震体験|非常食|消火器", r"無料|申込不要|申し込み不要"]


def q1_requirements() -> list[rubric.Requirement]:
    return rubric.five_elements() + [
        rubric.any_of("topic", "お知らせの題材", "何のお知らせか（秋の防災フェア）が書かれていません。", ["防災フェア", "防災イベント"], own_words=False),
    ]


@question("m02.q1", reads=("プロンプト",), title="5つの要素をそろえる")
def q1(prompt: object) -> CheckResult:
    return rubric.to_check(rubric.evaluate(prompt, q1_requirements(), sources=[FAIR_FACTS]))


@question("m02.q1.hidden", reads=("プロンプト",), title="5つの要素をそろえる（追加の確認）")
def q1_hidden(prompt: object) -> CheckResult:
    """The facts of the fair are given to the AI (otherwise it has to invent a date and a place)."""
    text = rubric.clean_answer(prompt)
    found = sum(bool(re.search(p, text)) for p in FAIR_FACT_WORDS)
    result = rubric.evaluate(prompt, q1_requirements(), sources=[FAIR_FACTS])
    hints = result.hints
    if found < 3:
        hints = hints + ["日時・場所・内容などの事実がプロンプトに入っていません。事実を渡さないと、AIは日付や場所を作り話で埋めてしまいます。"]
    return CheckResult(not hints, hints, 1.0 if not hints else 0.0)


# --- q2: delimit the source, limit the length, no new facts ----------------------------------------

WEAK_Q2 = "これ、要約しといて。"
RECORD = (
    "みどり市 市民意見交換会（青葉地区）記録\n"
    "日時：11月9日（土）14時〜16時　場所：青葉地区市民センター　参加：市民23名、市職員5名\n"
    "・バス路線の減便で、高齢者が通院に困っているという意見が最も多く出た（7名）。\n"
    "・青葉川沿いの遊歩道の街灯が暗く、夜に歩くのが不安だという声があった。\n"
    "・子育て世帯から、地区内に子どもを一時的に預けられる施設がほしいという要望があった。\n"
    "・ごみ集積所のカラス対策として、防鳥ネットの貸し出しを求める意見があった。\n"
    "・市からは、バス事業者と来年度のダイヤ改正に向けて協議中であることを説明した。"
)
RECORD_ALT = (
    "みどり市 市民意見交換会（桜台地区）記録\n"
    "日時：11月16日（土）10時〜12時　場所：桜台小学校 体育館　参加：市民31名、市職員4名\n"
    "・通学路の横断歩道に信号がなく危ないという意見が多かった（9名）。\n"
    "・桜台公園の遊具が古く、修理してほしいという要望があった。\n"
    "・空き家が増えて、草木の手入れがされていないという声があった。\n"
    "・市からは、通学路の安全点検を12月に警察と合同で行うことを説明した。"
)


def q2_requirements(source: str = RECORD) -> list[rubric.Requirement]:
    return [
        rubric.element("instruction"),
        rubric.element("purpose"),
        rubric.delimited_source(source),
        rubric.length_limited(400),
        rubric.no_new_facts(),
    ]


@question("m02.q2", reads=("プロンプト",), title="資料を区切り、字数と禁止事項を書く")
def q2(prompt: object) -> CheckResult:
    return rubric.to_check(rubric.evaluate(prompt, q2_requirements(), sources=[RECORD]))


@question("m02.q2.hidden", reads=("プロンプト",), title="別の記録でも使えるか")
def q2_hidden(prompt: object) -> CheckResult:
    return rubric.to_check(rubric.template_check(prompt, q2_requirements, RECORD, RECORD_ALT))


# --- q3: few-shot classification ----------------------------------------------------------------

WEAK_Q3 = "この意見を分類して。"
CATEGORIES = ["交通", "子育て", "ごみ", "防災", "その他"]
OPINION = "保育園の入園申込の書類が多すぎて、仕事をしながらだと準備が大変です。"
OPINION_ALT = "台風のときに、どこに避難すればいいのか分かりませんでした。"


def q3_requirements(target: str = OPINION) -> list[rubric.Requirement]:
    return [
        rubric.phrase("classify", "分類の指示", "「次の意見を分類してください」のように、分類することをはっきり書きましょう。",
                      [r"分類|分け|振り分|仕分|どれに(?:当て|あて)はま|いずれかを?(?:選|答)|どのカテゴリ|カテゴリ.{0,6}(?:選|判定|付け)|判定"]),
        rubric.labels(CATEGORIES, at_least=4),
        rubric.few_shot(2),
        rubric.phrase("label_only", "出力形式（カテゴリ名だけ）", "答えの形が指定されていません。「カテゴリ名だけを答えてください」のように、出力の形を決めましょう。",
                      [r"(?:カテゴリ|分類|ラベル)(?:名)?(?:だけ|のみ|を?1つ|をひとつ|を一つ|一語)", r"(?:だけ|のみ)を?(?:答え|出力|回答|書い)",
                       r"(?:出力形式|出力|形式)\s*[:：]", r"(?:単語|一語|1語)で"]),
        rubric.any_of("target", "分類する意見", "分類してほしい意見がプロンプトに入っていません。", [target[:12]], own_words=False),
    ]


@question("m02.q3", reads=("プロンプト",), title="例を見せて分類させる（few-shot）")
def q3(prompt: object) -> CheckResult:
    return rubric.to_check(rubric.evaluate(prompt, q3_requirements(), sources=[OPINION]))


@question("m02.q3.hidden", reads=("プロンプト",), title="別の意見でも分類できるか")
def q3_hidden(prompt: object) -> CheckResult:
    """The model can read the categories, and the prompt still works with another opinion in it."""
    from aidojo.llm.offline.engine import respond

    text = rubric.clean_answer(prompt)
    hints = []
    offered = listed_labels(text)
    if sum(any(c in lab for lab in offered) for c in CATEGORIES) < 4:
        hints.append("カテゴリの並べ方がAIに伝わりにくい形です。「交通・子育て・ごみ・防災・その他のいずれか」のように1行に並べるか、見出しの下に箇条書きで書きましょう。")
    swapped = text.replace(OPINION, OPINION_ALT) if OPINION in text else rubric.swap_source(text, OPINION, OPINION_ALT)
    if swapped is None or swapped == text:
        hints.append("分類してほしい意見を、問題文のとおりそのまま貼り付けましょう。")
    elif not hints:
        reply = respond([{"role": "user", "content": swapped}]).text.strip()
        if not any(c in reply for c in CATEGORIES):
            hints.append("AIの答えがカテゴリ名になりませんでした。カテゴリ名だけを答えるよう指示しましょう。")
    return CheckResult(not hints, hints, 1.0 if not hints else 0.0)


# --- q4: steps ----------------------------------------------------------------------------------

WEAK_Q4 = "この申請、補助金の対象になる？"
APPLICATION = (
    "申請者：カフェ若葉（みどり市青葉区の飲食店、従業員6名の中小企業）\n"
    "事業内容：店舗の冷蔵庫を省エネ型に買い替える\n"
    "経費：48万円\n"
    "申請日：2027年1月20日"
)
SUBSIDY_RULES = (
    "みどり市 省エネ設備導入補助金の要件\n"
    "1. みどり市内に事業所がある中小企業であること\n"
    "2. 補助の対象になる経費が30万円以上であること\n"
    "3. 2027年1月31日までに申請すること"
)
APPLICATION_ALT = (
    "申請者：みどり印刷株式会社（隣の県に本社、市内に事業所なし）\n"
    "事業内容：工場の照明をLEDに交換する\n"
    "経費：25万円\n"
    "申請日：2027年2月3日"
)


def q4_requirements(source: str = APPLICATION) -> list[rubric.Requirement]:
    return [
        rubric.element("instruction"),
        rubric.steps(),
        rubric.delimited_source(source),
        rubric.element("output_format"),
    ]


@question("m02.q4", reads=("プロンプト",), title="手順に分けて考えさせる")
def q4(prompt: object) -> CheckResult:
    return rubric.to_check(rubric.evaluate(prompt, q4_requirements(), sources=[APPLICATION, SUBSIDY_RULES]))


@question("m02.q4.hidden", reads=("プロンプト",), title="別の申請書でも使えるか")
def q4_hidden(prompt: object) -> CheckResult:
    return rubric.to_check(rubric.template_check(prompt, q4_requirements, APPLICATION, APPLICATION_ALT))


# --- q5: refine with a follow-up ----------------------------------------------------------------

FIRST_PROMPT_Q5 = "次の制度改正の内容を、市民向けに説明する文章を作ってください。（資料：国民健康保険料の算定方法の見直しについての通知）"
FIRST_ANSWER_Q5 = (
    "令和9年度より、国民健康保険料の算定における所得割の料率及び均等割額の改定が行われます。"
    "本改定は、被保険者の負担の公平性の確保及び財政運営の安定化を目的とするものであり、"
    "賦課限度額についても政令の改正に準じて見直しが行われます。（以下、約1,200字が続く）"
)

_PLAIN_WORDS = [r"(?:中学生|小学生|子ども|高齢者|外国|初めて|一般の|市民|住民|誰でも|だれでも)(?:にも|でも|が|に|向け)",
                r"専門用語|難しい(?:言葉|用語|漢字)|やさしい|易しい|平易|わかりやすく|分かりやすく|かみくだ|噛み砕",
                r"箇条書き|表で|表に|見出し|q&a|質問と答え"]


def q5_requirements() -> list[rubric.Requirement]:
    return [
        rubric.Requirement("short", "短い追加の指示", "追加の指示は長く書き直さず、1〜2文（100字以内）で直してほしい点だけを伝えましょう。",
                           lambda a: f"{len(a.full)}字" if 0 < len(a.full) <= 100 else None),
        rubric.Requirement("size", "長さ（字数・数）", "どのくらい短くするかを「200字以内」「3点に」のように数字で伝えましょう。",
                           lambda a: (f"{a.reading.limit_chars}字" if a.reading.limit_chars else None)
                           or (f"{a.reading.items}点" if a.reading.items else None)),
        rubric.phrase("plain", "読み手・言葉・形の指定", "誰に向けて・どんな言葉で・どんな形で直すか（「専門用語を使わず」「高齢の方にも分かるように」「箇条書きで」など）を伝えましょう。",
                      _PLAIN_WORDS),
    ]


@question("m02.q5", reads=("プロンプト",), title="追加の指示で直す")
def q5(prompt: object) -> CheckResult:
    return rubric.to_check(rubric.evaluate(prompt, q5_requirements()))


@question("m02.q5.hidden", reads=("プロンプト",), title="追加の指示で直す（追加の確認）")
def q5_hidden(prompt: object) -> CheckResult:
    """The follow-up is a refinement, not a whole new prompt with the source pasted again."""
    text = rubric.clean_answer(prompt)
    hints = [] if not rubric.blocks(text) else ["追加の指示では資料を貼り直す必要はありません。直してほしい点だけを書きましょう。"]
    hints += rubric.evaluate(text, q5_requirements()).hints
    return CheckResult(not hints, hints, 1.0 if not hints else 0.0)

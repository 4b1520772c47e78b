"""m02 プロンプトの基本: rewrite weak prompts for municipal tasks; graded on the five elements and what each task needs.

One checker per question is both the learner's self-check and the grade. The answer cell comes pre-filled with
the task's material, already delimited (``<事実>…</事実>``); the learner writes only their own words. Where the
prompt works on material, the checker also puts another text (``*_ALT``) in its place and checks again, so a
prompt passes only when its instructions stand outside the material. Every text is fictional (みどり市).
"""

from __future__ import annotations

import re

from aidojo.checks import rubric
from aidojo.checks.registry import question
from aidojo.checks.result import CheckResult
from aidojo.text.normalize import normalize

PRAISE = "よくできました。このプロンプトは職場でもそのまま使えます。"

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


def _facts_given(a: rubric.Answer) -> str | None:
    text = normalize(a.full)
    found = sum(bool(re.search(p, text)) for p in FAIR_FACT_WORDS)
    return f"事実{found}件" if found >= 3 else None


def q1_requirements() -> list[rubric.Requirement]:
    return rubric.five_elements() + [
        rubric.custom("facts", "事実を渡す",
                      "日時・場所・内容などの事実がプロンプトに入っていません。最初から入っている<事実>〜</事実>を消さずに残しましょう（事実がないと、AIは日付や場所を作り話で埋めてしまいます）。",
                      _facts_given),
    ]


@question("m02.q1", reads=("プロンプト",), title="5つの要素をそろえる")
def q1(prompt: object) -> CheckResult:
    return rubric.to_check(rubric.evaluate(prompt, q1_requirements(), sources=[FAIR_FACTS]), praise=PRAISE)


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
        rubric.no_new_facts("「記録に書かれていないことは書かないでください」のように、記録にない事実を加えないよう指示しましょう。"),
    ]


@question("m02.q2", reads=("プロンプト",), title="資料を区切り、字数と禁止事項を書く")
def q2(prompt: object) -> CheckResult:
    reqs = q2_requirements() + [rubric.reusable(q2_requirements, RECORD, RECORD_ALT)]
    return rubric.to_check(rubric.evaluate(prompt, reqs, sources=[RECORD]), praise=PRAISE)


# --- q3: few-shot classification ----------------------------------------------------------------

WEAK_Q3 = "この意見を分類して。"
CATEGORIES = ["交通", "子育て", "ごみ", "防災", "その他"]
OPINION = "保育園の入園申込の書類が多すぎて、仕事をしながらだと準備が大変です。"
OPINION_ALT = "台風のときに、どこに避難すればいいのか分かりませんでした。"
CLASSIFY = [r"分類|分け|振り分|ふりわけ|仕分|しわけ|どれに(?:当て|あて)はま|どれにあた|どれに該当|いずれか|どのカテゴリ|どの分野|どの区分|"
            r"カテゴリ.{0,8}(?:選|判定|付け|つけ|決め|答え|判断)|判定|ラベル(?:を)?(?:付け|つけ)|振り分け|担当課を決め|"
            r"どれ(?:に|か)?(?:当たる|あたる|該当する|属する|入る|近い)|どの(?:分野|カテゴリ|区分|分類)|"
            r"\b(?:classify|categori[sz]e|which (?:category|label)|one of)\b"]
LABEL_ONLY = [
    r"(?:カテゴリ|カテゴリー|分類|ラベル|区分|分野)(?:の)?(?:名|名前|名称|名だけ)?[^。\n]{0,4}(?:だけ|のみ|ひとつ|一つ|1つ)(?:を|で)?(?:答え|出力|回答|書|返|記|示|表示|言)?",
    r"(?:名前|名称|単語|語|一言)(?:だけ|のみ)",
    r"(?:だけ|のみ)(?:を)?(?:答え|出力|回答|書い|書き|返|記入|記載|示|表示)",
    r"(?:一語|1語|単語|ひとこと|一言)で",
    r"(?:出力形式|出力|形式|答え方|回答形式|回答の形|答えの形)\s*[:：]",
    r"(?:説明|理由|解説|前置き|余計な(?:こと|文)|ほかの(?:こと|文)|他の(?:こと|文)|それ以外)(?:は|を|も)?(?:不要|いらない|書かない|書かず|つけない|付けない|付けず|なし|入れない|省)",
    r"(?:→|:|：)\s*(?:カテゴリ|カテゴリー|分類)(?:名)?\s*(?:の形|の形式|で答|で出力)",
    r"\b(?:(?:label|category|name) only|only the (?:label|category|name)|(?:reply|answer) with (?:just |only )?the (?:label|category))\b",
]


def q3_requirements(target: str = OPINION) -> list[rubric.Requirement]:
    return [
        rubric.phrase("classify", "分類の指示", "「次の意見を分類してください」のように、分類することをはっきり書きましょう。", CLASSIFY),
        rubric.labels(CATEGORIES, at_least=4),
        rubric.few_shot(2, CATEGORIES),
        rubric.phrase("label_only", "出力形式（カテゴリ名だけ）",
                      "答えの形が指定されていません。「カテゴリ名だけを答えてください」のように、出力の形を決めましょう。", LABEL_ONLY),
        rubric.any_of("target", "分類する意見", "分類してほしい意見がプロンプトに入っていません。最初から入っている<意見>〜</意見>は消さずに残しましょう。",
                      [target[:12]], own_words=False),
    ]


@question("m02.q3", reads=("プロンプト",), title="例を見せて分類させる（few-shot）")
def q3(prompt: object) -> CheckResult:
    reqs = q3_requirements() + [rubric.reusable(q3_requirements, OPINION, OPINION_ALT)]
    return rubric.to_check(rubric.evaluate(prompt, reqs, sources=[OPINION]), praise=PRAISE)


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
    reqs = q4_requirements() + [rubric.reusable(q4_requirements, APPLICATION, APPLICATION_ALT)]
    return rubric.to_check(rubric.evaluate(prompt, reqs, sources=[APPLICATION, SUBSIDY_RULES]), praise=PRAISE)


# --- q5: refine with a follow-up ----------------------------------------------------------------

FIRST_PROMPT_Q5 = "次の制度改正の内容を、市民向けに説明する文章を作ってください。（資料：国民健康保険料の算定方法の見直しについての通知）"
FIRST_ANSWER_Q5 = (
    "令和9年度より、国民健康保険料の算定における所得割の料率及び均等割額の改定が行われます。"
    "本改定は、被保険者の負担の公平性の確保及び財政運営の安定化を目的とするものであり、"
    "賦課限度額についても政令の改正に準じて見直しが行われます。（以下、約1,200字が続く）"
)

PLAIN_WORDS = [
    r"(?:中学生|小学生|子ども|こども|高齢|お年寄り|外国|初めて|一般の|市民|住民|誰でも|だれでも|素人|専門家でない|加入者|被保険者|対象の方|読む人)"
    r"(?:者|の方|の人|人)?(?:にも|でも|が|に|向け|の方)",
    r"専門用語|難しい(?:言葉|用語|漢字|表現)|むずかしい|やさしい|易しい|平易|わかりやすく|分かりやすく|わかりやすい|分かりやすい|かみくだ|噛み砕|"
    r"簡単な(?:言葉|表現)|かんたんな|身近な|日常の言葉|ふつうの言葉|普通の言葉|カタカナ語|漢語|お役所言葉|役所言葉",
    r"箇条書|表で|表に|見出し|q&a|質問と答え|一問一答|ですます|です・ます|話し言葉|例を(?:入れ|挙げ|使)|具体例",
    r"\b(?:plain|simple|easy|residents|citizens|elderly|non-experts?|bullets?|jargon)\b",
]


def _short_followup(a: rubric.Answer) -> str | None:
    return f"{len(a.full)}字" if 0 < len(a.full) <= 100 else None


def _size(a: rubric.Answer) -> str | None:
    if a.reading.limit_chars:
        return f"{a.reading.limit_chars}字"
    if a.reading.items:
        return f"{a.reading.items}点"
    m = re.search(r"(\d+)\s*(?:分の\s*1|分の一|割|%|％|行|文|段落)", normalize(a.full))
    return m.group(0) if m else None


def _no_material(a: rubric.Answer) -> str | None:
    return None if a.reading.blocks else "資料なし"


def q5_requirements() -> list[rubric.Requirement]:
    return [
        rubric.custom("short", "短い追加の指示", "追加の指示は長く書き直さず、1〜2文（100字以内）で直してほしい点だけを伝えましょう。", _short_followup),
        rubric.custom("size", "長さ（字数・数）", "どのくらい短くするかを「200字以内」「3点に」のように数字で伝えましょう。", _size),
        rubric.phrase("plain", "読み手・言葉・形の指定",
                      "誰に向けて・どんな言葉で・どんな形で直すか（「専門用語を使わず」「高齢の方にも分かるように」「箇条書きで」など）を伝えましょう。", PLAIN_WORDS),
        rubric.custom("no_material", "資料を貼り直さない", "追加の指示では資料を貼り直す必要はありません。直してほしい点だけを書きましょう。", _no_material),
    ]


@question("m02.q5", reads=("プロンプト",), title="追加の指示で直す")
def q5(prompt: object) -> CheckResult:
    return rubric.to_check(rubric.evaluate(prompt, q5_requirements()), praise="よくできました。短い追加の指示で、答えを直せます。")


__all__ = ["WEAK_Q1", "FAIR_FACTS", "RECORD", "RECORD_ALT", "CATEGORIES", "OPINION", "OPINION_ALT", "APPLICATION",
           "APPLICATION_ALT", "SUBSIDY_RULES", "FIRST_PROMPT_Q5", "FIRST_ANSWER_Q5", "q1", "q2", "q3", "q4", "q5"]

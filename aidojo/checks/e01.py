"""e01 幹部のための生成AI（90分）: the rules, what the programme needs from leaders, prompts for executive work.

The executive track's one module. No code: choice answers and prompts, with every answer cell pre-filled with
the material already delimited, so an executive writes only their own words. One checker per question is both
the self-check and the grade; the choice keys are sealed (plain keys in ``grader/keys/e01.toml``). All texts are
fictional (みどり市, a fictional national notice).
"""

from __future__ import annotations

from aidojo.checks import rubric
from aidojo.checks.m03 import GREETING_FACTS, PROJECT_FACTS, greeting_requirements, qa_requirements
from aidojo.checks.registry import question
from aidojo.checks.result import CheckResult
from aidojo.checks.sealed import matches
from aidojo.text.choice_parse import CHOSEN_RIGHT, CLEARED_WRONG

PRAISE = "よくできました。このプロンプトは、明日からの仕事でそのまま使えます。"


def _choice(qid: str, answer: object, options: dict[str, str], seals: dict[str, str], *, what: str, missed_hint: str,
            wrong_hint: str) -> CheckResult:
    return rubric.judge_choices(answer, list(options), lambda x: matches(qid, f"{x}:正", seals[x]), what=what,
                                cleared=CLEARED_WRONG, chosen=CHOSEN_RIGHT, missed_hint=missed_hint, wrong_hint=wrong_hint)


# --- q1: the rules -------------------------------------------------------------------------------------

RULE_STATEMENTS: dict[str, str] = {
    "A": "業務で使ってよいのは、市が承認した生成AIツールだけ。個人のアカウントの無料サービスは使わない。",
    "B": "市民の氏名を誤って入力してしまっても、画面を閉じれば問題はないので、報告はいらない。",
    "C": "業務で使ったプロンプトとAIの出力は、公文書として扱われることがあり、情報公開請求の対象にもなりうる。",
    "D": "AIが作った文章や画像なら、他人の著作物に似ていても自由に使ってよい。",
    "E": "AIの答えには偏り（バイアス）が入ることがあるので、特定の地域や人を不利に扱っていないかを確かめる。",
    "F": "AIの判定が正確なら、補助金の採否などの最終判断をAIに任せてよい。",
}
# Sealed keys: seal("e01.qN", "<option>:正" | "<option>:誤"); the plain keys are in grader/keys/e01.toml.
Q1_SEALS: dict[str, str] = {
    "A": "92098adaa2910128802ffde721bc69e53e5009987297e730a66b47177a216486",
    "B": "17fbb748ab39ea7a883afbd235586942d31aac13c7839a032c334c69d28a8970",
    "C": "cf9e4250daedf0b25921190b248d5d07e2cddfa7be9c6e0c91de8ebcd1f4169e",
    "D": "762c4337efe2a2be4b263cd05daa2e1c0c9332ae71cf719a8075fd942729a1e9",
    "E": "3cdf862916283b8bb13e205b397fb962a7c587ca5aefda90fad665d0f82d1df3",
    "F": "13752856292c321976ec768adbd53a77976fcb4d7e9ed2fb17334af3b9ee6149",
}


@question("e01.q1", reads=("答え",), title="AI利用のルール")
def q1(answer: object) -> CheckResult:
    return _choice("e01.q1", answer, RULE_STATEMENTS, Q1_SEALS, what="正しいもの",
                   missed_hint="正しいものを見落としています。承認されたツール・公文書と情報公開・偏り（バイアス）について、もう一度読みましょう。",
                   wrong_hint="誤っているものも選んでいます。「報告はいらない」「自由に使ってよい」「AIに任せてよい」のような言い切りに注意しましょう。")


# --- q2: personal data entered by mistake ---------------------------------------------------------------

MISTAKE_ACTIONS: dict[str, str] = {
    "A": "入力した内容と時刻を記録し、情報セキュリティの責任者（DX・AI戦略室）へすぐに報告させる。",
    "B": "問題が大きくなるので、誰にも言わないよう伝える。",
    "C": "ツールの設定で会話の履歴を削除し、同じ資料を使う作業をいったん止めさせる。",
    "D": "AIに「今の情報を忘れてください」と入力すれば解決するので、それで終わりにする。",
    "E": "本人にその日のうちに始末書を書かせ、報告はそのあとにする。",
}
Q2_SEALS: dict[str, str] = {
    "A": "e860693d302589b06b770aaae84215756b0ad6eacf2e9bdc1969b8ff343585d6",
    "B": "fd93e08fd54a8c9d5ceac904cb642673c6abfdc6fd9834aeef673e2d89271941",
    "C": "60cef564151a6b149e07fb93c74fc7ff74bbb4b166143fc473692ff9057676df",
    "D": "3b4bff8aaa0e5724d9d6e2c90581d9c07219cbb07127adf99fd998dd0549d9f6",
    "E": "ca775cddde4d09f4df856dedbf4c32ced936635b3900f322e7dff5ff25038e48",
}


@question("e01.q2", reads=("答え",), title="個人情報を入力してしまったとき")
def q2(answer: object) -> CheckResult:
    return _choice("e01.q2", answer, MISTAKE_ACTIONS, Q2_SEALS, what="まず指示すること",
                   missed_hint="まず行うことを見落としています。「記録して、すぐ報告する」と「広がらないよう止める」の2つを考えましょう。",
                   wrong_hint="まず行うことではないものも選んでいます。隠す・AIに頼んで終わりにする・報告を後回しにする対応は、被害を大きくします。")


# --- q3: what the programme needs from leaders ------------------------------------------------------------

PROGRAMME_ITEMS: dict[str, str] = {
    "A": "課ごとに、AI活用の責任者を決める。",
    "B": "使い道ごとに、リスク（個人情報・市民への影響・誤りが起きたときの影響）を判定する。",
    "C": "承認の流れ（所属長 → DX・AI戦略室）を通してから使い始める。",
    "D": "市民向けのAIは、100件以上のシナリオでもっともらしい誤り（ハルシネーション）を試験し、基準を満たしてから公開する。",
    "E": "調達では、入力したデータがAIの学習に使われないか、データがどこに保存されるかを契約で確かめる。",
    "F": "大手ベンダーの製品なら、市での試験は省いてよい。",
    "G": "効果の指標（KPI）は、利用者数だけを見れば十分である。",
    "H": "AIが答えられないときは、必ず職員に引き継ぐ仕組みを用意する。",
}
Q3_SEALS: dict[str, str] = {
    "A": "9b1ee86bcaaad7ce2bb1258e70dee39aaca721eec31ba86c99c71071f0e1801c",
    "B": "d3fd8178ac1824b79c50e73b52966bbfebf12c5927e3cbed65d3fbb48bf888e4",
    "C": "fb3f7062b0dbb4046e5f8270ed624af3592104ac8a1313cba5c3f46ea2ad7c40",
    "D": "436a3d34bb4bdcde51575d0fc89c0566febe678f047d6c359342379005ace814",
    "E": "4a0e13c4dfae8a38f56bc7819966ce8e843698a5daf55f545ccf860ccccf4e0b",
    "F": "5e2706da31e4170e1236ddd94090f9e7350c4576b2993153c56c0bda745e0967",
    "G": "cae8eea7f3b49212b1700919d00a3a72dc8403193143802e4d625c0a5cd66ae2",
    "H": "eb17eab6e6bfab5777a89fef7950072be54afdbf2211b9ba642eb863b4f9959f",
}


@question("e01.q3", reads=("答え",), title="幹部がそろえること")
def q3(answer: object) -> CheckResult:
    return _choice("e01.q3", answer, PROGRAMME_ITEMS, Q3_SEALS, what="そろえるべきもの",
                   missed_hint="必要なことを見落としています。責任者・リスク判定・承認の流れ・公開前の試験・調達・引き継ぎの6つの観点で、もう一度見ましょう。",
                   wrong_hint="必要でないもの（または誤り）も選んでいます。「試験を省く」「指標は1つで十分」は、市民向けAIでは危険です。")


# --- q4: a greeting (挨拶文) -------------------------------------------------------------------------------

EXEC_GREETING_FACTS = (
    "行事：みどり市役所 新庁舎 市民窓口フロア オープン記念式典\n"
    "日時：2027年10月1日（金）9時から\n"
    "場所：みどり市役所 新庁舎1階 市民ホール\n"
    "参加：市民・自治会長・市議会議員など約120人\n"
    "あいさつする人：副市長\n"
    "伝えたいこと：工事中の協力へのお礼、窓口の待ち時間を短くする取り組み（オンライン予約・案内表示）、これからも声を聞かせてほしい"
)


@question("e01.q4", reads=("プロンプト",), title="式典のあいさつ文")
def q4(prompt: object) -> CheckResult:
    reqs = greeting_requirements(EXEC_GREETING_FACTS) + [
        rubric.reusable(greeting_requirements, EXEC_GREETING_FACTS, GREETING_FACTS)]
    return rubric.to_check(rubric.evaluate(prompt, reqs, sources=[EXEC_GREETING_FACTS]), praise=PRAISE)


# --- q5: assembly Q&A (議会答弁の想定問答) ---------------------------------------------------------------------

EXEC_PROJECT_FACTS = (
    "事業名：生成AI活用推進事業（令和9年度予算に計上、公表済み）\n"
    "予算額：2,400万円（職員研修、承認済みAIツールの利用料、企業との合同ハッカソン）\n"
    "内容：全職員向け研修（年31回）、承認済みAIツールの全庁導入、ハッカソン（年1回）\n"
    "目標：職員の9割が生成AIを業務で使う、AI人材を150人育てる\n"
    "安全対策：個人情報を入力しないルール、市民向けのAIは公開前に100件以上のシナリオで試験"
)


@question("e01.q5", reads=("プロンプト",), title="議会答弁の想定問答")
def q5(prompt: object) -> CheckResult:
    reqs = qa_requirements(EXEC_PROJECT_FACTS) + [rubric.reusable(qa_requirements, EXEC_PROJECT_FACTS, PROJECT_FACTS)]
    return rubric.to_check(rubric.evaluate(prompt, reqs, sources=[EXEC_PROJECT_FACTS]), praise=PRAISE)


# --- q6: summarise a national notice ----------------------------------------------------------------------

NATIONAL_NOTICE = (
    "行政デジタル省（架空）「地方公共団体における生成AIの利用に関する留意事項について（通知）」令和9年5月12日\n"
    "1. 生成AIを利用する業務の範囲と責任者を定め、庁内に周知すること。\n"
    "2. 個人情報及び非公開情報を入力しない運用とし、誤って入力した場合の報告手順を定めること。\n"
    "3. 住民向けにAIを用いる場合は、AIによる回答であることを明示し、誤りに備えて職員が対応できる体制を整えること。\n"
    "4. 調達に当たっては、入力データが学習に利用されないこと及びデータの保存場所を確認すること。\n"
    "5. 各団体の取組状況を、令和9年9月30日までに別紙様式により報告すること。"
)
NATIONAL_NOTICE_ALT = (
    "行政デジタル省（架空）「窓口のオンライン手続の推進について（通知）」令和9年6月3日\n"
    "1. 転入・転出の手続をオンラインで受け付ける準備を進めること。\n"
    "2. オンラインで手続できない住民のために、窓口での支援を続けること。\n"
    "3. 準備の状況を、令和9年12月末までに報告すること。"
)
SUMMARY = [r"要約|要点|まとめ|ポイント|かいつま|概要|整理"]
CITY_ACTION = [r"(?:市|本市|当市|うち|わが市|我々|私たち|各課|庁内|自治体|当課|役所)(?:が|で|として|の)?.{0,12}(?:すべき|やるべき|必要な|しなければならない|求められ|対応|行う|やる)",
               r"(?:対応|やるべき|すべき|必要な)(?:こと|事項|作業|対応)|期限|締切|締め切り|いつまで|報告期限|対応事項|宿題|todo|アクション"]


def notice_requirements(source: str = NATIONAL_NOTICE) -> list[rubric.Requirement]:
    return [
        rubric.phrase("summary", "要約の指示", "「要点をまとめてください」のように、要約することをはっきり書きましょう。", SUMMARY),
        rubric.element("purpose"),
        rubric.phrase("city_action", "市がすべきことと期限", "通知を受けて市が何を・いつまでにしなければならないかを、分けて書かせましょう。", CITY_ACTION),
        rubric.custom("size", "長さ（字数・数）", "長さを「300字以内」「5点以内」のように数字で指定しましょう。",
                      lambda a: (f"{a.reading.limit_chars}字" if a.reading.limit_chars else None)
                      or (f"{a.reading.items}点" if a.reading.items else None)),
        rubric.no_new_facts("「通知に書かれていないことは書かない」のように、通知にないことを足さないよう指示しましょう。"),
        rubric.delimited_source(source),
    ]


@question("e01.q6", reads=("プロンプト",), title="国の通知を要約する")
def q6(prompt: object) -> CheckResult:
    reqs = notice_requirements() + [rubric.reusable(notice_requirements, NATIONAL_NOTICE, NATIONAL_NOTICE_ALT)]
    return rubric.to_check(rubric.evaluate(prompt, reqs, sources=[NATIONAL_NOTICE]), praise=PRAISE)


__all__ = ["RULE_STATEMENTS", "MISTAKE_ACTIONS", "PROGRAMME_ITEMS", "EXEC_GREETING_FACTS", "EXEC_PROJECT_FACTS", "NATIONAL_NOTICE",
           "q1", "q2", "q3", "q4", "q5", "q6"]

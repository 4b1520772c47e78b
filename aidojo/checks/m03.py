"""m03 業務で使う: minutes, a polite reply, やさしい日本語, a press release, checking a draft against its source.

All texts are fictional (みどり市, its departments, fictional residents and staff). ``*_ALT`` texts are
what the hidden tests put in place of the source to see that the learner's prompt is reusable.
"""

from __future__ import annotations

from aidojo.checks import rubric
from aidojo.checks.registry import question
from aidojo.checks.result import CheckResult

# --- q1: minutes → decisions and action items ---------------------------------------------------

MINUTES = (
    "子育て支援アプリ導入検討会議（第3回） 11月12日 10時〜11時 本庁舎5階 会議室A\n"
    "出席：こども未来課 森田課長、佐々木係長、情報政策課 上野主任、広報課 石井主事\n"
    "森田課長：アプリの名前は「みどりっこナビ」とすることで決定します。\n"
    "上野主任：個人情報の取り扱いについて、情報政策課で12月5日までにチェックリストを作成します。\n"
    "佐々木係長：保育園の空き状況をアプリに載せるかどうかは、各園の意見を聞いてから次回決めたいと思います。\n"
    "石井主事：市民向けの紹介記事を、広報みどり2月号に載せる方向で調整します。原稿は1月10日までに広報課で作成します。\n"
    "森田課長：公開は2027年4月1日とすることで合意しました。次回は12月10日です。"
)
MINUTES_ALT = (
    "市民課 窓口混雑対策会議 11月20日 15時〜16時 本庁舎1階 打合せ室\n"
    "出席：市民課 川村課長、中島係長、情報政策課 野口主任\n"
    "川村課長：3月と4月の土曜日に臨時窓口を開くことで決定します。\n"
    "中島係長：臨時窓口の職員の勤務表を12月15日までに作成します。\n"
    "野口主任：待ち人数をホームページで見られるようにするかは、費用を確認して次回決めます。\n"
    "川村課長：呼び出し番号の案内表示を新しくすることを承認します。"
)
_SECTION_PATTERNS = {
    "decisions": [r"決定事項|決まった(?:こと|事項|内容)|決定した(?:こと|事項|内容)|決定内容|合意(?:事項|した(?:こと|内容))|決めたこと|decisions?"],
    "actions": [r"アクション|todo|to do|やること|宿題|対応事項|作業項目|タスク|誰が.{0,10}(?:いつ|何)|担当(?:者)?.{0,8}(?:期限|締切|いつまで)|(?:期限|いつまで).{0,8}担当"],
}


def q1_requirements(source: str = MINUTES) -> list[rubric.Requirement]:
    return [
        rubric.delimited_source(source),
        rubric.phrase("decisions", "決定事項", "「決定事項」を抜き出すよう指示しましょう。", _SECTION_PATTERNS["decisions"]),
        rubric.phrase("actions", "アクション項目（担当・期限）", "「アクション項目（担当者・期限）」を抜き出すよう指示しましょう。誰が・いつまでに・何をするかが大切です。",
                      _SECTION_PATTERNS["actions"]),
        rubric.element("output_format"),
        rubric.no_new_facts(),
    ]


@question("m03.q1", reads=("プロンプト",), title="議事録から決定事項とアクション項目")
def q1(prompt: object) -> CheckResult:
    return rubric.to_check(rubric.evaluate(prompt, q1_requirements(), sources=[MINUTES]))


@question("m03.q1.hidden", reads=("プロンプト",), title="別の議事録でも使えるか")
def q1_hidden(prompt: object) -> CheckResult:
    return rubric.to_check(rubric.template_check(prompt, q1_requirements, MINUTES, MINUTES_ALT))


# --- q2: a polite reply to a citizen -------------------------------------------------------------

INQUIRY = (
    "隣の空き家の庭の草が伸び放題で、夏から虫がたくさん出て困っています。"
    "市で今すぐ草を刈ってもらえますか。費用は市が出してくれるのでしょうか。"
    "何度も電話しているのに、まだ何も変わっていません。（青葉区在住の方からのメール）"
)
INQUIRY_ALT = (
    "家の前の道路に大きな穴があいていて、自転車で通るときに危ないです。"
    "来週までに必ず直してください。けがをしたら市が補償してくれるのですか。"
)
KEIGO = [r"敬語|丁寧|ていねい|です・?ます|ですます|失礼のない|礼儀正しい|やわらかい言葉|お客様対応"]
NO_PROMISE = [
    r"約束(?:を)?(?:しない|しないで|せず|はしない|できない)|確約(?:しない|せず|はしない|できない)|お約束(?:でき|し)ない",
    r"(?:できる|できない)かどうか.{0,10}(?:断定|言い切)|断定(?:しない|せず|を避け)|言い切らない",
    r"(?:期限|日付|日程|費用|補償|対応時期)(?:は|を|について|も)?.{0,12}(?:書かない|決めない|約束しない|確約しない|明言しない|示さない|入れない)",
    r"(?:市が|市で)?できないこと(?:は|を)?.{0,10}(?:書かない|約束|言わない|含めない)",
    r"(?:確認|調査|検討)(?:して|のうえ|した上で|後に).{0,12}(?:連絡|回答|返事|お知らせ)",
    r"(?:実施|対応|刈り取り|修理)(?:を)?(?:約束|保証)(?:しない|せず|できない)",
]


def q2_requirements(source: str = INQUIRY) -> list[rubric.Requirement]:
    return [
        rubric.element("role"),
        rubric.element("instruction"),
        rubric.phrase("keigo", "敬語・丁寧な言葉", "言葉づかいの指定がありません。「敬語で、丁寧に」と書きましょう。", KEIGO),
        rubric.phrase("no_promise", "できない約束をしない", "市ができるか分からないこと（すぐ草を刈る、費用を出す）を約束しないよう、「確認してから連絡する、とだけ書き、約束はしない」などと指示しましょう。",
                      NO_PROMISE),
        rubric.delimited_source(source),
    ]


@question("m03.q2", reads=("プロンプト",), title="市民への丁寧な返信")
def q2(prompt: object) -> CheckResult:
    return rubric.to_check(rubric.evaluate(prompt, q2_requirements(), sources=[INQUIRY]))


@question("m03.q2.hidden", reads=("プロンプト",), title="別の問い合わせでも使えるか")
def q2_hidden(prompt: object) -> CheckResult:
    return rubric.to_check(rubric.template_check(prompt, q2_requirements, INQUIRY, INQUIRY_ALT))


# --- q3: やさしい日本語 ----------------------------------------------------------------------------

NOTICE = (
    "燃やすごみの収集日変更のお知らせ\n"
    "令和9年4月1日（木）から、青葉地区の燃やすごみの収集日は、月曜日・木曜日から火曜日・金曜日に変更となります。"
    "収集日当日の午前8時30分までに、指定の集積所へお出しください。"
    "なお、祝日も収集を実施します。ご不明な点は環境政策課までお問い合わせください。"
)
NOTICE_ALT = (
    "市民プール臨時休業のお知らせ\n"
    "施設の点検のため、7月8日（火）から7月10日（木）まで、みどり市民プールを臨時休業いたします。"
    "ご来場の際は、事前にホームページで営業日をご確認ください。"
)
EASY = [r"やさしい日本語|易しい日本語|優しい日本語|簡単な日本語|かんたんな日本語|分かりやすい日本語|わかりやすい日本語"]
EASY_RULES = [
    r"(?:一文|1文|ひとつの文|文)(?:を|は)?(?:短く|短い)|短い文|(?:\d+)字(?:くらい|程度|以内)?の文",
    r"難しい(?:言葉|漢字|表現|用語)|漢字(?:に|を)?(?:ふりがな|少な|減ら|使いすぎ)|ふりがな|ルビ|専門用語|熟語|カタカナ語",
    r"(?:一つの文|一文|1文)に(?:一つ|ひとつ|1つ)|二重否定|敬語を(?:使わない|減らす|少なく)|です・?ます(?:で|を使)",
]
AUDIENCE = [r"外国(?:人|の方|籍|出身)|日本語(?:に慣れていない|が得意でない|を学んでいる|学習者)|子ども|こども|小学生|高齢|お年寄り|誰にでも|だれにでも"]
KEEP_FACTS = rubric.NO_NEW_FACTS_PATTERNS + [
    r"(?:日付|日時|曜日|時間|時刻|数字|内容|事実|情報)(?:や[^\n。]{1,12})?(?:は|を)?(?:変えない|変えず|そのまま|正確に|省略しない|省かない|落とさない|必ず(?:入れ|残|書)|残して|残す|間違えない)",
]


def q3_requirements(source: str = NOTICE) -> list[rubric.Requirement]:
    return [
        rubric.phrase("easy", "やさしい日本語", "「やさしい日本語に書き換えてください」と、はっきり頼みましょう。", EASY),
        rubric.phrase("easy_rules", "書き方のルール", "やさしい日本語のルール（一文を短く、難しい言葉を使わない、漢字にふりがな など）を1つ以上書きましょう。", EASY_RULES),
        rubric.phrase("audience", "読み手", "誰が読むのか（日本に住む外国の方、高齢の方など）を書きましょう。", AUDIENCE),
        rubric.phrase("keep_facts", "事実を変えない", "日付・曜日・時間などの事実を変えない（資料にないことを足さない）よう指示しましょう。", KEEP_FACTS),
        rubric.delimited_source(source),
    ]


@question("m03.q3", reads=("プロンプト",), title="やさしい日本語のお知らせ")
def q3(prompt: object) -> CheckResult:
    return rubric.to_check(rubric.evaluate(prompt, q3_requirements(), sources=[NOTICE]))


@question("m03.q3.hidden", reads=("プロンプト",), title="別のお知らせでも使えるか")
def q3_hidden(prompt: object) -> CheckResult:
    return rubric.to_check(rubric.template_check(prompt, q3_requirements, NOTICE, NOTICE_ALT))


# --- q4: a press-release draft -----------------------------------------------------------------

PRESS_FACTS = (
    "件名：みどり市と市内企業3社が合同で生成AIハッカソンを開催\n"
    "名称：みどりAIチャレンジ2027\n"
    "日程：2027年2月13日（土）・14日（日）\n"
    "会場：みどり市役所 本庁舎8階 大会議室\n"
    "参加者：市職員と企業のエンジニア 約40名\n"
    "テーマ：市民サービスの改善（窓口案内、ごみ分別案内など）\n"
    "取材：可能（2月10日までにDX推進課へ申し込み）"
)
PRESS_FACTS_ALT = (
    "件名：みどり市立図書館で電子書籍の貸出を開始\n"
    "開始日：2027年4月1日\n"
    "対象：市内在住・在勤・在学で図書館カードを持つ方\n"
    "冊数：一度に2冊まで、貸出期間14日\n"
    "問い合わせ：中央図書館 サービス係"
)
SECTIONS = [r"見出し|タイトル|表題|件名|ヘッドライン"]
PRESS = [r"報道発表|プレスリリース|記者発表|報道機関|記者向け|報道資料|press release"]


def q4_requirements(source: str = PRESS_FACTS) -> list[rubric.Requirement]:
    return [
        rubric.element("role"),
        rubric.phrase("press", "報道発表資料であること", "何を作るのか（報道発表資料・プレスリリースの案）をはっきり書きましょう。", PRESS),
        rubric.phrase("sections", "構成（見出し など）", "見出し・本文・問い合わせ先など、報道発表資料の構成を指定しましょう。", SECTIONS),
        rubric.delimited_source(source),
        rubric.no_new_facts(),
    ]


@question("m03.q4", reads=("プロンプト",), title="報道発表資料の下書き")
def q4(prompt: object) -> CheckResult:
    return rubric.to_check(rubric.evaluate(prompt, q4_requirements(), sources=[PRESS_FACTS]))


@question("m03.q4.hidden", reads=("プロンプト",), title="別の発表でも使えるか")
def q4_hidden(prompt: object) -> CheckResult:
    return rubric.to_check(rubric.template_check(prompt, q4_requirements, PRESS_FACTS, PRESS_FACTS_ALT))


# --- q5: check an AI draft against its source ---------------------------------------------------

CHECK_SOURCE = (
    "みどり市 特定健康診査のご案内\n"
    "対象：みどり市国民健康保険に加入している40歳から74歳の方\n"
    "期間：2027年6月1日から11月30日まで\n"
    "自己負担：500円（70歳以上の方は無料）\n"
    "受け方：受診券と保険証を持って、市内の指定医療機関で受けてください。"
)
AI_DRAFT = (
    "みどり市では、国民健康保険に加入している40歳から74歳の方を対象に、特定健康診査を行います。"
    "期間は2027年6月1日から12月28日までです。自己負担は500円ですが、65歳以上の方は無料です。"
    "受診券と保険証を持って、市内の指定医療機関で受けてください。予約は不要です。"
)
AI_DRAFT_ALT = (
    "特定健康診査は、みどり市国民健康保険に加入している40歳以上の方が対象です。"
    "期間は6月1日から11月30日まで、自己負担は1,000円です。"
)
COMPARE = [r"照合|突き合わせ|つき合わせ|突合|比較|比べ|見比べ|食い違|矛盾|一致しない|合っているか|合わない|正しいか|誤り|間違い|ファクトチェック|事実確認|チェック|点検|確認"]
EVIDENCE = [r"根拠|該当(?:する)?(?:箇所|部分|記述)|どこに書|引用|原文の|資料の(?:どこ|どの|記述|文|該当)|資料(?:に|で)(?:は|確認でき)|資料にない|書かれていない"]


def _two_blocks(a: rubric.Answer) -> str | None:
    """The source and the draft each sit in a block of their own (told apart by which they resemble most)."""
    found = [b.text for b in a.reading.blocks]
    kinds = set()
    for b in found:
        src = rubric.bigram_overlap(b, CHECK_SOURCE)
        drf = max(rubric.bigram_overlap(b, AI_DRAFT), rubric.bigram_overlap(b, AI_DRAFT_ALT))
        if max(src, drf) >= 0.6:
            kinds.add("source" if src > drf else "draft")
    return f"{len(found)}つの区切り" if kinds == {"source", "draft"} else None


def q5_requirements(draft: str = AI_DRAFT) -> list[rubric.Requirement]:
    return [
        rubric.Requirement("two_blocks", "資料と下書きを別々に区切る", "元の資料とAIの下書きを、それぞれ別の区切り（【資料】と【下書き】、### など）で囲みましょう。どちらが資料か分かるようにします。",
                           _two_blocks),
        rubric.phrase("compare", "照らし合わせる指示", "下書きを資料と照らし合わせ、合っていない点を探すよう指示しましょう。", COMPARE),
        rubric.phrase("evidence", "根拠を示させる", "間違いの根拠（資料のどこと食い違うか）を示すよう頼みましょう。", EVIDENCE),
        rubric.element("output_format"),
    ]


@question("m03.q5", reads=("プロンプト",), title="AIの下書きを資料と照合する")
def q5(prompt: object) -> CheckResult:
    return rubric.to_check(rubric.evaluate(prompt, q5_requirements(), sources=[CHECK_SOURCE, AI_DRAFT]))


@question("m03.q5.hidden", reads=("プロンプト",), title="別の下書きでも使えるか")
def q5_hidden(prompt: object) -> CheckResult:
    return rubric.to_check(rubric.template_check(prompt, q5_requirements, AI_DRAFT, AI_DRAFT_ALT))

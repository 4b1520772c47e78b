"""m03 業務で使う: minutes, a polite reply, やさしい日本語, a press release, checking a draft, a greeting, assembly Q&A, Excel.

One checker per question is both the learner's self-check and the grade. The answer cell comes pre-filled with
the task's material, already delimited (``<記録>…</記録>``); the learner writes only their own words. Each
checker also puts another text (``*_ALT``) in place of the material and checks again, so a prompt passes only
when its instructions stand outside the material and still hold for the next case. All texts are fictional.
"""

from __future__ import annotations

import re

from aidojo.checks import rubric
from aidojo.checks.registry import question
from aidojo.checks.result import CheckResult
from aidojo.text.normalize import bigram_overlap, normalize

PRAISE = "よくできました。このプロンプトは職場でもそのまま使えます。"


def _graded(prompt: object, reqs: list[rubric.Requirement], sources: list[str]) -> CheckResult:
    return rubric.to_check(rubric.evaluate(prompt, reqs, sources=sources), praise=PRAISE)


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
DECISIONS = [r"決定事項|決定した|決まった|決定内容|決めた(?:こと|事項|内容)|合意(?:事項|した|内容|されたこと)|決定(?:された|したこと|しているもの)|"
             r"結論|確定(?:した|事項)|承認(?:された|事項)|decisions?"]
ACTIONS = [r"アクション|todo|to\s*do|to-do|action items?|tasks?|やること|やるべきこと|宿題|対応事項|作業項目|タスク|実施事項|今後の対応|今後の予定|次(?:に|まで)?の?(?:対応|作業)|"
           r"役割分担|誰が.{0,12}(?:いつ|何)|action"]
WHO = r"担当|誰が|だれが|責任者|実施者|who|主体|名前と|担当課|担当者|owner|assignee|person in charge|responsible"
WHEN = r"期限|いつまで|締切|締め切り|〆切|期日|納期|日付|いつ(?:まで)?に|when|due|deadline|スケジュール|日程"


def _actions(a: rubric.Answer) -> str | None:
    text = normalize(rubric.searchable(a.own))
    action = re.search(ACTIONS[0], text) or re.search(r"誰が.{0,12}(?:いつまで|いつ).{0,12}(?:何|なに)", text)
    if action and re.search(WHO, text) and re.search(WHEN, text):
        return "アクション項目（担当・期限）"
    return None


def q1_requirements(source: str = MINUTES) -> list[rubric.Requirement]:
    return [
        rubric.delimited_source(source),
        rubric.phrase("decisions", "決定事項", "「決定事項」を抜き出すよう指示しましょう。", DECISIONS),
        rubric.custom("actions", "アクション項目（担当・期限）",
                      "アクション項目を、担当（誰が）と期限（いつまでに）つきで抜き出すよう指示しましょう。「アクション項目」だけでは、誰がいつまでにするかが抜けがちです。",
                      _actions),
        rubric.element("output_format"),
        rubric.no_new_facts("「記録に書かれていないことは書かない」のように、記録にないことを書かないよう指示しましょう。"),
    ]


@question("m03.q1", reads=("プロンプト",), title="議事録から決定事項とアクション項目")
def q1(prompt: object) -> CheckResult:
    return _graded(prompt, q1_requirements() + [rubric.reusable(q1_requirements, MINUTES, MINUTES_ALT)], [MINUTES])


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
KEIGO = [r"敬語|丁寧|ていねい|です・?ます|ですます|失礼のない|礼儀正しい|やわらかい|柔らかい|お客様対応|尊敬語|謙譲語|丁重|かしこまった|誠実"]
NO_PROMISE = [
    r"約束(?:を|は)?(?:しない|しないで|せず|しません|できない|ごと|事)|確約(?:しない|せず|は|でき|しません|を避)|お約束(?:でき|し)ない|"
    r"約束(?:ととられ|と受け取られ|にならない|と誤解)|約束(?:めいた|する(?:ような|表現))",
    r"(?:できる|できない)(?:か|かどうか).{0,10}(?:断定|言い切|書かない|明言)|断定(?:しない|せず|を避け|的な)|言い切らない|言い切ら|明言(?:しない|せず|を避)",
    r"(?:期限|日付|日程|費用|補償|対応時期|時期|金額|負担|実施|草刈り|修理|対応)(?:は|を|について|も|の)?.{0,14}(?:書かない|書かず|決めない|約束しない|確約しない|明言しない|示さない|入れない|触れない|言わない|保証しない|断言しない)",
    r"(?:市が|市で)?できないこと(?:は|を)?.{0,10}(?:書かない|約束|言わない|含めない)",
    r"(?:確認|調査|検討|相談|現地確認)(?:して|のうえ|の上|した上で|したうえで|してから|後に|後).{0,16}(?:連絡|回答|返事|お知らせ|お返事|ご連絡|返答|伝え)",
    r"(?:実施|対応|刈り取り|草刈り|修理|補修)(?:を)?(?:約束|保証)(?:しない|せず|できない)",
    r"(?:すぐに?|今すぐ|直ちに|必ず)(?:対応|実施|刈|直|やり)(?:する|します|ます)?(?:と|とは)?(?:書かない|書かず|言わない|約束しない|は避け|しない)",
    r"(?:できない|不確か|未定|決まっていない)(?:こと|内容)(?:は|を)?.{0,8}(?:書かない|約束しない|言わない|入れない)",
    r"(?:確約|約束|断言|断定)(?:する|した|的な|めいた|と取れる|ととれる)?(?:表現|言い方|文言|書き方|言葉|回答|返事)",
    r"(?:刈る|刈り|草刈|費用|お金|補償|負担|修理|直す|直し|対応する|時期|期限|日程|いつ|すぐ)[^。\n]{0,30}?"
    r"(?:書かない|書かず|書かないで|約束しない|約束せず|約束は|言わない|触れない|含めない|入れない|避け|控え|明言しない|断定しない|決めつけない)",
    r"(?:まだ)?決まっていない(?:こと|ので|ため|内容)",
]


def q2_requirements(source: str = INQUIRY) -> list[rubric.Requirement]:
    return [
        rubric.element("role"),
        rubric.element("instruction"),
        rubric.phrase("keigo", "敬語・丁寧な言葉", "言葉づかいの指定がありません。「敬語で、丁寧に」と書きましょう。", KEIGO),
        rubric.phrase("no_promise", "できない約束をしない",
                      "市ができるか分からないこと（すぐ草を刈る、費用を出す）を約束しないよう、「確認してから連絡する、とだけ書き、約束はしない」などと指示しましょう。",
                      NO_PROMISE),
        rubric.delimited_source(source),
    ]


@question("m03.q2", reads=("プロンプト",), title="市民への丁寧な返信")
def q2(prompt: object) -> CheckResult:
    return _graded(prompt, q2_requirements() + [rubric.reusable(q2_requirements, INQUIRY, INQUIRY_ALT)], [INQUIRY])


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
EASY = [r"やさしい日本語|易しい日本語|優しい日本語|簡単な日本語|かんたんな日本語|分かりやすい日本語|わかりやすい日本語|やさしいにほんご|"
        r"平易な日本語|シンプルな日本語|easy japanese|plain japanese"]
EASY_RULES = [
    r"(?:一文|1文|ひとつの文|文|センテンス)(?:を|は)?(?:短く|短い|みじかく)|短い文|(?:\d+)字(?:くらい|程度|以内|まで)?の文|文を(?:区切|分け)",
    r"難しい(?:言葉|漢字|表現|用語)|むずかしい(?:言葉|漢字|ことば)|漢字(?:に|を|は)?(?:ふりがな|少な|減ら|使いすぎ|ひらがな)|ふりがな|ルビ|専門用語|熟語|カタカナ語|外来語|"
    r"ひらがな(?:を|で|に)|二重否定|敬語を(?:使わない|減らす|少なく|やめ)|です・?ます(?:で|を使)|言い換え|簡単な言葉|やさしい言葉|かんたんな言葉|易しい言葉|"
    r"一文に(?:一つ|ひとつ|1つ)|(?:一つ|ひとつ|1つ)の文に(?:一つ|ひとつ|1つ)|分かち書き|わかち書き|曖昧な表現|あいまいな",
    r"\b(?:short sentences|sentences short|simple words|easy words|plain words|furigana|avoid (?:difficult|hard|technical) words)\b",
]
AUDIENCE = [r"外国(?:人|の方|籍|出身|から来た|にルーツ)|日本語(?:に慣れていない|が得意でない|が苦手|を学んでいる|学習者|を勉強|が母語でない|があまり)|"
            r"子ども|こども|小学生|中学生|高齢|お年寄り|誰にでも|だれにでも|障がい|障害|読むのが苦手|留学生|技能実習|在住外国|外国籍|"
            r"\bforeign|\bnon-native|\belderly|\bchildren\b"]
KEEP_FACTS = rubric.NO_NEW_FACTS_PATTERNS + [
    r"(?:日付|日時|曜日|時間|時刻|数字|内容|事実|情報|意味|場所)(?:や[^\n。]{1,14})?(?:は|を|も)?(?:変えない|変えず|変えては|そのまま|正確に|省略しない|省かない|落とさない|"
    r"必ず(?:入れ|残|書)|残して|残す|間違えない|まちがえない|変更しない|変更せず|正しく|漏らさない|もらさない|抜かない|欠かさない)",
    r"(?:意味|内容|中身)(?:が|を)?(?:変わらない|変えない|同じ)",
    r"(?:日付|日にち|日時|曜日|時間|時刻|数字|事実|場所|期間|金額)[^\n。]{0,30}?(?:変えない|変えず|改変しない|改変せず|変更しない|そのまま|原文のまま|元のまま|元の(?:とおり|通り)|元どおり|"
    r"正確に|省略しない|省かない|間違えない|まちがえない|落とさない|必ず(?:入れ|残|書))",
    r"\b(?:do not|don't|never) (?:change|alter|modify)\b|\bkeep (?:the )?(?:dates|facts|times)\b",
    r"(?:原文|元の文|元|お知らせ|原本)と(?:同じ|一致|同一)",
]


def q3_requirements(source: str = NOTICE) -> list[rubric.Requirement]:
    return [
        rubric.phrase("easy", "やさしい日本語", "「やさしい日本語に書き換えてください」と、はっきり頼みましょう。", EASY),
        rubric.phrase("easy_rules", "書き方のルール", "やさしい日本語のルール（一文を短く、難しい言葉を使わない、漢字にふりがな など）を1つ以上書きましょう。", EASY_RULES),
        rubric.phrase("audience", "読み手", "誰が読むのか（日本に住む外国の方、高齢の方など）を書きましょう。", AUDIENCE),
        rubric.phrase("keep_facts", "事実を変えない", "日付・曜日・時間などの事実を変えない（お知らせにないことを足さない）よう指示しましょう。", KEEP_FACTS),
        rubric.delimited_source(source),
    ]


@question("m03.q3", reads=("プロンプト",), title="やさしい日本語のお知らせ")
def q3(prompt: object) -> CheckResult:
    return _graded(prompt, q3_requirements() + [rubric.reusable(q3_requirements, NOTICE, NOTICE_ALT)], [NOTICE])


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
SECTIONS = [r"見出し|タイトル|表題|件名|ヘッドライン|リード|題名|構成|段落|概要(?:を|は)?(?:箇条|表|まとめ)|問い合わせ先|問合せ先|連絡先|本文|"
            r"\b(?:headline|title|lead|body|contact)\b"]
PRESS = [r"報道発表|プレスリリース|記者発表|報道機関|記者向け|報道資料|報道向け|マスコミ向け|メディア向け|記者クラブ|press release|プレス|"
         r"(?:記者|報道|新聞|テレビ|マスコミ|メディア)(?:の方|各社|関係者)?(?:に|へ|向けに|向けの)(?:配る|送る|出す|発表|提供|お知らせ)|発表資料|リリース"]


def q4_requirements(source: str = PRESS_FACTS) -> list[rubric.Requirement]:
    return [
        rubric.element("role"),
        rubric.phrase("press", "報道発表資料であること", "何を作るのか（報道発表資料・プレスリリースの案）をはっきり書きましょう。", PRESS),
        rubric.phrase("sections", "構成（見出し など）", "見出し・本文・問い合わせ先など、報道発表資料の構成を指定しましょう。", SECTIONS),
        rubric.delimited_source(source),
        rubric.no_new_facts("「渡した事実だけを使い、事実にないことは書かない」のように、資料にない事実を加えないよう指示しましょう。"),
    ]


@question("m03.q4", reads=("プロンプト",), title="報道発表資料の下書き")
def q4(prompt: object) -> CheckResult:
    return _graded(prompt, q4_requirements() + [rubric.reusable(q4_requirements, PRESS_FACTS, PRESS_FACTS_ALT)], [PRESS_FACTS])


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
COMPARE_HINT = "下書きを資料と照らし合わせ、食い違う点や資料にない点を探すよう指示しましょう。"
EVIDENCE = [r"根拠|該当(?:する)?(?:箇所|部分|記述|文|個所|行)|どこ(?:に|と|が)|引用|原文の|出典|資料の(?:どこ|どの|記述|文|該当|箇所|部分|内容)|資料(?:では|には|で|に)(?:は)?(?:どう|何|なんと)|"
            r"資料(?:側)?の(?:記載|表現)|正しい(?:内容|記述|情報|数字|値|表現)|本来の|正しくは|(?:資料|元)の(?:文|文言)|並べて|対比|比較表|理由|"
            r"\b(?:quote|cite|evidence|source line|where in the source|reason)\b"]


def _two_blocks(a: rubric.Answer) -> str | None:
    """The source and the draft each sit in a block of their own (told apart by which they resemble most)."""
    kinds = set()
    for b in a.reading.blocks:
        src = bigram_overlap(b.text, CHECK_SOURCE)
        drf = max(bigram_overlap(b.text, AI_DRAFT), bigram_overlap(b.text, AI_DRAFT_ALT))
        if max(src, drf) >= 0.6:
            kinds.add("source" if src > drf else "draft")
    return f"{len(a.reading.blocks)}つの区切り" if kinds == {"source", "draft"} else None


def q5_requirements(draft: str = AI_DRAFT) -> list[rubric.Requirement]:
    return [
        rubric.custom("two_blocks", "資料と下書きを別々に区切る",
                      "元の資料とAIの下書きが、それぞれ別の区切りに入っていません。最初から入っている<資料>〜</資料>と<下書き>〜</下書き>は消さずに残しましょう。",
                      _two_blocks),
        rubric.compare(COMPARE_HINT),
        rubric.phrase("evidence", "根拠を示させる", "間違いの根拠（資料のどこと食い違うか）を示すよう頼みましょう。", EVIDENCE),
        rubric.element("output_format"),
    ]


@question("m03.q5", reads=("プロンプト",), title="AIの下書きを資料と照合する")
def q5(prompt: object) -> CheckResult:
    return _graded(prompt, q5_requirements() + [rubric.reusable(q5_requirements, AI_DRAFT, AI_DRAFT_ALT)], [CHECK_SOURCE, AI_DRAFT])


# --- q6: a greeting (挨拶文) -----------------------------------------------------------------------

GREETING_FACTS = (
    "行事：みどり市 市民清掃デー 開会式\n"
    "日時：2027年5月30日（日）8時30分から\n"
    "場所：みどり川河川敷 青葉グラウンド\n"
    "参加：市内の自治会・学校・企業から約600人（昨年より約100人多い）\n"
    "あいさつする人：環境部長\n"
    "伝えたいこと：参加へのお礼、熱中症に気をつけること、集めたごみは分別して指定の場所へ"
)
GREETING_FACTS_ALT = (
    "行事：みどり市 総合防災訓練 開会式\n"
    "日時：2027年9月5日（日）9時から\n"
    "場所：みどり中央公園\n"
    "参加：自主防災組織40団体、約800人\n"
    "あいさつする人：危機管理監\n"
    "伝えたいこと：参加へのお礼、家庭での備蓄の呼びかけ"
)
GREETING = [r"挨拶|あいさつ|アイサツ|スピーチ|式辞|祝辞|開会の言葉|開会のことば|(?:話す|読む|読み上げる|述べる)(?:原稿|文)|述べる|"
            r"(?:開会式|閉会式|式典|式|大会|会議|総会)で(?:読む|話す|述べる|読み上げる)|"
            r"\b(?:speech|greeting|address|remarks)\b"]
SPOKEN_LENGTH = r"(\d+)\s*(?:分|秒)(?:間)?(?:程度|くらい|ぐらい|以内|ほど|前後|で|に|の)?"


def _spoken_length(a: rubric.Answer) -> str | None:
    if a.reading.limit_chars and 100 <= a.reading.limit_chars <= 2000:
        return f"{a.reading.limit_chars}字"
    m = re.search(SPOKEN_LENGTH, normalize(rubric.searchable(a.own)))
    if m and 0 < int(m.group(1)) <= 10 and "分" in m.group(0):
        return m.group(0)
    m = re.search(r"(\d+)[- ]?minutes?\b", normalize(a.own))
    if m and 0 < int(m.group(1)) <= 10:
        return m.group(0)
    m = re.search(r"(\d{3,4})\s*(?:文字|字)", normalize(a.own))
    return f"{m.group(1)}字" if m and 100 <= int(m.group(1)) <= 2000 else None


SPEAKER = r"[^\s、。「」]{0,10}(?:市長|副市長|部長|局長|課長|監|所長|館長|センター長|理事|会長|議長|委員長|校長|室長|次長|参与)|\b(?:mayor|director|chief)\b"


def _speaker(a: rubric.Answer) -> str | None:
    return a.reading.elements["role"].evidence or rubric.search([SPEAKER], rubric.searchable(a.own))


def greeting_requirements(source: str = GREETING_FACTS) -> list[rubric.Requirement]:
    return [
        rubric.phrase("greeting", "挨拶文であること", "何を作るのか（開会式のあいさつ文の原稿）をはっきり書きましょう。", GREETING),
        rubric.custom("speaker", "話す人", "誰が話すあいさつか（「環境部長として」「部長が読むあいさつ」など）を書きましょう。", _speaker),
        rubric.custom("length", "長さ（時間・字数）", "話す長さを「2分程度（600字くらい）」のように、時間か字数で指定しましょう。", _spoken_length),
        rubric.no_new_facts("「資料にない数字やエピソードは書かない」のように、渡した情報にないことを足さないよう指示しましょう（人数や実績の作り話を防ぎます）。"),
        rubric.delimited_source(source),
    ]


@question("m03.q6", reads=("プロンプト",), title="挨拶文の原稿")
def q6(prompt: object) -> CheckResult:
    reqs = greeting_requirements() + [rubric.reusable(greeting_requirements, GREETING_FACTS, GREETING_FACTS_ALT)]
    return _graded(prompt, reqs, [GREETING_FACTS])


# --- q7: assembly Q&A (議会の想定問答) -----------------------------------------------------------------

PROJECT_FACTS = (
    "事業名：子育て支援アプリ「みどりっこナビ」導入事業（令和9年度予算に計上、公表済み）\n"
    "予算額：1,200万円（うち国の補助 600万円）\n"
    "公開予定：2027年4月1日\n"
    "主な機能：保育園の空き状況の確認、予防接種の日程のお知らせ、子育てイベントの案内\n"
    "個人情報：情報政策課がチェックリストで確認中\n"
    "利用目標：公開から1年で3,000世帯"
)
PROJECT_FACTS_ALT = (
    "事業名：窓口のオンライン予約導入事業（令和9年度予算に計上、公表済み）\n"
    "予算額：800万円\n"
    "開始予定：2027年7月1日\n"
    "対象の手続き：転入・転出、住民票の写し、印鑑登録\n"
    "目標：窓口の平均待ち時間を30分から15分に"
)
QA = [r"想定問答|想定質問|想定される質問|問答|質問と(?:答弁|回答|答え)|質問.{0,8}(?:答弁|回答)|質疑|答弁|q&a|q＆a|一問一答|聞かれそうな|出そうな質問|予想される質問|"
      r"\bquestions? (?:and|with) (?:draft |their |the )?(?:answers|responses|replies)\b"]
CAVEAT = rubric.NO_NEW_FACTS_PATTERNS + [
    r"(?:確認が必要|要確認|確認中|未定|検討中|調整中|不明)[」』\"]?(?:と|の|な|です|として|の旨|を)",
    r"(?:断定|約束|確約|明言|言い切)(?:しない|せず|を避け|しないで|はしない)",
    r"(?:推測|想像|憶測)(?:で|して)?(?:答え|書か|書い)",
]


def qa_requirements(source: str = PROJECT_FACTS) -> list[rubric.Requirement]:
    return [
        rubric.phrase("qa", "想定問答であること", "何を作るのか（議会で出そうな質問と答弁案＝想定問答）をはっきり書きましょう。", QA),
        rubric.counted("数の指定", minimum=2, maximum=20),
        rubric.phrase("caveat", "資料にないことは答えない",
                      "資料にない数字や約束を答弁に書かないよう、「資料にないことは『確認が必要』と書く」などと指示しましょう。答弁は必ず職員が確かめます。", CAVEAT),
        rubric.element("output_format"),
        rubric.delimited_source(source),
    ]


@question("m03.q7", reads=("プロンプト",), title="議会の想定問答")
def q7(prompt: object) -> CheckResult:
    return _graded(prompt, qa_requirements() + [rubric.reusable(qa_requirements, PROJECT_FACTS, PROJECT_FACTS_ALT)], [PROJECT_FACTS])


# --- q8: help with an Excel formula -------------------------------------------------------------------

SHEET = (
    "シート名：申請一覧\n"
    "A列：受付日（例：2027/4/3）\n"
    "B列：担当課（例：こども未来課）\n"
    "C列：金額（円、数字だけ）\n"
    "データは2行目から201行目まで\n"
    "E列：課の名前の一覧（E2〜E8）"
)
SHEET_ALT = (
    "シート名：研修受講者\n"
    "A列：職員番号\n"
    "B列：所属部\n"
    "C列：受講時間（時間）\n"
    "データは2行目から351行目まで\n"
    "F列：部の名前の一覧（F2〜F12）"
)
FORMULA = [r"関数|数式|計算式|(?<![a-z])式|エクセル|excel|スプレッドシート|sumif|countif|vlookup|xlookup|フォーミュラ|formula"]
GOAL = r"合計|件数|個数|平均|最大|最小|数え|集計|足し|合算|カウント|小計|総額|sum|count|average"
TARGET = r"(?<![a-z])[a-z]\s*列|(?<![a-z])[a-z]{1,2}\d{1,4}(?!\d)|セル|行ごと|課ごと|右の列|隣の列|横に"
EXPLAIN = [r"説明|解説|意味|仕組み|しくみ|使い方|なぜ|理由|どう(?:動|働)|読み方|手順|入れ方|やり方|注意点|確かめ方|確認方法|しかた|仕方|方法|"
           r"\b(?:explain|explanation|how it works)\b"]


def _goal(a: rubric.Answer) -> str | None:
    text = normalize(rubric.searchable(a.own))
    goal = re.search(GOAL, text)
    target = re.search(TARGET, text)
    return f"{goal.group(0)}・{target.group(0)}" if goal and target else None


def formula_requirements(source: str = SHEET) -> list[rubric.Requirement]:
    return [
        rubric.phrase("formula", "関数・数式を頼む", "何がほしいのか（Excelの関数・数式）をはっきり書きましょう。", FORMULA),
        rubric.custom("goal", "出したい結果と場所",
                      "何を（合計・件数など）、どのセルや列に出したいかを書きましょう（例：「F2に、E2の課の金額の合計を出したい」）。", _goal),
        rubric.phrase("explain", "説明を頼む", "式の意味や使い方の説明も頼みましょう。説明があれば、式が正しいかを自分で確かめられます。", EXPLAIN),
        rubric.delimited_source(source),
    ]


@question("m03.q8", reads=("プロンプト",), title="Excelの関数を教えてもらう")
def q8(prompt: object) -> CheckResult:
    return _graded(prompt, formula_requirements() + [rubric.reusable(formula_requirements, SHEET, SHEET_ALT)], [SHEET])


__all__ = ["MINUTES", "INQUIRY", "NOTICE", "PRESS_FACTS", "CHECK_SOURCE", "AI_DRAFT", "GREETING_FACTS", "PROJECT_FACTS",
           "SHEET", "greeting_requirements", "qa_requirements", "q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8"]

"""The offline practice model through the real openai SDK: what it does, deterministically."""

from __future__ import annotations

import json

import pytest

from aidojo.llm import HANDOFF_REPLY, async_client, chat, client, stream_chat
from aidojo.llm.offline.engine import MODEL_NAME

NOTICE = """津田市ではなく、みどり市では来年4月から燃やせるごみの収集日が変わります。
これまで月曜と木曜でしたが、火曜と金曜になります。収集場所は変わりません。
分別のルールも一部変わり、プラスチック製容器包装は水曜に出します。
詳しくは環境政策課（電話 0123-45-6789）までお問い合わせください。"""


def test_model_name_says_what_it_is():
    reply = client().chat.completions.create(model="anything", messages=[{"role": "user", "content": "こんにちは"}])
    assert reply.model == MODEL_NAME and "offline-practice" in reply.model
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + reply.usage.completion_tokens > 0


def test_same_input_same_output():
    prompt = f"次の文章を3点で要約してください。\n```\n{NOTICE}\n```"
    assert chat(prompt) == chat(prompt) == "".join(stream_chat(prompt))


def test_summary_respects_bullet_count_and_length():
    reply = chat(f"次のお知らせを箇条書き2点、80字以内で要約してください。\n```\n{NOTICE}\n```")
    lines = reply.splitlines()
    assert len(lines) == 2 and all(line.startswith("・") for line in lines)
    assert len(reply) <= 80
    assert all(line[1:] in NOTICE.replace("\n", "") for line in lines)  # extractive: nothing invented


def test_follow_up_refines_previous_request():
    first = f"次の文章を要約してください。\n```\n{NOTICE}\n```"
    messages = [{"role": "user", "content": first}, {"role": "assistant", "content": chat(first)},
                {"role": "user", "content": "1点だけにしてください"}]
    assert len(chat(messages).splitlines()) == 1


def test_classification_uses_listed_labels_and_examples():
    prompt = """市民の意見を「子育て」「交通」「防災」「その他」のいずれかに分類してください。ラベルだけを出力してください。
例: 保育園に入れません → 子育て
例: 避難所の場所が分かりにくい → 防災
意見: {}"""
    assert chat(prompt.format("駅前のバスの本数を増やしてほしい")) == "交通"
    assert chat(prompt.format("学童保育の時間を延ばしてほしい")) == "子育て"
    assert chat(prompt.format("市のキャラクターがかわいい")) == "その他"


def test_json_mode_returns_requested_keys():
    prompt = '次の意見を分析し、JSONで返してください。形式: {"category": "...", "sentiment": "...", "summary": "..."}\n意見: 公園がきれいになって嬉しいです。ありがとうございます。'
    data = json.loads(chat(prompt, json=True))
    assert set(data) == {"category", "sentiment", "summary"}
    assert data["category"] == "公園" and data["sentiment"] == "ポジティブ"


def test_grounded_answer_quotes_and_cites_or_hands_off():
    context = "資料:\n[FAQ-01] マイナンバーカードの受け取りには、交付通知書と本人確認書類が必要です。\n[FAQ-02] 市民課の窓口は平日8時30分から17時15分までです。\n"
    answer = chat(context + "質問: 市民課の窓口は何時までですか？")
    assert "17時15分" in answer and "FAQ-02" in answer
    assert chat(context + "質問: 犬の登録はどこでできますか？") == HANDOFF_REPLY


def test_when_no_job_fits_it_names_found_and_missing_elements():
    reply = chat("あなたは市役所の広報担当です。市民向けに、いい感じにお願いします。")
    assert "○ 役割" in reply and "○ 指示" in reply
    assert "× 出力形式" in reply and "× 制約" in reply
    assert "✅" not in reply and "❌" not in reply  # marks every Japanese font has


def test_english_prompts_get_english_replies():
    reply = chat("You are a city clerk. Summarize in 2 bullet points: ```The library opens in April. It has 200 seats. Parking is limited.```")
    assert reply.startswith("・The library opens in April.")


def test_max_tokens_cuts_with_finish_reason_length():
    reply = client().chat.completions.create(model=MODEL_NAME, max_tokens=10,
                                             messages=[{"role": "user", "content": "あなたは広報担当です。文章を書いてください。"}])
    assert reply.choices[0].finish_reason == "length" and len(reply.choices[0].message.content) == 10


def test_streaming_with_usage_chunk():
    stream = client().chat.completions.create(model=MODEL_NAME, stream=True, stream_options={"include_usage": True},
                                              messages=[{"role": "user", "content": "こんにちは"}])
    chunks = list(stream)
    assert chunks[-1].usage.total_tokens > 0
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices).startswith("こんにちは")


def test_unsupported_endpoint_is_a_clear_404():
    import openai

    with pytest.raises(openai.NotFoundError):
        client().embeddings.create(model=MODEL_NAME, input="x")


def test_async_client_answers_the_same():
    import asyncio

    async def run() -> str:
        reply = await async_client().chat.completions.create(model=MODEL_NAME, messages=[{"role": "user", "content": "こんにちは"}])
        return reply.choices[0].message.content

    assert asyncio.run(run()) == chat("こんにちは")


def test_words_inside_the_source_do_not_turn_a_rewrite_into_classification():
    rewrite = chat("次の説明を、やさしい日本語に書き換えてください。\n```\n『ペットボトル』は『ペット』です。ラベルやキャップは『容プラ』に出してください。\n```")
    assert "ペットボトル" in rewrite and rewrite != "ペットボトル"
    grounded = chat("資料:\n[FAQ-01] マイナンバーカードは、窓口、郵送、オンラインのいずれかで申請できます。\n"
                    "[FAQ-02] 市民課の窓口は平日8時30分から17時15分までです。\n質問: マイナンバーカードはどうやって申請できますか？")
    assert "FAQ-01" in grounded and "郵送" in grounded


def test_grounded_answer_prefers_the_sentence_with_the_rare_words():
    context = ("資料:\nみどり市は、2027年4月1日から電子書籍の貸出サービスを始めます。\n電子書籍は、スマートフォンで読めます。\n"
               "一度に借りられるのは2冊まで、貸出期間は14日間です。\n電子書籍の利用には図書館カードが必要です。\n")
    assert "14日間" in chat(context + "質問：電子書籍の貸出期間は何日ですか？")


def test_prompt_structure_readers_handle_common_phrasings():
    from aidojo.text.prompt_parse import delimited_blocks, find_elements

    assert delimited_blocks("<record>タグの中の記録を要約してください。\n<record>\n会議は10時に始まった。\n</record>") == ["会議は10時に始まった。"]
    assert delimited_blocks("【下書き】\n下書きの文。\n【資料】\n資料の文。") == ["下書きの文。", "資料の文。"]
    assert delimited_blocks("### 資料\n本文がここにあります。\n###\n") == ["本文がここにあります。"]
    assert find_elements("防災担当として、避難所の案内をつくってください。")["role"].present
    assert not find_elements("要約してください。\n```\n保育園に入れないので困っています。\n```")["constraints"].present


def test_a_label_line_is_not_quoted_as_the_answer():
    context = ('資料:\n"""\n[1] tebiki.md 手引き > 14. 自動車の保有\n自動車は原則として保有を認めていません。\n\n'
               '[2] tebiki.md 手引き > 2. 受付時間\n受付は平日の8時30分から17時15分までです。\n"""\n')
    answer = chat(context + "質問: 自動車の保有は認められますか？")
    assert "原則として保有を認めていません" in answer and "[1]" in answer


def test_labels_may_contain_a_middle_dot():
    assert chat("次の意見を「子育て・教育」「交通」「その他」のいずれかに分類してください。\n意見: 学校の給食がおいしい") == "子育て・教育"
    assert chat("次の意見を子育て・教育、交通、その他のいずれかに分類してください。\n意見: バスが少ない") == "交通"


def test_json_analyses_the_user_message_not_the_system_prompt():
    system = '市民の声を分析します。次の形式のJSONで答えてください。{"category": "...", "summary": "..."}'
    reply = json.loads(chat([{"role": "system", "content": system},
                             {"role": "user", "content": "家の前の道路に穴があいていて危ないです。"}], json=True))
    assert reply == {"category": "道路", "summary": "家の前の道路に穴があいていて危ないです。"}


def test_a_follow_up_question_is_answered_not_the_first_one():
    first = "資料:\n[1] 窓口は9時に開きます。\n[2] 駐車場は50台です。\n質問：窓口は何時に開きますか？"
    messages = [{"role": "user", "content": first}, {"role": "assistant", "content": chat(first)},
                {"role": "user", "content": "質問：駐車場は何台ですか？"}]
    assert "50台" in chat(messages)


def test_summaries_do_not_repeat_a_sentence():
    text = "バスを増やしてほしい。バスを増やしてほしい。駅前が暗い。"
    assert chat(f"次の意見を要約してください。\n```\n{text}\n```").count("バスを増やしてほしい") == 1


# --- grounded answers a citizen's wording needs (go-live gate: faq_bot ans-013/031/035/049, and others) ---------

_FAQ_SYSTEM = ("あなたは{subject}の問い合わせ対応です。資料（FAQ）だけで答え、出典の番号を付けてください。"
               "資料で答えられないときは「分かりません。担当者に引き継ぎます。」と答えてください。")
_FAQ_06_19 = ("【FAQ-06】Q: 申請してからカードが届くまでどのくらいかかりますか？\nA: 申請からカードの交付通知書が届くまでは、"
              "おおむね1か月から2か月かかります。\n\n【FAQ-19】Q: 有効期限が近づいたらどうすればいいですか？\nA: 有効期限の2〜3か月前に"
              "有効期限通知書が届きます。通知書に従って、カードの更新または電子証明書の更新を申請してください。")


_FAQ_27 = ("【FAQ-27】Q: 子どものカードも作れますか？\nA: 0歳から申請できます。15歳未満の方は法定代理人（親など）が申請し、"
           "受け取りの際も法定代理人の同行が必要です。")


def _ask_faq(subject: str, faq: str, question: str) -> str:
    from aidojo.llm.offline.engine import respond

    messages = [{"role": "system", "content": _FAQ_SYSTEM.format(subject=subject)},
                {"role": "user", "content": f'質問: {question}\n\n資料（FAQ）:\n"""\n{faq}\n"""'}]
    return respond(messages).text


@pytest.mark.parametrize(
    ("subject", "faq", "question", "quoted"),
    [
        # a span of time answers 「いつ」
        ("マイナンバーカードの手続き", _FAQ_06_19, "カードはいつ届きますか？", "1か月から2か月"),
        ("みどり市 保険年金課", "【FAQ-3】Q: 転入したら保険証はどうなりますか？\nA: 転入の手続きのあと、およそ2週間で新しい保険証を郵送します。",
         "保険証はいつ届きますか", "2週間"),
        ("みどり市 子育て支援課", "【FAQ-8】Q: 児童手当の支給開始月は？\nA: 認定請求をした月の翌月分から支給されます。",
         "児童手当っていつからもらえるの？", "翌月分"),
        # 「タダ」「お金かかる」「有料」 ask for a fee
        ("マイナンバーカードの手続き", "【FAQ-02】Q: マイナンバーカードを作るのに手数料はかかりますか？\nA: マイナンバーカードの初めての発行は"
         "無料です。再発行の場合は手数料がかかります（FAQ-12を参照）。", "マイナカードって作るのタダ？", "無料"),
        ("みどり市立図書館", "【FAQ-1】Q: 利用カードを作るのに費用はかかりますか？\nA: 図書館の利用カードは無料で作れます。",
         "図書館のカード作るのってお金かかる？", "無料"),
        ("みどり市 保育課", "【FAQ-5】Q: 3歳からの保育料について\nA: 3歳から5歳までのクラスの保育料は無料です。給食費は別にかかります。",
         "3歳になったら保育料ってタダになるの？", "無料"),
        ("みどり市 環境課", "【FAQ-2】Q: 粗大ごみの出し方\nA: 粗大ごみは1点につき500円の処理券を貼って出してください。", "粗大ごみって有料ですか", "500円"),
        # a size, length or volume answers 「何センチ」「大きさ」「何リットル」
        ("マイナンバーカードの手続き", "【FAQ-03】Q: 申請用の顔写真の規格を教えてください。\nA: 顔写真は縦4.5cm×横3.5cm、6か月以内に"
         "撮影した正面・無帽・無背景のものが必要です。", "写真のサイズは何センチですか", "4.5cm"),
        ("みどり市 市民課", "【FAQ-03】Q: 申請用の顔写真の規格を教えてください。\nA: 顔写真は縦4.5cm×横3.5cm、6か月以内に撮影した正面・"
         "無帽・無背景のものが必要です。", "写真の大きさってどれくらい？", "4.5cm"),
        ("みどり市 環境課", "【FAQ-4】Q: 粗大ごみになるもの\nA: 一辺の長さが50cmを超えるものは粗大ごみです。", "粗大ごみになるのは何センチからですか", "50cm"),
        ("みどり市 環境課", "【FAQ-6】Q: 指定ごみ袋について\nA: 燃えるごみの指定袋は45リットルまでです。", "ごみ袋は何リットルまで？", "45リットル"),
        # a sentence answering in the question's own words (何歳から申請 → 0歳から申請), its subject named differently
        ("マイナンバーカードの手続き", _FAQ_27, "赤ちゃんのマイナンバーカードは何歳から申請できますか", "0歳から"),
        ("市の窓口", "【FAQ-2】Q: 子どもでもカードを作れますか？\nA: 市内に住んでいる方なら、0歳から作れます。",
         "みどり市立図書館の利用カードは何歳から作れますか", "0歳から"),
        ("みどり市 環境課", "【FAQ-9】Q: 粗大ごみの申し込み\nA: 粗大ごみは、収集日の7日前までに電話で申し込んでください。",
         "大型ごみを出したいときは何日前までに電話すればいい？", "7日前まで"),
        ("みどり市立図書館", "【FAQ-4】Q: 開館時間\nA: 平日は午後7時まで開いています。土日は午後5時までです。",
         "うちの近くの分館は平日何時まで開いていますか", "午後7時まで"),
    ],
)
def test_grounded_answer_takes_a_citizens_wording(subject, faq, question, quoted):
    reply = _ask_faq(subject, faq, question)
    assert quoted in reply and "【FAQ-" in reply, (question, reply)


@pytest.mark.parametrize(
    ("subject", "faq", "question"),
    [
        ("みどり市 市民課", "【FAQ-07】Q: カードの受け取りに必要なものは？\nA: 交付通知書と本人確認書類が必要です。", "カードはいつ届きますか"),
        ("みどり市立図書館", "【FAQ-1】Q: 利用カードはどこで作れますか？\nA: 図書館の利用カードは窓口で作れます。本人確認書類が必要です。",
         "図書館のカードってタダ？"),
        ("みどり市 環境課", "【FAQ-2】Q: 粗大ごみの出し方\nA: 粗大ごみは申し込みのあと、指定の日に玄関先に出してください。", "粗大ごみって有料ですか"),
        ("みどり市 市民課", "【FAQ-03】Q: 写真について\nA: 写真は6か月以内に撮影したものを使ってください。", "写真のサイズは何センチ？"),
        ("マイナンバーカードの手続き", "【FAQ-01】Q: マイナンバーカードの申請方法を教えてください。\nA: マイナンバーカードは、郵便、"
         "スマートフォン、パソコン、まちなかの証明写真機から申請できます。", "マイナンバーカードでパスポートは作れますか"),
        ("みどり市立図書館", "【FAQ-2】Q: 子どもでもカードを作れますか？\nA: 市内に住んでいる方なら、0歳から作れます。",
         "みどり市立図書館の駐車場は何台とめられますか"),
        # an answer of the asked kind about something else: the words naming the kind (営業時間, 料金) do not stand in
        ("みどり市 市民課", "【FAQ-29】Q: 受付時間\nA: 市民課の窓口は、平日の8時30分から17時15分まで開いています。",
         "市営プールの営業時間を教えてください。"),
        ("みどり市 市民課", "【FAQ-29】Q: 受付時間\nA: 市民課の窓口は、平日の8時30分から17時15分まで開いています。",
         "市民プールって何時まで開いてる？"),
        ("みどり市 管財課", "【FAQ-7】Q: 駐車場\nA: 市役所の駐車場は1時間100円です。", "図書館の駐車場の料金はいくら？"),
        # 「どのくらいかかりますか」 needs a span with a number, not any 「まで」
        ("マイナンバーカードの手続き", "【FAQ-05】Q: 市役所の窓口で申請を手伝ってもらえますか？\nA: みどり市役所本庁舎1階の市民課窓口で、"
         "写真撮影から申請まで無料でお手伝いする申請サポートを行っています。", "申請してからカードが届くまでどのくらいかかりますか？"),
        # the question's own words follow no answer of the asked kind
        ("マイナンバーカードの手続き", _FAQ_27, "赤ちゃんのマイナンバーカードは何歳まで使えますか"),
        # the search offered the wrong entry alone (its aliases name マイナンバーカード): nothing to quote about 受け取り
        ("マイナンバーカードの手続き", _FAQ_27, "マイナンバーカードの受け取りに必要なものは？"),
    ],
)
def test_grounded_answer_still_hands_off_what_the_passage_does_not_say(subject, faq, question):
    assert _ask_faq(subject, faq, question) == HANDOFF_REPLY, question

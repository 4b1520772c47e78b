"""Output guards on realistic answers: supported and unsupported claims, citations, personal data, streaming.

The backend faults (500, hang, empty reply, hallucinated citation) through the real SDK are in test_guards_backend.py.
"""

from __future__ import annotations

import pytest

from aidojo.llm import scripted_client
from aidojo.safety import (
    HANDOFF_REPLY,
    GuardedReply,
    GuardSettings,
    Passage,
    check_answer,
    find_claims,
    guarded_chat,
    is_handoff,
    stream_guarded_chat,
    unsupported_claims,
)

FAQ = [
    Passage("FAQ-11", "カードをなくしたときは、すぐにマイナンバーカードの一時利用停止を申し出てください。警察に遺失届を出し、"
                      "受理番号を控えてから市民課で再発行を申請します。"),
    Passage("FAQ-12", "マイナンバーカードの再発行手数料は1,000円です（電子証明書の再発行を含みます）。カードの更新など本人の"
                      "責任によらない場合は無料です。"),
    Passage("FAQ-29", "市民課の窓口は平日の午前8時30分から午後5時15分まで開いています。毎月第2・第4日曜日の午前9時から正午まで"
                      "休日窓口を開設しています（受け取りのみ）。"),
    Passage("FAQ-30", "市民課は、みどり市役所本庁舎1階の3番窓口です。電話番号は093-582-1111です。"),
    Passage("FAQ-23", "市外から転入したときは、転入した日から14日以内に転入届を出し、90日以内にカードの継続利用の手続きをしてください。"),
]


def answer(text: str, passages=FAQ, **kw) -> GuardedReply:
    return check_answer(text, passages, **kw)


# --- supported answers are shown ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text",
    [
        "再発行の手数料は1000円です【FAQ-12】。",
        "再発行手数料は千円で、電子証明書の再発行も含まれます。【FAQ-12】",
        "窓口は平日8:30〜17:15です【FAQ-29】。",
        "平日の午前8時半から午後5時15分までです。第2・第4日曜日の午前9時から正午までも受け取りができます【FAQ-29】。",
        "市民課は本庁舎1階の3番窓口です（電話 093-582-1111）【FAQ-30】。",
        "転入した日から14日以内に転入届を出してください。カードの手続きは90日以内です。【FAQ-23】",
        "まず一時利用停止を申し出て、警察に遺失届を出してから市民課で再発行を申請してください【FAQ-11】【FAQ-12】。手数料は1,000円です。",
        "資料によると「市民課の窓口は平日の午前8時30分から午後5時15分まで開いています。」とあります。（出典：【FAQ-29】）",
    ],
)
def test_supported_answers_are_shown_with_their_citations(text):
    r = answer(text)
    assert not r.handoff and r.reason == "" and r.text == text.strip(), (r.reason, r.unsupported)
    assert r.citations and all(c.startswith("FAQ-") for c in r.citations)
    assert r.status_ja == "AIが資料をもとにお答えしています（出典つき）"


# --- unsupported claims hand off ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "claims"),
    [
        # the hallucination: free, same day, weekends, 24 hours: none of it in FAQ-11
        ("はい、手数料は無料で、その日のうちに受け取れます。土日も24時間対応しています。【FAQ-11】",
         {"無料", "その日のうち", "24時間", "土日"}),
        ("再発行の手数料は500円です【FAQ-12】。", {"500円"}),
        ("再発行の手数料は1000円で、即日交付されます【FAQ-12】。", {"即日"}),
        ("窓口は平日の午前7時から午後6時までです【FAQ-29】。", {"午前7時", "午後6時"}),
        ("土曜日も開いています【FAQ-29】。", {"土曜日"}),
        ("市民課は本庁舎2階です【FAQ-30】。", {"2階"}),
        ("東部支所でも再発行を申請できます【FAQ-11】。", {"東部支所"}),
        ("転居届は14日以内に出してください【FAQ-23】。", {"転居届"}),
        ("転入届は30日以内に出してください【FAQ-23】。", {"30日"}),
        ("令和8年4月1日から手数料が変わります【FAQ-12】。", {"令和8年", "4月1日"}),
        ("手続きはオンラインでもできます【FAQ-11】。", {"オンライン"}),
        ("詳しくは市民課（093-582-2222）へ【FAQ-30】。", {"［電話番号］"}),  # reported masked: it may be anyone's
        ("再発行は郵送でも受け付けます【FAQ-11】。", {"郵送"}),
    ],
)
def test_unsupported_claims_hand_off(text, claims):
    r = answer(text)
    assert r.handoff and r.reason == "unsupported_claim", (r.reason, r.unsupported)
    assert r.text.startswith(HANDOFF_REPLY) and is_handoff(r.text)
    assert claims <= set(r.unsupported)


def test_a_claim_from_another_passage_than_the_cited_one_hands_off():
    # 1,000円 is in FAQ-12, but the answer cites FAQ-11 only
    r = answer("なくしたカードの再発行は1,000円です【FAQ-11】。")
    assert r.handoff and r.unsupported == ["1000円"]


def test_known_facts_back_every_answer():
    text = "受け取りは市民課窓口で、お問い合わせは代表電話093-582-0000へ【FAQ-11】。"
    assert answer(text).handoff
    assert not answer(text, known_facts="みどり市役所 代表電話 093-582-0000").handoff


# --- citations -----------------------------------------------------------------------------------------------

def test_no_citation_hands_off():
    r = answer("再発行の手数料は1000円です。")
    assert r.handoff and r.reason == "no_citation" and r.citations == []


@pytest.mark.parametrize("tag", ["【FAQ-99】", "[7]", "（出典：手引き p.3）"])
def test_a_citation_to_a_passage_not_given_hands_off(tag):
    r = answer(f"再発行の手数料は1000円です{tag}。")
    assert r.handoff and r.reason == "unknown_citation"


def test_numbered_passages_from_search_hits_are_cited_by_number():
    class Hit:  # what aidojo.retrieval.Index.search returns: .text and .citation
        def __init__(self, text, citation):
            self.text, self.citation = text, citation

    hits = [Hit("粗大ごみは事前申込制で、1点につき500円の処理券が必要です。", "gomi.csv 行 12"),
            Hit("電子レンジは金属ごみです。", "gomi.csv 行 2270")]
    ok = check_answer("粗大ごみは申込制で、処理券は1点500円です [1]。", hits)
    assert not ok.handoff and ok.citations == ["gomi.csv 行 12"]
    assert check_answer("電子レンジは500円です [2]。", hits).reason == "unsupported_claim"
    assert check_answer("処理券は500円です（出典：gomi.csv 行 12）", hits).citations == ["gomi.csv 行 12"]


def test_answer_without_passages_is_only_checked_for_emptiness_declines_and_personal_data():
    assert not check_answer("議事録の要点は次のとおりです。").handoff
    assert check_answer("   ").reason == "empty_reply"
    assert check_answer("分かりません。").reason == "no_grounded_answer"


def test_one_source_without_citations_is_checked_claim_by_claim():
    transcript = "課長：次回の打合せは5月12日（火）午後2時から、第3会議室で行います。予算は120万円を上限とします。"
    ok = check_answer("次回は5月12日午後2時から第3会議室。予算上限120万円。", transcript, require_citation=False)
    assert not ok.handoff, ok.unsupported
    bad = check_answer("次回は5月19日午後3時から第1会議室。予算上限150万円。", transcript, require_citation=False)
    assert bad.handoff and {"5月19日", "午後3時", "第1会議室", "150万円"} <= set(bad.unsupported)


# --- declines, truncation, personal data ---------------------------------------------------------------------

@pytest.mark.parametrize("text", [HANDOFF_REPLY, "分かりません。資料に記載がありません。", "担当者に引き継ぎます。", "I don't know."])
def test_a_model_that_declines_is_a_handoff(text):
    r = answer(text)
    assert r.handoff and r.reason == "no_grounded_answer" and r.text == HANDOFF_REPLY


def test_a_reply_cut_by_max_tokens_loses_its_broken_sentence():
    r = answer("再発行の手数料は1,000円です【FAQ-12】。本人の責任によらない場合は無", finish_reason="length")
    assert not r.handoff and r.text == "再発行の手数料は1,000円です【FAQ-12】。"
    assert answer("再発行の手数料は", finish_reason="length").reason == "empty_reply"


def test_names_in_an_answer_are_masked_and_published_numbers_kept():
    r = answer("担当の山田太郎さんが対応します。市民課（093-582-1111）へどうぞ【FAQ-30】。")
    assert not r.handoff and r.masked
    assert "山田太郎" not in r.text and "［氏名］" in r.text and "093-582-1111" in r.text


@pytest.mark.parametrize(
    "leak",
    ["お客様のマイナンバーは123456789018です", "折り返しは090-1234-5678へ", "hanako.yamada@example.jp にご連絡します"],
)
def test_personal_numbers_no_passage_holds_withhold_the_answer(leak):
    r = answer(f"再発行の手数料は1,000円です【FAQ-12】。{leak}。")
    assert r.handoff and r.reason == "unsupported_claim"
    assert "1234" not in r.text and "example.jp" not in r.text and "［" in "".join(r.unsupported)


def test_my_number_is_masked_even_without_passages():
    r = check_answer("会議で確認したマイナンバー123456789018は控えません。")
    assert not r.handoff and r.masked and "123456789018" not in r.text and "［マイナンバー］" in r.text


def test_pii_withhold_mode_hands_off():
    r = answer("担当の山田太郎さんが対応します【FAQ-30】。", pii="withhold")
    assert r.handoff and r.reason == "pii_in_answer" and "山田" not in r.text


# --- claims ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("a", "b"),
    [("1,000円", "千円"), ("午後5時15分", "17:15"), ("令和8年", "2026年"), ("土日", "土曜・日曜"), ("即日", "その日のうちに"),
     ("8時半", "8時30分"), ("1ヶ月", "1か月"), ("１４日以内", "14日以内"), ("手数料は無料", "0円"), ("2026/4/1", "2026年4月1日")],
)
def test_different_spellings_of_one_claim_support_each_other(a, b):
    assert unsupported_claims(a, b) == [] and unsupported_claims(b, a) == []


def test_structure_words_are_not_claims():
    assert find_claims("次の2つの方法があります。\n1. 窓口\n2. 郵便") == [] or all(
        c.kind != "number" for c in find_claims("次の2つの方法があります。\n1. 窓口\n2. 郵便"))
    assert [c.kind for c in find_claims("十分ご注意ください。一部の方は除きます。")] == []


# --- settings -------------------------------------------------------------------------------------------------

def test_settings_come_from_a_template_table_and_bad_ones_are_named():
    s = GuardSettings.from_mapping({"max_tokens": 300, "timeout_s": 4}, where="template.toml [guard]")
    assert (s.max_tokens, s.timeout_s, s.retries) == (300, 4, 1)
    with pytest.raises(ValueError, match=r"template.toml \[guard\].*max_token"):
        GuardSettings.from_mapping({"max_token": 300}, where="template.toml [guard]")
    with pytest.raises(ValueError, match="retries は 0 か 1"):
        GuardSettings(retries=3)
    with pytest.raises(ValueError, match="pii"):
        GuardSettings(pii="hide")


# --- streaming ------------------------------------------------------------------------------------------------

def _stream(reply: str, **kw) -> list[GuardedReply]:
    return list(stream_guarded_chat("質問", passages=FAQ, client=scripted_client([reply]), **kw))


def test_stream_releases_checked_sentences_one_by_one():
    snaps = _stream("再発行の手数料は1,000円です【FAQ-12】。本人の責任によらない場合は無料です【FAQ-12】。")
    partial = [s.text for s in snaps if not s.final]
    assert partial[0] == "" and snaps[0].status_ja == "AIが回答を作成しています…"
    assert "再発行の手数料は1,000円です【FAQ-12】。" in partial
    assert all(b.startswith(a) for a, b in zip(partial, partial[1:]))  # only ever appended to
    final = snaps[-1]
    assert final.final and not final.handoff and final.text.endswith("無料です【FAQ-12】。")


def test_stream_never_shows_an_unsupported_sentence():
    snaps = _stream("再発行の手数料は1,000円です【FAQ-12】。土日も24時間受け付けています。")
    shown = [s.text for s in snaps if not s.final]
    assert "再発行の手数料は1,000円です【FAQ-12】。" in shown
    assert not any("24時間" in t for t in shown)
    assert snaps[-1].handoff and snaps[-1].reason == "unsupported_claim"


def test_stream_holds_sentences_until_a_citation_arrives():
    snaps = _stream("再発行の手数料は1,000円です。本人の責任によらない場合は無料です。【FAQ-12】")
    assert [s.text for s in snaps if not s.final and s.text][0].startswith("再発行の手数料は1,000円です。本人の")
    assert not snaps[-1].handoff
    uncited = _stream("再発行の手数料は1,000円です。")
    assert [s.text for s in uncited if not s.final] == [""] and uncited[-1].reason == "no_citation"


def test_guarded_chat_sends_max_tokens_and_returns_the_final_reply():
    client = scripted_client(["再発行の手数料は1,000円です【FAQ-12】。"])
    r = guarded_chat("質問", system="資料だけで答える", passages=FAQ, client=client, max_tokens=123)
    body = client.transport.requests[0]
    assert body["max_tokens"] == 123 and body["stream"] is True and body["messages"][0]["role"] == "system"
    assert r.final and not r.handoff and r.attempts == 1 and r.citations == ["FAQ-12"]
    plain = scripted_client(["再発行の手数料は1,000円です【FAQ-12】。"])
    assert not guarded_chat("質問", passages=FAQ, client=plain, stream=False).handoff
    assert "stream" not in plain.transport.requests[0]

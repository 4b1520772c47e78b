"""The one reader of prompt structure (aidojo.text.prompt_parse.read_prompt): layouts and phrasings staff really use."""

from __future__ import annotations

import pytest

from aidojo.text.prompt_layout import label_kind
from aidojo.text.prompt_parse import delimited_blocks, read_prompt


@pytest.mark.parametrize("prompt, label, text", [
    ("次の###で囲んだ記録を要約して。\n###\n会議は10時に始まった。\n###", "", "会議は10時に始まった。"),
    ("要約して。\n###資料###\n会議は10時に始まった。\n###", "資料", "会議は10時に始まった。"),
    ("###指示###\n要約して。\n###資料###\n会議は10時に始まった。", "資料", "会議は10時に始まった。"),
    ("要約して。\n<記録>\n会議は10時に始まった。\n</記録>", "記録", "会議は10時に始まった。"),
    ("要約して。\n【資料】\n会議は10時に始まった。", "資料", "会議は10時に始まった。"),
    ("要約して。\n■資料\n会議は10時に始まった。", "資料", "会議は10時に始まった。"),
    ("要約して。\n資料：\n会議は10時に始まった。", "資料", "会議は10時に始まった。"),
    ("要約して。\n【資料ここから】\n会議は10時に始まった。\n【資料ここまで】\n200字以内で。", "資料", "会議は10時に始まった。"),
    ("要約して。\n---\n会議は10時に始まった。\n---", "", "会議は10時に始まった。"),
    ("要約して。\n<<<意見1>>>\n会議は10時に始まった。", "意見1", "会議は10時に始まった。"),
])
def test_material_is_found_however_it_is_set_off(prompt, label, text):
    reading = read_prompt(prompt)
    assert [(b.label, b.text) for b in reading.blocks] == [(label, text)]
    assert "会議は10時" not in reading.instructions


def test_each_delimited_opinion_is_one_series_of_material_and_instructions_stay_outside():
    prompt = ("「交通」についての市民の意見を、3点の箇条書きで要約してください。意見にないことは書かないでください。\n"
              "<<<意見1>>>\nバスの本数が減って、通院に困っています。\n<<<意見2>>>\n駅前の駐輪場が足りません。\n"
              "<<<意見3>>>\n通学路の歩道を広げてほしいです。")
    reading = read_prompt(prompt)
    assert [b.label for b in reading.blocks] == ["意見1", "意見2", "意見3"]
    assert reading.source.count("\n") == 2 and "駐輪場" in reading.source
    assert reading.items == 3 and reading.bullets and "summarize" in reading.tasks
    assert reading.no_new_facts


def test_an_empty_skeleton_has_no_elements():
    reading = read_prompt("【役割】\n【目的】\n【指示】\n【制約】\n【出力形式】\n<資料>\n防災フェアは10月18日です。\n</資料>")
    assert reading.present == []
    assert reading.empty_headings == ["役割", "目的", "指示", "制約", "出力形式"]
    placeholders = read_prompt("役割：〇〇\n目的：（ここに書く）\n指示：…\n制約：なし\n出力形式：")
    assert placeholders.present == []


@pytest.mark.parametrize("prompt", [
    "■役割：みどり市の広報担当\n■目的：多くの市民に来てもらう\n■指示：お知らせを作成\n■制約：300字以内\n■出力形式：箇条書き",
    "●役割\n広報担当の職員\n●目的\n家族連れに来てもらう\n●指示\nお知らせを書く\n●条件\n資料にないことは書かない\n●形式\n見出しと箇条書き",
    "# 役割\nあなたは広報担当です。\n# 背景\n市のホームページに載せます。\n# 指示\n作成してください。\n# 制約\n200字程度\n# 出力形式\n見出し＋本文",
    "「役割：」広報担当\n「目的：」市報に載せる\n「指示：」お知らせを作る\n「制約：」敬語\n「出力形式：」箇条書き",
    "あなたは危機管理課の職員です。多くの市民に来てもらうためのお知らせです。お知らせ文を作ってください。300字以内で、日時と場所は必ず入れてください。見出しと箇条書きの形でお願いします。",
    "危機管理課の広報担当として書いてください。来てもらいたいので、楽しそうな雰囲気にしてください。資料にないことは書かないこと。出力は見出し1行と本文。",
    "あなたは市の広報担当です。部長への報告用に、この記録を200字以内でまとめて、箇条書きで出してください。",
    "You are a city press officer. Write a notice for residents so that they come to the fair. Keep it within 300 characters. Use bullet points.",
])
def test_five_elements_in_headings_and_plain_sentences(prompt):
    assert read_prompt(prompt).present == ["role", "purpose", "instruction", "constraints", "output_format"]


@pytest.mark.parametrize("prompt, key", [
    ("多くの市民に来てもらうためのお知らせです。", "purpose"),
    ("来てもらうために書きます。", "purpose"),
    ("部長への報告用に要約してください。", "purpose"),
    ("来てもらいたいので、案内を作って。", "purpose"),
    ("子育て世帯向けに書いてください。", "purpose"),
    ("専門用語は使わないでください。", "constraints"),
    ("個人名は出さないこと。", "constraints"),
    ("カテゴリの名前だけ答えてください。", "output_format"),
    ("【決定事項】と【アクション項目】の見出しに分けて書いてください。", "output_format"),
])
def test_phrasings_staff_use(prompt, key):
    assert read_prompt(prompt).elements[key].present, key


@pytest.mark.parametrize("prompt", [
    "【資料】と【下書き】を読んでください。\n【資料】\n対象は40歳以上。\n【下書き】\n対象は65歳以上。",
])
def test_naming_two_blocks_is_not_an_output_format(prompt):
    reading = read_prompt(prompt)
    assert not reading.elements["output_format"].present
    assert [b.label for b in reading.blocks] == ["資料", "下書き"]


@pytest.mark.parametrize("prompt", [
    "手順1：要件を読む。手順2：申請書と比べる。",
    "要件を1つずつ確認してください。",
    "要件を一つずつ確かめて。",
    "まず要件を読み、次に申請書と比べ、最後に判定して。",
    "1. 要件を読む\n2. 比べる\n3. 判定する",
])
def test_steps(prompt):
    assert read_prompt(prompt).steps


@pytest.mark.parametrize("prompt", [
    "資料にないことは書かないでください。", "事実にないことは書かない。", "メモにない情報は入れないで。", "ここに書いてないことは書かないで。",
    "記録に書かれていないことは書かないこと。", "推測で補わないでください。", "与えた情報のみを使ってください。",
])
def test_no_new_facts(prompt):
    assert read_prompt(prompt).no_new_facts


@pytest.mark.parametrize("prompt", ["要約してください。", "事実を正確に書いてください。", "資料を読んでください。"])
def test_no_new_facts_not_fooled(prompt):
    assert read_prompt(prompt).no_new_facts is None


def test_words_inside_the_material_are_not_the_writers():
    reading = read_prompt("次の意見を読んで。\n###\n保育園に入れないので困っています。至急対応してください。200字以内で。\n###")
    assert not reading.elements["constraints"].present and reading.limit_chars is None


def test_compare_wording_of_the_question():
    assert read_prompt("【下書き】を【資料】と照らし合わせてください。").compare


def test_label_kinds():
    assert label_kind("役割") == "role" and label_kind("あなたの役割") == "role" and label_kind("出力形式") == "output_format"
    assert label_kind("資料") == "source" and label_kind("会議の記録") == "source" and label_kind("AIの下書き") == "source"
    assert label_kind("決定事項") is None


def test_legacy_helpers_still_answer():
    assert delimited_blocks("<record>タグの中の記録を要約してください。\n<record>\n会議は10時に始まった。\n</record>") == ["会議は10時に始まった。"]
    assert delimited_blocks("【下書き】\n下書きの文。\n【資料】\n資料の文。") == ["下書きの文。", "資料の文。"]


def test_opinions_each_delimited_with_the_instructions_outside_are_summarised_by_the_practice_model():
    """m05.q4's shape: one marker per opinion (closed or not), the request outside them."""
    from aidojo.llm.offline.engine import respond

    opinions = ["バスの本数が減って、通院に困っています。", "駅前の駐輪場が足りません。", "通学路の歩道を広げてほしいです。"]
    shapes = [
        "「交通」の意見を3点の箇条書きで要約してください。\n" + "\n".join(f"<<<意見{i}>>>\n{o}" for i, o in enumerate(opinions, 1)),
        "".join(f"<<<意見{i}>>>{o}<<<意見{i}>>>\n" for i, o in enumerate(opinions, 1)) + "\n上の「交通」の意見を150字以内でまとめてください。",
        "「交通」の意見を要約してください。150字以内。\n" + "\n".join(f"<<<意見{i}>>>\n{o}\n<<</意見{i}>>>" for i, o in enumerate(opinions, 1)),
    ]
    for prompt in shapes:
        reading = read_prompt(prompt)
        assert [b.label for b in reading.blocks] == ["意見1", "意見2", "意見3"], prompt
        assert all(o in reading.source for o in opinions) and "要約" not in reading.source and "まとめ" not in reading.source
        assert respond([{"role": "user", "content": prompt}]).task in ("summary", "sections"), prompt

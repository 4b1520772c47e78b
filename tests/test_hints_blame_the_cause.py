"""What a trainer saw graded wrong in a workshop, fixed at the source: the reader, the rubric, the choice reader.

Each test is one finding: a table with named columns is an output format; a material's tag named in a constraint
reads as its name; ○ next to an option means "this one"; a blank answer is told it is blank; instructions written
inside the material are told to move out; the swap hint shows only when the swap is the reason.
"""

from __future__ import annotations

import pytest

from aidojo.checks import check, rubric
from aidojo.checks.m02 import OPINION, OPINION_ALT, q3_requirements
from aidojo.text.choice_parse import read_choices
from aidojo.text.prompt_parse import listed_labels, read_prompt
from tests.prompt_corpus import load_corpus, materials

MATERIALS = materials()
SWAP = "差し替えて試すと"


def _with_material(qid: str, own: str) -> str:
    return own + "\n" + MATERIALS[qid]


@pytest.mark.parametrize("phrase", ["結果は表（項目、下書き、資料、根拠）で出してください。", "表（4列）で出してください。",
                                    "表（質問・答弁案）で出してください。", "表(要件, 判定, 理由)にしてください。",
                                    "結果は表（No.／下書き／正しい内容／根拠）。"])
def test_a_table_with_named_or_counted_columns_is_an_output_format(phrase):
    assert read_prompt(phrase).elements["output_format"].present


@pytest.mark.parametrize("phrase", ["市の発表で使います。", "公表に向けて整理します。", "代表で報告します。"])
def test_words_that_contain_the_table_character_are_not_a_table(phrase):
    assert not read_prompt(phrase).elements["output_format"].present


def test_table_columns_are_not_read_as_categories():
    assert listed_labels("決まったことを表（区分・内容・担当・期限）にまとめてください。") == []
    assert listed_labels("交通・子育て・ごみのいずれかに分類し、表（意見・カテゴリ）で出して") == ["交通", "子育て", "ごみ"]


@pytest.mark.parametrize("own", ["下の<行事の情報>にない数字やエピソードは書かないでください。",
                                 "‹行事の情報>にない数字や逸話は入れないでください",
                                 "＜行事の情報＞以外の数字やエピソードは使わないこと。",
                                 "数字は<行事の情報>にあるものだけを使ってください。"])
def test_the_materials_tag_named_in_a_constraint_reads_as_its_name(own):
    reading = read_prompt(_with_material("m03.q6", own))
    assert reading.no_new_facts, own
    assert check("m03.q6", _with_material("m03.q6", "環境部長が開会式で読むあいさつ文を2分程度で作ってください。" + own)).ok


@pytest.mark.parametrize("answer, chosen, grid", [
    ("A○ B× C○ D○ E×", ["A", "C", "D"], True),
    ("反する：A○ C○ D○", ["A", "C", "D"], False),
    ("A× C× D×", ["A", "C", "D"], False),
    ("○A ×B ○C ○D ×E", ["A", "C", "D"], True),
    ("Aは○、Bは×、Cは○、Dは○、Eは×", ["A", "C", "D"], True),
    ("A→○、B→×、C→○、D→○、E→×", ["A", "C", "D"], True),
])
def test_a_circle_next_to_an_option_chooses_it(answer, chosen, grid):
    reading = read_choices(answer, "ABCDE")
    assert reading.chosen == chosen and reading.grid is grid


def test_a_grid_written_the_other_way_round_gets_one_hint_on_how_marks_are_read():
    result = check("m01.q1", "A× B○ C× D× E○")
    assert not result.ok and len(result.hints) == 1 and "○＝選ぶもの" in result.hints[0]
    assert check("m01.q1", "A○ B× C○ D○ E×").ok and check("m01.q1", "反する：A○ C○ D○").ok
    wrong = check("m01.q1", "A○ B○ C○ D× E×")  # wrong either way: how marks are read, then what to look at again
    assert "○＝選ぶもの" in wrong.hints[0] and len(wrong.hints) == 3
    assert check("m01.q3", "①× ②× ③○ ④× ⑤○").ok
    assert check("e01.q1", "○A ×B ○C ×D ○E ×F").ok


@pytest.mark.parametrize("qid", ["m01.q1", "m01.q2", "m01.q3", "m02.q5", "e01.q1"])
def test_a_blank_answer_is_told_it_is_blank_and_nothing_else(qid):
    result = check(qid, "\n\n")
    assert not result.ok and len(result.hints) == 1 and result.hints[0].startswith("答えが空です"), result.hints


def test_an_untouched_answer_cell_is_told_to_write_its_own_words_first():
    result = check("m02.q1", MATERIALS["m02.q1"])
    assert result.hints[0].startswith("まだ自分の言葉") and "<事実> の上" in result.hints[0]


def test_instructions_inside_the_material_are_told_to_move_out():
    own = "あなたは危機管理課の職員です。市民向けのお知らせに使うので、防災フェアのお知らせを300字以内で、見出しと箇条書きで作ってください。"
    inside = MATERIALS["m02.q1"].replace("<事実>\n", "<事実>\n" + own + "\n", 1)
    result = check("m02.q1", inside)
    assert not result.ok and len(result.hints) == 1, result.hints
    assert "<事実>〜</事実>）の中" in result.hints[0] and "<事実> の上" in result.hints[0]
    assert check("m02.q1", own + "\n" + MATERIALS["m02.q1"]).ok  # moved out: right


def test_the_swap_hint_shows_only_when_the_swap_is_the_reason():
    short = check("m03.q8", _with_material("m03.q8", "課ごとの合計を出す関数を教えてください。"))
    assert not short.ok and not any(SWAP in h or "差し替え" in h for h in short.hints), short.hints
    inside = ("次の意見を、交通・子育て・ごみ・防災・その他のいずれかに分類し、カテゴリ名だけを答えてください。\n<意見>\n"
              "例：「バスの本数が少ない」→ 交通\n例：「粗大ごみの出し方が分からない」→ ごみ\n" + OPINION + "\n</意見>")
    alone = rubric.evaluate(inside, q3_requirements() + [rubric.reusable(q3_requirements, OPINION, OPINION_ALT)])
    assert alone.hints == [h for h in alone.hints if SWAP in h] and "「例（few-shot）」" in alone.hints[0]
    assert "<意見>〜</意見>" in alone.hints[0]


def test_across_the_corpus_hints_name_the_actual_cause():
    """No wrong answer of the corpus fails because of the swap alone (on main 240 of 373 rejected answers showed the
    swap hint beside their real reasons); a ○/× grid is first told how marks are read; blank answers get one hint."""
    for qid, answers in load_corpus().items():
        for a in answers:
            hints = check(qid, a.text).hints
            assert not any("条件を満たさなくなります" in h for h in hints), (a.id, hints)
            assert sum(SWAP in h for h in hints) <= 1, (a.id, hints)
            if not a.text.strip():
                assert len(hints) == 1 and hints[0].startswith("答えが空です"), (a.id, hints)
            if qid in ("m01.q1", "m01.q3") and len(hints) >= 2 and read_choices(a.text, "ABCDE12345").grid:
                assert "○＝選ぶもの" in hints[0], (a.id, hints)

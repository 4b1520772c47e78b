"""The offline practice model: speed per job (calls/s, p50/p95 through the real openai SDK) and how often it does
the task a course prompt asks, as a learner would judge it.

Run: .venv/bin/python benchmarks/offline_model.py [--calls 300]

Figures printed:
- per job: calls per second and p50/p95 latency in milliseconds;
- "does the task": for the lesson prompts, the calls the lessons and templates make (tests/fixtures/practice/
  corpus.yaml) and every answer labelled right in tests/fixtures/prompt_corpus, the share whose reply passes
  the checks a learner makes by eye (the same checks as tests/test_practice_model.py);
- "executive first drafts": for the greetings, notice summaries, council Q&A and Excel help of the course (e01,
  m03 q6–q8) and of tests/fixtures/practice/executive.yaml, the share passing the checks an executive makes
  (tests/test_practice_executive.py), and how close the greetings come to the asked length.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from aidojo.llm import client, model_name  # noqa: E402

NOTICE = ("みどり市では来年4月から燃やせるごみの収集日が変わります。これまで月曜と木曜でしたが、火曜と金曜になります。"
          "収集場所は変わりません。分別のルールも一部変わり、プラスチック製容器包装は水曜に出します。") * 3
FACTS = "行事名：みどり市 秋の防災フェア\n日時：10月18日（土）10時〜15時\n場所：みどり中央公園\n参加費：無料"
PROMPTS = {
    "summary": f"次の文章を箇条書き3点、120字以内で要約してください。\n```\n{NOTICE}\n```",
    "classify": "次の意見を「子育て」「交通」「防災」「その他」のいずれかに分類してください。\n意見: 駅前のバスの本数を増やしてほしい",
    "json": '次の意見をJSONで返してください。{"category": "...", "sentiment": "..."}\n意見: 公園がきれいになって嬉しい',
    "grounded": "資料:\n[1] 粗大ごみは事前に電話で申し込みが必要です。\n[2] 収集手数料は1点500円です。\n質問: 粗大ごみの手数料はいくらですか？",
    "notice": f"あなたは広報担当です。次の事実で防災フェアのお知らせを300字以内で作成してください。\n###\n{FACTS}\n###",
    "check": ("次の申請書が要件を満たすか、要件を1つずつ確認して表にしてください。\n【要件】\n1. 経費が30万円以上であること\n"
              "2. 2027年1月31日までに申請すること\n【申請書】\n経費：48万円\n申請日：2027年1月20日"),
    "easy": f"次のお知らせをやさしい日本語に書き換えてください。\n###\n{NOTICE[:120]}\n###",
    "halluc.": "みどり市の図書館の電子書籍の貸出期間は何日ですか？",
    "mirror": "あなたは市役所の職員です。いい感じにお願いします。",
    "speech": "副市長のあいさつ原稿を3分で。\n###\n行事：新庁舎オープン記念式典\n日時：10月1日（金）9時から\n場所：市民ホール\n"
              "参加：市民など約120人\n伝えたいこと：工事中の協力へのお礼、待ち時間を短くする取り組み（オンライン予約・案内表示）\n###",
    "actions": "市がすべきことと期限を5点で。\n###\n1. 責任者を定めること。\n2. 手順を定めること。\n"
               "3. 取組状況を、令和9年9月30日までに報告すること。\n###",
    "council": "想定問答を5問、表で。\n###\n事業名：窓口予約事業\n予算額：800万円\n開始時期：2027年7月1日（予定）\n###",
}


def speed(calls: int) -> None:
    llm, model = client(), model_name()
    print(f"offline practice model, {calls} calls per job, through openai.OpenAI + httpx transport")
    print(f"{'job':<10} {'calls/s':>9} {'p50 ms':>8} {'p95 ms':>8}")
    for task, prompt in PROMPTS.items():
        messages = [{"role": "user", "content": prompt}]
        llm.chat.completions.create(model=model, messages=messages)  # warm up
        latencies = []
        started = time.perf_counter()
        for _ in range(calls):
            t0 = time.perf_counter()
            llm.chat.completions.create(model=model, messages=messages)
            latencies.append((time.perf_counter() - t0) * 1000)
        total = time.perf_counter() - started
        p95 = statistics.quantiles(latencies, n=20)[18]
        print(f"{task:<10} {calls / total:>9.0f} {statistics.median(latencies):>8.2f} {p95:>8.2f}")


def does_the_task() -> None:
    from tests.prompt_corpus import load_corpus
    from tests.test_practice_model import CORPUS, _cell, assert_recognisable, complete, prompts_in, template_messages

    def passes(messages, expect, prompt, json_mode=False) -> bool:
        reply, job = complete(messages, json_mode=json_mode)
        try:
            assert_recognisable(reply, job, expect, prompt, "")
            return True
        except AssertionError:
            return False

    print("\ndoes the task a learner asks (replies passing the checks a learner makes by eye)")
    print(f"{'prompts':<34} {'passed':>7} {'of':>4} {'share':>7}")
    ok = sum(passes([{"role": "user", "content": prompts_in(_cell(c["cells"][-1]).source)[0]}], c,
                    prompts_in(_cell(c["cells"][-1]).source)[0]) for c in CORPUS["lessons"] if len(c["cells"]) == 1)
    n = sum(1 for c in CORPUS["lessons"] if len(c["cells"]) == 1)
    print(f"{'lesson cells (single prompt)':<34} {ok:>7} {n:>4} {ok / n:>7.0%}")
    calls = CORPUS["calls"]
    ok = sum(passes(template_messages(c) if "template" in c else c["messages"], c,
                    "\n".join(m["content"] for m in (template_messages(c) if "template" in c else c["messages"])),
                    c.get("json_mode", False)) for c in calls)
    print(f"{'lesson/template calls':<34} {ok:>7} {len(calls):>4} {ok / len(calls):>7.0%}")
    labelled = load_corpus()
    jobs: Counter[str] = Counter()
    for qid, expect in CORPUS["questions"].items():
        right = [a for a in labelled.get(qid, []) if a.label == "right"]
        if not right:
            continue
        ok = 0
        for a in right:
            messages = [*expect.get("follow_up_of", []), {"role": "user", "content": a.text}]
            ok += passes(messages, expect, a.text)
            jobs[complete(messages)[1]] += 1
        print(f"{qid + ' (right answers, personas)':<34} {ok:>7} {len(right):>4} {ok / len(right):>7.0%}")
    print("jobs done on the labelled answers:", ", ".join(f"{job} {count}" for job, count in jobs.most_common()))


def executive_drafts() -> None:
    import re

    from tests import test_practice_executive as T

    print("\nexecutive first drafts (replies passing the checks an executive makes: facts, length, points, caveats)")
    print(f"{'prompts':<34} {'passed':>7} {'of':>4} {'share':>7}")
    kinds = [("greetings", T.GREETINGS, "greetings", T.assert_good_greeting),
             ("notice summaries", T.NOTICES, "notices", T.assert_actions_with_deadlines),
             ("council Q&A", T.COUNCIL, "council", T.assert_council_qa),
             ("Excel help", T.EXCEL, "excel", T.assert_formula)]
    deviations = []
    for label, course, own_key, check in kinds:
        for source, prompts in (("course", course), ("other wording", [(c["id"], c["prompt"]) for c in T.OWN[own_key]])):
            ok = 0
            for where, prompt in prompts:
                reply, job = T.complete([{"role": "user", "content": prompt}])
                try:
                    check(prompt, reply, job, where)
                    ok += 1
                except AssertionError:
                    pass
                if own_key == "greetings" and (asked := T.asked_length(prompt)):
                    size = len(re.sub(r"\s", "", T.speech_body(reply)))
                    deviations.append((size - asked[0]) / asked[0])
            print(f"{label + ' (' + source + ')':<34} {ok:>7} {len(prompts):>4} {ok / len(prompts):>7.0%}")
    deviations.sort()
    print(f"greeting length vs asked: median {statistics.median(deviations):+.0%}, "
          f"range {deviations[0]:+.0%} to {deviations[-1]:+.0%} over {len(deviations)} prompts that ask a length")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=300, help="calls per job")
    args = parser.parse_args()
    speed(args.calls)
    does_the_task()
    executive_drafts()


if __name__ == "__main__":
    main()

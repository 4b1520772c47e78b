"""Output guards and the handoff rule: how fast a failing backend becomes a handoff, what the guard lets through,
and how well the one relevance scale separates answerable from off-topic questions.

Run: python benchmarks/guards.py
Prints:
- seconds from the call to the handoff for a hanging backend (streamed and not), a backend that answers 500, a refused
  connection, and a good reply, through the real openai SDK against a fake server on 127.0.0.1, with the default
  GuardSettings (before issue 14: 60 s × 4 attempts ≈ 243 s for a hang);
- the guard on realistic answers: how many supported answers are shown and unsupported ones handed off;
- relevance (Hit.relevance, 0..1) against MIN_RELEVANCE on the Tsu garbage table (120 answerable, 30 off-topic), next to
  the raw BM25 threshold it replaces.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from aidojo.safety import (  # noqa: E402
    MIN_RELEVANCE,  # noqa: E402
    GuardSettings,
    Passage,
    check_answer,
    guarded_chat,
)
from tests.fake_openai_server import FakeOpenAIServer, completion, error  # noqa: E402

FAQ = [Passage("FAQ-12", "マイナンバーカードの再発行手数料は1,000円です。本人の責任によらない場合は無料です。"),
       Passage("FAQ-29", "市民課の窓口は平日の午前8時30分から午後5時15分まで開いています。")]
GOOD = "再発行の手数料は1,000円です【FAQ-12】。"


def _backend(base_url: str) -> None:
    os.environ.update({"AIDOJO_PROVIDER": "compatible", "OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": "not-needed"})


def _timed(settings: GuardSettings, repeat: int = 1) -> tuple[float, str, int]:
    times, reply = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        reply = guarded_chat("再発行の手数料は？", passages=FAQ, settings=settings)
        times.append(time.perf_counter() - t)
    assert reply is not None
    return statistics.median(times), reply.reason or "shown", reply.attempts


def bench_faults() -> None:
    default = GuardSettings()
    print(f"== backend faults → handoff (GuardSettings(): timeout_s={default.timeout_s:g}, total_s={default.total_s:g}, "
          f"retries={default.retries}); real openai SDK → fake server on 127.0.0.1")
    rows = []
    with FakeOpenAIServer([(200, completion(GOOD), 600)]) as hang:
        _backend(hang.base_url)
        rows.append(("hang (no reply at all), streamed", *_timed(default)))
        rows.append(("hang, stream=False (waits total_s)", *_timed(GuardSettings(stream=False))))
    with FakeOpenAIServer([(500, error(500, "boom"), 0)]) as failing:
        _backend(failing.base_url)
        rows.append(("HTTP 500 on every call", *_timed(default, 5)))
    with FakeOpenAIServer([(200, completion(""), 0)]) as empty:
        _backend(empty.base_url)
        rows.append(("empty reply", *_timed(default, 5)))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    _backend(f"http://127.0.0.1:{port}/v1")
    rows.append(("connection refused", *_timed(default, 5)))
    with FakeOpenAIServer([(200, completion(GOOD), 0)]) as good:
        _backend(good.base_url)
        rows.append(("good reply (for comparison)", *_timed(default, 5)))
    print(f"{'backend':40} {'seconds':>8}  {'outcome':16} attempts")
    for name, seconds, outcome, attempts in rows:
        print(f"{name:40} {seconds:8.2f}  {outcome:16} {attempts}")
    print("before issue 14 (aidojo.llm defaults: 60 s timeout, SDK max_retries=3): a hang took ≈ 243 s, then raised")


ANSWERS = [  # (answer, should be shown)
    ("再発行の手数料は1,000円です【FAQ-12】。", True),
    ("再発行手数料は千円です【FAQ-12】。本人の責任によらない場合は無料です。", True),
    ("窓口は平日8:30〜17:15です【FAQ-29】。", True),
    ("平日の午前8時半から午後5時15分まで開いています【FAQ-29】。", True),
    ("はい、手数料は無料で、その日のうちに受け取れます。土日も24時間対応しています。【FAQ-12】", False),
    ("再発行の手数料は500円です【FAQ-12】。", False),
    ("窓口は土曜日も開いています【FAQ-29】。", False),
    ("窓口は平日の午前9時から午後6時までです【FAQ-29】。", False),
    ("再発行の手数料は1,000円です。", False),
    ("再発行の手数料は1,000円です【FAQ-99】。", False),
    ("再発行の手数料は1,000円です【FAQ-12】。詳しくは090-1234-5678へ。", False),
    ("再発行は市民課のほか東部支所でもできます【FAQ-12】。", False),
]


def bench_answers() -> None:
    shown_ok = sum(1 for a, ok in ANSWERS if ok and not check_answer(a, FAQ).handoff)
    stopped = sum(1 for a, ok in ANSWERS if not ok and check_answer(a, FAQ).handoff)
    n_ok = sum(ok for _, ok in ANSWERS)
    print(f"\n== the guard on realistic answers: {shown_ok}/{n_ok} supported answers shown, "
          f"{stopped}/{len(ANSWERS) - n_ok} unsupported ones handed off")
    texts = [a for a, _ in ANSWERS] * 50
    t = time.process_time()
    for a in texts:
        check_answer(a, FAQ)
    print(f"check_answer: {len(texts) / (time.process_time() - t):,.0f} answers per CPU-second")


def bench_relevance() -> None:
    from aidojo.data import TSU_GOMI_CSV
    from aidojo.retrieval import DEFAULT_MIN_SCORE, Index

    def load(name: str) -> list[str]:
        return [json.loads(line)["question"] for line in (HERE / "data" / name).read_text(encoding="utf-8").splitlines()
                if line.strip()]

    index = Index()
    index.add_csv(TSU_GOMI_CSV)
    answerable, offtopic = load("gomi_questions.jsonl"), load("gomi_offtopic.jsonl")
    best = {q: (index.search(q, k=1) or [None])[0] for q in answerable + offtopic}
    rel = {q: (h.relevance if h else 0.0) for q, h in best.items()}
    bm25 = {q: (h.score if h else 0.0) for q, h in best.items()}
    print(f"\n== one relevance scale (Hit.relevance, 0..1) on the Tsu garbage table: {len(answerable)} answerable, "
          f"{len(offtopic)} off-topic questions")
    print(f"{'threshold':34} {'answerable kept':>16} {'off-topic stopped':>18}")
    for name, score, threshold in ((f"relevance ≥ MIN_RELEVANCE = {MIN_RELEVANCE:.2f}", rel, MIN_RELEVANCE),
                                   (f"BM25 ≥ DEFAULT_MIN_SCORE = {DEFAULT_MIN_SCORE:.1f} (old)", bm25, DEFAULT_MIN_SCORE)):
        kept = sum(score[q] >= threshold for q in answerable) / len(answerable)
        stopped = sum(score[q] < threshold for q in offtopic) / len(offtopic)
        print(f"{name:34} {kept:16.1%} {stopped:18.1%}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)  # no project .env
        bench_faults()
    bench_answers()
    bench_relevance()


if __name__ == "__main__":
    main()

"""Retrieval benchmark: index time, p50/p95 query latency, hit@5, and the handoff threshold's calibration.

    python benchmarks/retrieval.py              # Tsu garbage table + a 1,000-page synthetic manual (PDF)
    python benchmarks/retrieval.py --janome     # also the Janome tokenizer
    python benchmarks/retrieval.py --pages 200  # a smaller manual, for a quick run

Data: the real Tsu City garbage table (aidojo.data.TSU_GOMI_CSV, CC BY 2.1 JP), 120 questions about it
(benchmarks/data/gomi_questions.jsonl: the row's 品目 must be among the top-5 hits), 30 off-topic
questions (gomi_offtopic.jsonl), and a synthetic manual written to a temp folder at run time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE / "data"))

from synthetic_manual import make_manual_pdf  # noqa: E402

from aidojo.data import TSU_GOMI_ATTRIBUTION, TSU_GOMI_CSV  # noqa: E402
from aidojo.retrieval import DEFAULT_MIN_SCORE, Index, grounded_answer  # noqa: E402


def _jsonl(name: str) -> list[dict]:
    return [json.loads(line) for line in (HERE / "data" / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def _pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]


def _latency(index: Index, queries: list[str], rounds: int = 3) -> tuple[float, float]:
    index.search(queries[0])  # builds the BM25 matrix
    times = []
    for _ in range(rounds):
        for q in queries:
            t = time.perf_counter()
            index.search(q, k=5)
            times.append((time.perf_counter() - t) * 1000)
    return _pct(times, 50), _pct(times, 95)


def bench_gomi(tokenizer: str) -> Index:
    questions = _jsonl("gomi_questions.jsonl")
    t = time.perf_counter()
    index = Index(tokenizer)
    rows = index.add_csv(TSU_GOMI_CSV)
    index.search("ごみ")  # index time includes building the BM25 matrix
    t_index = time.perf_counter() - t
    p50, p95 = _latency(index, [q["question"] for q in questions])
    hit1 = hit5 = 0
    for q in questions:
        hits = index.search(q["question"], k=5)
        items = [h.text.split("品目：", 1)[1].split("\u3000", 1)[0] if "品目：" in h.text else "" for h in hits]
        hit5 += q["item"] in items
        hit1 += bool(items) and items[0] == q["item"]
    n = len(questions)
    print(f"[garbage table / {tokenizer}] {rows} rows indexed in {t_index:.2f} s; "
          f"query p50 {p50:.2f} ms, p95 {p95:.2f} ms; hit@5 {hit5}/{n} = {hit5 / n:.1%}, hit@1 {hit1 / n:.1%}")
    return index


def calibrate(index: Index) -> None:
    """Top-1 BM25 scores of answerable vs off-topic questions, and grounded_answer end to end (offline model)."""
    answerable = _jsonl("gomi_questions.jsonl")
    offtopic = _jsonl("gomi_offtopic.jsonl")
    top = lambda q: (index.search(q, k=1) or [None])[0]  # noqa: E731
    a_scores = sorted(h.score if (h := top(q["question"])) else 0.0 for q in answerable)
    o_scores = sorted(h.score if (h := top(q["question"])) else 0.0 for q in offtopic)
    print(f"[calibration] top-1 score, answerable: min {a_scores[0]:.2f}, p5 {_pct(a_scores, 5):.2f}, "
          f"median {statistics.median(a_scores):.2f}; off-topic: median {statistics.median(o_scores):.2f}, "
          f"p95 {_pct(o_scores, 95):.2f}, max {o_scores[-1]:.2f}; DEFAULT_MIN_SCORE = {DEFAULT_MIN_SCORE}")
    for thr in (3.0, 4.0, 5.0, 6.0, 8.0):
        kept = sum(s >= thr for s in a_scores) / len(a_scores)
        stopped = sum(s < thr for s in o_scores) / len(o_scores)
        print(f"    min_score {thr:>4}: answerable kept {kept:.1%}, off-topic stopped by score alone {stopped:.1%}")
    t = time.perf_counter()
    right = cited_row = handed = 0
    for q in answerable:
        ans = grounded_answer(q["question"], index)
        handed += ans.handoff
        right += (not ans.handoff) and q["category"] in ans.text
        cited_row += f"行 {q['row']}" in " ".join(ans.citations)
    off_handoff = sum(grounded_answer(q["question"], index).handoff for q in offtopic)
    dt = (time.perf_counter() - t) / (len(answerable) + len(offtopic)) * 1000
    n = len(answerable)
    print(f"[grounded_answer, offline model] answerable: correct 分別区分 in answer {right}/{n} = {right / n:.1%}, "
          f"cites the expected row {cited_row / n:.1%}, handed off {handed / n:.1%}; "
          f"off-topic handed off {off_handoff}/{len(offtopic)}; {dt:.1f} ms per question")


def bench_manual(pages: int, tokenizer: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "midori_manual.pdf"
        t = time.perf_counter()
        probes = make_manual_pdf(pdf, pages=pages)
        t_make = time.perf_counter() - t
        t = time.perf_counter()
        index = Index(tokenizer)
        chunks = index.add_file(pdf)
        t_read = time.perf_counter() - t
        index.search("手順")
        t_index = time.perf_counter() - t
        sample = probes[:: max(1, len(probes) // 200)]
        p50, p95 = _latency(index, [p.question for p in sample])
        hit5 = sum(f"p.{p.page}" in [h.location for h in index.search(p.question, k=5)] for p in sample)
        t = time.perf_counter()
        index.save(Path(tmp) / "idx")
        t_save = time.perf_counter() - t
        t = time.perf_counter()
        Index.load(Path(tmp) / "idx").search(sample[0].question)
        t_load = time.perf_counter() - t
    print(f"[manual / {tokenizer}] {pages} pages (PDF made in {t_make:.1f} s) → {chunks} chunks; "
          f"read+index {t_index:.2f} s (pypdf {t_read:.2f} s); query p50 {p50:.2f} ms, p95 {p95:.2f} ms; "
          f"hit@5 {hit5}/{len(sample)} = {hit5 / len(sample):.1%}; save {t_save:.2f} s, load+first query {t_load:.2f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=1000, help="pages of the synthetic manual (default 1000)")
    ap.add_argument("--janome", action="store_true", help="also measure the Janome tokenizer")
    args = ap.parse_args()
    print(TSU_GOMI_ATTRIBUTION)
    index = bench_gomi("bigram")
    calibrate(index)
    bench_manual(args.pages, "bigram")
    if args.janome:
        bench_gomi("janome")
        bench_manual(args.pages, "janome")


if __name__ == "__main__":
    main()

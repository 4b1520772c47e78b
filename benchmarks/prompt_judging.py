"""How well the one judge grades learners' answers: per question, right answers accepted and wrong answers accepted.

Run: python benchmarks/prompt_judging.py [--misses]
Reads the labelled corpus (tests/fixtures/prompt_corpus/<qid>.yaml: answers written from different personas, each
labelled right or wrong) and judges every answer with the question's checker — the same call as ``check()`` in a
notebook and the grade. Prints, per question, the share of right answers accepted (bar: at least 95%) and of wrong
answers accepted (bar: at most 5%), separately for the tuning answers and the held-out ones (written after the rules
were last tuned, never used to tune them), then the totals and the judging speed. ``--misses`` lists every answer
that gets the wrong verdict, with the persona and the first hint. Last, the reader alone on a generated set of prompts
with known elements (tests/prompt_generator.py): how often it finds exactly the elements written.

Held-out batches so far (each measured once when written, then its phrasing families were added and it joined the
tuning answers): first batch 54/68 right answers accepted (79%), 0/34 wrong; second batch 33/35 (94%), 0/18 wrong; third batch (a
trainer's workshop: tables with named columns, the material's tag named in a constraint, ○/× marks, instructions
inside the material) 16/49 right accepted (33%), 4/23 wrong accepted (17%, 「発表で」「公表に」 read as a table).
The fourth batch (the same kinds, written after those fixes) is still held out: 26/26 right, 0/16 wrong when measured.
Mark new answers ``heldout: true`` to measure the next batch in its own columns.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aidojo.checks import evaluate  # noqa: E402
from aidojo.text.prompt_parse import read_prompt  # noqa: E402
from tests.prompt_corpus import load_corpus  # noqa: E402
from tests.prompt_generator import generate  # noqa: E402

RIGHT_BAR = 0.95
WRONG_BAR = 0.05


def _pct(n: int, d: int) -> str:
    return f"{n:>3}/{d:<3} {100 * n / d:5.1f}%" if d else "    –        "


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list the answers that get the wrong verdict")
    args = parser.parse_args()

    corpus = load_corpus()
    rows = []
    misses = []
    judged = 0
    started = time.perf_counter()
    for qid, answers in corpus.items():
        counts = {(held, label): [0, 0] for held in (False, True) for label in ("right", "wrong")}
        for a in answers:
            result = evaluate(qid, a.text)
            judged += 1
            cell = counts[(a.heldout, a.label)]
            cell[0] += result.ok
            cell[1] += 1
            if result.ok != (a.label == "right"):
                misses.append((a, result.hints[:1]))
        rows.append((qid, counts))
    seconds = time.perf_counter() - started

    print(f"{'question':<9} {'right accepted (tuning)':>24} {'wrong accepted (tuning)':>24} "
          f"{'right accepted (held-out)':>26} {'wrong accepted (held-out)':>26}  bar")
    total = {(held, label): [0, 0] for held in (False, True) for label in ("right", "wrong")}
    failing = []
    for qid, counts in rows:
        for key, (n, d) in counts.items():
            total[key][0] += n
            total[key][1] += d
        right = [sum(counts[(h, "right")][i] for h in (False, True)) for i in (0, 1)]
        wrong = [sum(counts[(h, "wrong")][i] for h in (False, True)) for i in (0, 1)]
        ok = right[1] and right[0] / right[1] >= RIGHT_BAR and wrong[1] and wrong[0] / wrong[1] <= WRONG_BAR
        failing += [] if ok else [qid]
        print(f"{qid:<9} {_pct(*counts[(False, 'right')]):>24} {_pct(*counts[(False, 'wrong')]):>24} "
              f"{_pct(*counts[(True, 'right')]):>26} {_pct(*counts[(True, 'wrong')]):>26}  {'met' if ok else 'NOT MET'}")
    print(f"{'all':<9} {_pct(*total[(False, 'right')]):>24} {_pct(*total[(False, 'wrong')]):>24} "
          f"{_pct(*total[(True, 'right')]):>26} {_pct(*total[(True, 'wrong')]):>26}")
    print(f"\n{len(corpus)} questions, {judged} answers judged in {seconds:.2f} s ({1000 * seconds / max(judged, 1):.1f} ms each). "
          f"Bar: right answers accepted ≥ {RIGHT_BAR:.0%}, wrong answers accepted ≤ {WRONG_BAR:.0%} (tuning and held-out together).")
    if failing:
        print("Bar not met: " + ", ".join(failing))
    generated = generate(2000)
    exact = sum(set(read_prompt(g.text).present) == set(g.expected) for g in generated)
    print(f"Generated prompts: the reader finds exactly the elements written in {exact}/{len(generated)} "
          f"({100 * exact / len(generated):.1f}%).")
    if args.misses and misses:
        print("\nWrong verdicts:")
        for a, hint in misses:
            where = "held-out" if a.heldout else "tuning"
            print(f"- {a.id} [{where}] labelled {a.label} ({a.persona}{': ' + a.why if a.why else ''}): "
                  f"{a.text[:80]!r} → {hint}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Calls per second and p50/p95 latency of the offline practice model through the real openai SDK.

Run: .venv/bin/python benchmarks/offline_model.py [--calls 300]
"""

from __future__ import annotations

import argparse
import statistics
import time

from aidojo.llm import client, model_name

NOTICE = ("みどり市では来年4月から燃やせるごみの収集日が変わります。これまで月曜と木曜でしたが、火曜と金曜になります。"
          "収集場所は変わりません。分別のルールも一部変わり、プラスチック製容器包装は水曜に出します。") * 3
PROMPTS = {
    "summary": f"次の文章を箇条書き3点、120字以内で要約してください。\n```\n{NOTICE}\n```",
    "classify": "次の意見を「子育て」「交通」「防災」「その他」のいずれかに分類してください。\n意見: 駅前のバスの本数を増やしてほしい",
    "json": '次の意見をJSONで返してください。{"category": "...", "sentiment": "..."}\n意見: 公園がきれいになって嬉しい',
    "grounded": "資料:\n[1] 粗大ごみは事前に電話で申し込みが必要です。\n[2] 収集手数料は1点500円です。\n質問: 粗大ごみの手数料はいくらですか？",
    "mirror": "あなたは市役所の広報担当です。市民向けに、図書館の新サービスを紹介する文章を作成してください。",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=300, help="calls per task")
    args = parser.parse_args()
    llm, model = client(), model_name()
    print(f"offline practice model, {args.calls} calls per task, through openai.OpenAI + httpx transport")
    print(f"{'task':<10} {'calls/s':>9} {'p50 ms':>8} {'p95 ms':>8}")
    for task, prompt in PROMPTS.items():
        messages = [{"role": "user", "content": prompt}]
        llm.chat.completions.create(model=model, messages=messages)  # warm up
        latencies = []
        started = time.perf_counter()
        for _ in range(args.calls):
            t0 = time.perf_counter()
            llm.chat.completions.create(model=model, messages=messages)
            latencies.append((time.perf_counter() - t0) * 1000)
        total = time.perf_counter() - started
        p95 = statistics.quantiles(latencies, n=20)[18]
        print(f"{task:<10} {args.calls / total:>9.0f} {statistics.median(latencies):>8.2f} {p95:>8.2f}")


if __name__ == "__main__":
    main()

"""CLI commands for aidojo.evals (registered by aidojo.cli): ``aidojo eval SUITE --target ...``."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def _backend() -> str:
    """The backend the suite ran against, in words (never a key)."""
    from aidojo.llm import load_settings

    settings = load_settings()
    if settings.provider == "offline":
        return "練習用オフラインモデル"
    return f"{settings.provider}：{settings.resolve_model()}"


def eval_command(
    suite: Path = typer.Argument(..., help="シナリオスイートの YAML ファイル"),
    target: Optional[str] = typer.Option(None, "--target", "-t", help="python:モジュールまたはファイル:関数 か Gradio アプリの URL（省略時はスイートの target:）"),
    api_name: str = typer.Option("/answer", "--api-name", help="Gradio アプリで呼ぶ API 名"),
    junit: Optional[Path] = typer.Option(None, "--junit", help="JUnit XML の出力先"),
    csv_path: Optional[Path] = typer.Option(None, "--csv", help="結果 CSV（Excel 向け UTF-8 BOM 付き）の出力先"),
    min_pass_rate: float = typer.Option(0.0, "--min-pass-rate", min=0.0, max=1.0, help="これ未満の合格率なら終了コード 1"),
    go_live: bool = typer.Option(False, "--go-live", help="公開判定：100件以上・カテゴリ別の基準・引き継ぎの適合率と再現率を確かめる（不合格なら終了コード 1）"),
    repeat: int = typer.Option(1, "--repeat", min=1, max=50, help="各シナリオを N 回実行し、毎回同じ結果になるか（安定性）を表示する（本物のAI向け）"),
    show_scores: bool = typer.Option(False, "--show-scores", help="シナリオごとの検索の関連度と、しきい値（template.toml の min_relevance）の目安を表示する"),
    report_path: Optional[Path] = typer.Option(None, "--report", help="公開判定・スコアの表示をこのファイルにも書く（UTF-8）"),
    log_path: Optional[Path] = typer.Option(None, "--log", help="実行中の引き継ぎ記録の書き先（省略時はスイートと同じフォルダの logs/eval/handoff.jsonl。チームの logs/handoff.jsonl には書きません）"),
) -> None:
    """シナリオスイートを実行し、合格率と不合格の一覧を表示する。"""
    from rich.console import Console
    from rich.table import Table

    from aidojo.evals import SuiteError, TargetError, load_suite, run_suite
    from aidojo.fileio import atomic_write_bytes

    console = Console()
    try:
        loaded = load_suite(suite)
        log = log_path or loaded.base_dir / "logs" / "eval" / "handoff.jsonl"
        report = run_suite(loaded, target, api_name=api_name, repeat=repeat, log_path=log)
    except (SuiteError, TargetError) as exc:
        console.print(f"[red]エラー:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from None
    texts = []
    if go_live or repeat > 1:
        from aidojo.evals.golive import judge, render

        verdict = judge(report)
        texts.append(render(verdict, backend=_backend()))
    else:
        print(report.summary_line())
        if report.failed:
            table = Table(title=f"不合格 {len(report.failed)} 件", show_lines=True)
            for col in ("ID", "カテゴリ", "質問", "回答", "理由"):
                table.add_column(col, overflow="fold")
            for r in report.failed:
                answer = r.answer if len(r.answer) <= 80 else r.answer[:79] + "…"
                table.add_row(r.id, r.category, r.question, answer, "\n".join(r.failures))
            console.print(table)
    if show_scores:
        from aidojo.evals.scores import render_scores

        texts.append(render_scores(report))
    text = "\n".join(texts)
    if text:
        typer.echo(text, nl=False)
    if report_path and text:
        atomic_write_bytes(report_path, text.encode("utf-8"))
    if junit:
        report.write_junit(junit)
        console.print(f"JUnit XML: {junit}", highlight=False)
    if csv_path:
        report.write_csv(csv_path)
        console.print(f"CSV: {csv_path}", highlight=False)
    if go_live and not verdict.ok:
        raise typer.Exit(1)
    if report.pass_rate < min_pass_rate:
        console.print(f"[red]合格率 {report.pass_rate:.1%} が基準 {min_pass_rate:.0%} を下回りました[/red]", highlight=False)
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("eval")(eval_command)

"""CLI commands for aidojo.evals (registered by aidojo.cli): ``aidojo eval SUITE --target ...``."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def eval_command(
    suite: Path = typer.Argument(..., help="シナリオスイートの YAML ファイル"),
    target: Optional[str] = typer.Option(None, "--target", "-t", help="python:モジュールまたはファイル:関数 か Gradio アプリの URL（省略時はスイートの target:）"),
    api_name: str = typer.Option("/answer", "--api-name", help="Gradio アプリで呼ぶ API 名"),
    junit: Optional[Path] = typer.Option(None, "--junit", help="JUnit XML の出力先"),
    csv_path: Optional[Path] = typer.Option(None, "--csv", help="結果 CSV（Excel 向け UTF-8 BOM 付き）の出力先"),
    min_pass_rate: float = typer.Option(0.0, "--min-pass-rate", min=0.0, max=1.0, help="これ未満の合格率なら終了コード 1"),
) -> None:
    """シナリオスイートを実行し、合格率と不合格の一覧を表示する。"""
    from rich.console import Console
    from rich.table import Table

    from aidojo.evals import SuiteError, TargetError, load_suite, run_suite

    console = Console()
    try:
        loaded = load_suite(suite)
        report = run_suite(loaded, target, api_name=api_name)
    except (SuiteError, TargetError) as exc:
        console.print(f"[red]エラー:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from None
    print(report.summary_line())
    if report.failed:
        table = Table(title=f"不合格 {len(report.failed)} 件", show_lines=True)
        for col in ("ID", "カテゴリ", "質問", "回答", "理由"):
            table.add_column(col, overflow="fold")
        for r in report.failed:
            answer = r.answer if len(r.answer) <= 80 else r.answer[:79] + "…"
            table.add_row(r.id, r.category, r.question, answer, "\n".join(r.failures))
        console.print(table)
    if junit:
        report.write_junit(junit)
        console.print(f"JUnit XML: {junit}", highlight=False)
    if csv_path:
        report.write_csv(csv_path)
        console.print(f"CSV: {csv_path}", highlight=False)
    if report.pass_rate < min_pass_rate:
        console.print(f"[red]合格率 {report.pass_rate:.1%} が基準 {min_pass_rate:.0%} を下回りました[/red]", highlight=False)
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("eval")(eval_command)

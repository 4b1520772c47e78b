"""``aidojo demo``: run the whole training-to-HR path on a fresh course folder."""

from __future__ import annotations

from pathlib import Path

import typer


def demo(out: Path = typer.Option(Path("aidojo-demo"), "--out", help="出力先フォルダ（空のフォルダ）"),
         workers: int = typer.Option(2, help="採点の並列数")) -> None:
    """名簿取り込み→配布→3人の提出→並列採点→フィードバック→修了記録・修了証・ダッシュボードを一度に実行します。"""
    from aidojo.demo import run_demo

    if out.exists() and any(out.iterdir()):
        typer.echo(f"{out} は空ではありません。別のフォルダを指定してください。", err=True)
        raise typer.Exit(2)
    result = run_demo(out, workers=workers, echo=typer.echo)
    for name, path in result.files.items():
        typer.echo(f"  {name}: {path}")


def register(app: typer.Typer) -> None:
    """Add ``aidojo demo``."""
    app.command("demo")(demo)

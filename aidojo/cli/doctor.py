"""``aidojo doctor``: what is installed, which backend is configured, and whether it answers."""

from __future__ import annotations

import importlib.metadata
import time

import typer

PACKAGES = ["openai", "httpx", "nbgrader", "jupyterlab", "ipywidgets", "gradio", "gradio_client", "pandas",
            "matplotlib", "matplotlib-fontja", "bm25s", "pypdf", "reportlab", "openpyxl"]


def _version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def doctor(timeout: float = typer.Option(20.0, help="接続確認の待ち時間（秒）")) -> None:
    """環境を点検し、日本語で結果と対処法を表示します（問題があれば終了コード1）。"""
    from aidojo.llm import LLMError, chat, load_settings

    problems: list[str] = []
    typer.echo("AI道場 環境チェック")
    typer.echo("== インストール状況 ==")
    for name in PACKAGES:
        version = _version(name)
        if version:
            typer.echo(f"  ✅ {name} {version}")
        else:
            typer.echo(f"  ❌ {name} が入っていません")
            problems.append(f"{name} が入っていません。make start（または pip install -e .）をやり直してください。")
    typer.echo("== AIの接続先 ==")
    try:
        settings = load_settings()
    except LLMError as exc:
        typer.echo(f"  ❌ 設定エラー: {exc}")
        raise typer.Exit(1)
    for key, value in settings.describe().items():
        typer.echo(f"  {key}: {value}")
    if settings.provider == "offline":
        typer.echo("  （練習用オフラインモデル：キー不要・ネットワーク不要。本物のAIではありません）")
        import os

        if os.environ.get("OPENAI_API_KEY") and not os.environ.get("AIDOJO_PROVIDER"):
            typer.echo("  ℹ OPENAI_API_KEY はありますが AIDOJO_PROVIDER が未設定のため、オフラインモデルを使っています。"
                       "本物のAIを使うには AIDOJO_PROVIDER=openai を設定してください。")
    typer.echo("== 応答テスト ==")
    started = time.perf_counter()
    try:
        reply = chat("こんにちは。一言で自己紹介してください。", max_tokens=40, timeout=timeout)
        elapsed = time.perf_counter() - started
        typer.echo(f"  ✅ 応答あり（{elapsed:.2f} 秒）: {reply[:60].strip()}")
    except LLMError as exc:
        typer.echo(f"  ❌ 応答なし: {exc}")
        problems.append(str(exc))
    typer.echo("== 結果 ==")
    if problems:
        for p in problems:
            typer.echo(f"  ・{p}")
        raise typer.Exit(1)
    typer.echo("  問題ありません。")


def register(app: typer.Typer) -> None:
    """Add ``aidojo doctor``."""
    app.command("doctor")(doctor)

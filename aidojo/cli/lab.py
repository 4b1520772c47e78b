"""``aidojo lab``: JupyterLab on the learner's own folder, in Japanese (what ``make start`` runs in the checkout)."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import typer


def repo_root() -> Path:
    """The kit's checkout (the folder holding grader/ with nbgrader_config.py)."""
    return Path(__file__).resolve().parents[2]


def lab(
    directory: Path = typer.Option(None, "--dir", help="開くフォルダ（省略すると今いるフォルダ）"),
    port: int = typer.Option(8888, envvar="AIDOJO_PORT", help="ポート番号"),
    ip: str = typer.Option("127.0.0.1", envvar="AIDOJO_IP", help="待ち受けるアドレス"),
    token: str = typer.Option("", envvar="AIDOJO_TOKEN", help="アクセス用トークン（空なら自動生成）"),
    trainer: bool = typer.Option(False, "--trainer", help="研修担当用（nbgraderの作成・採点ツールを表示）"),
    open_browser: bool = typer.Option(False, "--open-browser/--no-browser", help="ブラウザを開く"),
) -> None:
    """JupyterLab を日本語で起動し、開くURLを表示します（今いるフォルダ、または --dir のフォルダ）。"""
    from aidojo.lab import lab_settings

    root = (directory or Path.cwd()).expanduser().resolve()
    if not root.is_dir():
        typer.echo(f"フォルダが見つかりません：{root}", err=True)
        raise typer.Exit(2)
    settings = lab_settings(instructor=trainer)
    token = token or secrets.token_hex(16)
    env = {**os.environ, **settings.env}
    env.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    if trainer and (repo_root() / "grader").is_dir():
        # nbgrader (formgrader) finds grader/nbgrader_config.py through the Jupyter config path.
        env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
            p for p in (str(repo_root() / "grader"), env.get("JUPYTER_CONFIG_PATH", "")) if p)
    url = f"http://{ip}:{port}/lab?token={token}"
    provider = env.get("AIDOJO_PROVIDER") or "offline"
    typer.echo("")
    typer.echo("AI道場 ワークショップ環境を起動します。" + ("（研修担当用）" if trainer else ""))
    typer.echo(f"  開くフォルダ: {root}")
    typer.echo(f"  AIの接続先: {provider}（設定は .env で変更できます。詳しくは aidojo doctor）")
    typer.echo(f"  ブラウザでこのURLを開いてください: {url}")
    typer.echo("  止めるときは Ctrl+C を2回押します。")
    typer.echo("")
    sys.stdout.flush()
    cmd = [
        sys.executable, "-m", "jupyterlab",
        f"--ServerApp.ip={ip}", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        "--ServerApp.open_browser=" + ("True" if open_browser else "False"),
        *settings.args,
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # containers and CI machines often run as root
    os.chdir(root)
    os.execvpe(cmd[0], cmd, env)


def register(app: typer.Typer) -> None:
    """Add ``aidojo lab``."""
    app.command("lab")(lab)

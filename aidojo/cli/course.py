"""CLI commands for aidojo.course (registered by aidojo.cli): release, submit, collect, autograde, feedback."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

DB_URL_HELP = "成績データベースのURL（省略時は AIDOJO_DB_URL か 採点データフォルダの gradebook.db）"


def _layout(source_dir: Optional[Path] = None, db_url: Optional[str] = None):
    from aidojo.course.layout import resolve_layout

    return resolve_layout(None, source_dir=source_dir, db_url=db_url)


def release_cmd(modules: Optional[List[str]] = typer.Argument(None, help="モジュール（省略時は全部）例: m01 m02"),
                exchange: bool = typer.Option(False, "--exchange", help="nbgrader の exchange にも配布する（JupyterHub）")) -> None:
    """solutions/ から受講者用の exercises/ を作り直します（模範解答・非公開テストが漏れるなら中止）。"""
    from aidojo.course import ReleaseError, release, release_to_exchange

    try:
        written = release(modules or None)
    except (ReleaseError, FileNotFoundError, RuntimeError) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1)
    for path in written:
        typer.echo(f"作成しました: {path}")
    if exchange:
        release_to_exchange(modules or None)
        typer.echo("exchange に配布しました。")


def submit_cmd(module: str = typer.Argument(..., help="提出するモジュール 例: m01"),
               staff_id: Optional[str] = typer.Option(None, "--staff-id", help="あなたの職員番号 例: k12345（JupyterHub では省略可: ログイン名を使います）"),
               folder: Optional[Path] = typer.Option(None, "--dir", help="ノートブックのあるフォルダ（省略時は今いるフォルダ。なければ ./MODULE/）"),
               out: Optional[Path] = typer.Option(None, "--out", help="作る zip（省略時は ./職員番号_モジュール.zip）"),
               exchange: bool = typer.Option(False, "--exchange", help="zip を作らず nbgrader の exchange に提出する（JupyterHub）")) -> None:
    """今いるフォルダの課題ノートブックを提出用 zip にまとめます（先にAPIキーが入っていないか調べます）。"""
    from aidojo.course.submission import SubmissionError, pack_submission, submit_to_exchange

    try:
        if exchange:
            packed = submit_to_exchange(module, staff_id, work_dir=folder)
        elif not staff_id:
            raise SubmissionError("--staff-id で自分の職員番号を指定してください（例: aidojo submit m01 --staff-id k12345）。")
        else:
            packed = pack_submission(module, staff_id, work_dir=folder, out=out)
    except SubmissionError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    for nb in packed.notebooks:
        typer.echo(f"提出したノートブック: {nb.source}（最終保存 {nb.saved.astimezone():%Y-%m-%d %H:%M}）")
    for warning in packed.warnings:
        typer.echo(f"注意: {warning}")
    if packed.path is None:
        typer.echo(f"{packed.staff_id} の {module} を exchange に提出しました。")
    else:
        typer.echo(f"提出ファイルを作りました: {packed.path}\nこのファイルを研修担当に渡してください（メール添付・共有フォルダなど）。")


def _roster_ids() -> set[str]:
    """Staff ids of everyone in the imported roster (those who left included: their work is still theirs)."""
    from aidojo.records.roster import load_roster

    return set(load_roster().people)


def collect_cmd(zip_file: Optional[Path] = typer.Option(None, "--zip", help="提出 zip（aidojo submit の zip、またはそれをまとめた zip）"),
                folder: Optional[Path] = typer.Option(None, "--folder", help="提出 zip や 職員番号/モジュール/*.ipynb を置いたフォルダ"),
                exchange: bool = typer.Option(False, "--exchange", help="nbgrader の exchange から集める（JupyterHub）"),
                modules: Optional[List[str]] = typer.Option(None, "--module", help="取り込むモジュール（繰り返し可。省略時は全部）"),
                max_mb: Optional[float] = typer.Option(None, "--max-mb", help="ノートブック1つの上限（MB、既定 5）"),
                allow_unknown: bool = typer.Option(False, "--allow-unknown", help="名簿にない職員番号の提出も受け付ける（本人と確かめてから）")) -> None:
    """受講者の提出を採点データフォルダに集めます（問題のある提出はレポートに1行ずつ。処理は止めません）。"""
    from aidojo.course import collect_exchange, collect_folder, collect_zip

    if sum(x is not None and x is not False for x in (zip_file, folder, exchange or None)) != 1:
        typer.echo("--zip FILE、--folder DIR、--exchange のどれか1つを指定してください。", err=True)
        raise typer.Exit(2)
    known = _roster_ids()
    if not known and not allow_unknown:
        typer.echo("職員名簿がまだ取り込まれていないため、提出の職員番号が本当に職員のものか確かめられません。\n"
                   "先に `aidojo roster import 職員名簿.csv` で名簿を取り込むか、名簿なしで取り込むなら --allow-unknown を付けてください。",
                   err=True)
        raise typer.Exit(2)
    ids = known or None
    max_bytes = int(max_mb * 1024 * 1024) if max_mb else None
    if zip_file:
        report = collect_zip(zip_file, modules=modules, max_bytes=max_bytes, known_ids=ids, allow_unknown=allow_unknown)
    elif folder:
        report = collect_folder(folder, modules=modules, max_bytes=max_bytes, known_ids=ids, allow_unknown=allow_unknown)
    else:
        report = collect_exchange(modules, max_bytes=max_bytes, known_ids=ids, allow_unknown=allow_unknown)
    typer.echo(report.text())
    if not report.accepted and not report.unchanged:
        raise typer.Exit(1)


def autograde_cmd(modules: Optional[List[str]] = typer.Argument(None, help="モジュール（省略時は提出のある全部）"),
                  workers: int = typer.Option(2, "--workers", "-j", help="同時に採点する数（CPUコア数まで）"),
                  dask_scheduler: Optional[str] = typer.Option(None, "--dask-scheduler", help="Dask クラスタのアドレス 例: tcp://10.0.0.5:8786"),
                  db_url: Optional[str] = typer.Option(None, "--db-url", help=DB_URL_HELP),
                  force: bool = typer.Option(False, "--force", help="変更のない提出も採点し直す"),
                  student: Optional[List[str]] = typer.Option(None, "--student", help="この職員番号だけ採点（繰り返し可）"),
                  cell_timeout: Optional[int] = typer.Option(None, "--cell-timeout", help="1セルの制限時間（秒、既定 30）"),
                  no_sandbox: bool = typer.Option(False, "--no-sandbox", help="サンドボックスを使わない（危険を承知のときだけ。レポートに記録されます）")) -> None:
    """提出を並列で自動採点し、成績データベースに記録します（受講者のコードはサンドボックス内で実行）。"""
    from aidojo.course import SandboxError, autograde

    try:
        report = autograde(modules or None, workers=workers, dask_scheduler=dask_scheduler, db_url=db_url, force=force,
                           students=student or None, cell_timeout=cell_timeout, sandbox=not no_sandbox)
    except SandboxError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2)
    typer.echo(report.text())
    from aidojo.records.roster import sync_student_names  # the roster's names for students autograde created

    try:
        named = sync_student_names(_layout(db_url=db_url).db_url)
    except Exception as exc:  # grading is done and recorded; only the names are missing
        typer.echo(f"注意: 名簿の氏名を成績DBに入れられませんでした（{type(exc).__name__}: {exc}）。", err=True)
    else:
        if named:
            typer.echo(f"成績DBの受講者 {named} 人に名簿の氏名を入れました。")
    if report.failures or report.find(level="error"):
        raise typer.Exit(1)


def feedback_cmd(modules: Optional[List[str]] = typer.Argument(None, help="モジュール（省略時は採点済みの全部）"),
                 student: Optional[List[str]] = typer.Option(None, "--student", help="この職員番号だけ（繰り返し可）"),
                 db_url: Optional[str] = typer.Option(None, "--db-url", help=DB_URL_HELP),
                 workers: int = typer.Option(2, "--workers", "-j", help="同時に作る数（CPUコア数まで）"),
                 exchange: bool = typer.Option(False, "--exchange", help="作ったあと nbgrader の exchange で受講者に返す（JupyterHub）")) -> None:
    """受講者ごとの採点結果ページ（HTML、日本語）を並列で作ります。非公開の確認用データの中身は表示しません。"""
    from aidojo.course import generate_feedback

    report = generate_feedback(modules or None, students=student or None, db_url=db_url, workers=workers)
    typer.echo(report.text())
    typer.echo(f"出力先: {_layout(db_url=db_url).feedback_dir}")
    problems = bool(report.find(level="error"))
    if exchange:
        from aidojo.hub.exchange import return_feedback

        for module in sorted({p.parent.name for p in report.files}):
            returned = return_feedback(module, layout=_layout(db_url=db_url), students=student or None)
            typer.echo(f"{module}: {len(returned.returned)} 人に返しました")
            for problem in returned.problems:
                typer.echo(f"  {problem}", err=True)
            problems = problems or bool(returned.problems)
    if problems:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("release")(release_cmd)
    app.command("submit")(submit_cmd)
    app.command("collect")(collect_cmd)
    app.command("autograde")(autograde_cmd)
    app.command("feedback")(feedback_cmd)

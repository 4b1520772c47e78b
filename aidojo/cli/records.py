"""CLI commands for aidojo.records (registered by aidojo.cli): ``aidojo roster …`` and ``aidojo records …``."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

roster_app = typer.Typer(help="職員名簿（人事課のCSV/Excel）の取り込みと確認", no_args_is_help=True)
records_app = typer.Typer(help="修了記録: 一覧の出力、修了証、KPIダッシュボード", no_args_is_help=True)

DB_URL_HELP = "成績データベースのURL（省略時は AIDOJO_DB_URL か 採点データフォルダの gradebook.db）"


def _fail(exc: Exception) -> None:
    typer.echo(str(exc), err=True)
    raise typer.Exit(1)


@roster_app.command("import")
def roster_import(
    file: Path = typer.Argument(..., help="名簿ファイル（CSV: UTF-8/BOM付き/Shift_JIS、または .xlsx）"),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="基準日 YYYY-MM-DD（異動・退職の日付。省略時は今日）"),
    allow_many_leavers: bool = typer.Option(False, "--allow-many-leavers",
                                            help="在籍者の2割を超える人が名簿から消えても取り込む"),
    db_url: Optional[str] = typer.Option(None, "--db-url", help=DB_URL_HELP),
) -> None:
    """名簿を取り込みます（全件を検査してから一度に反映。問題があれば何も変更しません）。"""
    from aidojo.records import RosterError, import_roster

    try:
        result = import_roster(file, as_of=as_of, allow_many_leavers=allow_many_leavers, db_url=db_url)
    except (RosterError, ValueError) as exc:
        _fail(exc)
    typer.echo(result.summary_ja())


@roster_app.command("show")
def roster_show(
    staff_id: Optional[str] = typer.Argument(None, help="職員番号（指定するとその人の履歴を表示）"),
    limit: int = typer.Option(20, help="表示する人数（0 で全員）"),
) -> None:
    """名簿の状況（局ごとの在籍人数）と職員の一覧、または1人の履歴を表示します。"""
    from collections import Counter

    from aidojo.records import load_roster, roster_history

    if staff_id:
        entries = roster_history(staff_id)
        if not entries:
            _fail(ValueError(f"職員番号 {staff_id} は名簿にありません。"))
        for e in entries:
            until = e.valid_to or "現在"
            typer.echo(f"{e.valid_from} 〜 {until}  {e.event:<3} {e.status} {e.name} "
                       f"{' '.join(p for p in (e.bureau, e.division, e.section) if p)} {e.role}")
        return
    roster = load_roster()
    if not roster.people:
        typer.echo("名簿はまだ取り込まれていません（aidojo roster import FILE）。")
        return
    active = roster.active()
    typer.echo(f"名簿の基準日 {roster.last_import}: 在籍 {len(active)} 人、退職 {len(roster) - len(active)} 人")
    for bureau, count in sorted(Counter(p.bureau for p in active).items()):
        typer.echo(f"  {bureau}: {count} 人")
    shown = active if limit == 0 else active[:limit]
    for p in shown:
        typer.echo(f"{p.staff_id}\t{p.name}\t{p.department}\t{p.role}")
    if len(shown) < len(active):
        typer.echo(f"…ほか {len(active) - len(shown)} 人（--limit 0 で全員）")


@records_app.command("export")
def records_export(
    out: Path = typer.Option(..., "--out", help="出力ファイル"),
    fmt: Optional[str] = typer.Option(None, "--format", help="xlsx | csv | json（省略時は --out の拡張子）"),
    summary: bool = typer.Option(False, "--summary", help="課ごとの集計（人数・修了者数・修了率）を出力"),
    not_completed: Optional[str] = typer.Option(None, "--not-completed", metavar="TRACK",
                                                help="このコースの未修了者と不足している単元の一覧を出力"),
    db_url: Optional[str] = typer.Option(None, "--db-url", help=DB_URL_HELP),
) -> None:
    """修了状況を1人1行で出力します（Excel・CSV・JSON）。"""
    from aidojo.records import ExportError, compute_records, export_records

    if summary and not_completed:
        _fail(ValueError("--summary と --not-completed は同時に指定できません。"))
    table = "summary" if summary else ("not_completed" if not_completed else "people")
    try:
        records = compute_records(db_url)
        path = export_records(records, out, fmt or (None if out.suffix else "xlsx"), table=table, track=not_completed)
    except ExportError as exc:
        _fail(exc)
    typer.echo(f"{path} に出力しました（{len(records.people)} 人分の記録から）。")


@records_app.command("certificates")
def records_certificates(
    track: str = typer.Option(..., "--track", help="コース（executive / basic / builder）"),
    out: Path = typer.Option(..., "--out", help="PDF を書き出すフォルダ"),
    issuer: Optional[str] = typer.Option(None, "--issuer", help="発行者名（修了証の末尾）"),
    db_url: Optional[str] = typer.Option(None, "--db-url", help=DB_URL_HELP),
) -> None:
    """修了者ごとに修了証（PDF）を作ります。番号は一度発行すると変わりません。"""
    from aidojo.records import CertificateError, compute_records, write_certificates
    from aidojo.records.certificates import DEFAULT_ISSUER

    try:
        records = compute_records(db_url)
        written = write_certificates(records, track, out, issuer=issuer or DEFAULT_ISSUER)
    except CertificateError as exc:
        _fail(exc)
    typer.echo(f"{out} に修了証 {len(written)} 枚と 修了証一覧.csv を出力しました。")
    undated = [p.staff_id for p in records.completers(track) if p.tracks[track].date is None]
    if undated:
        typer.echo(f"注意: 提出日時（nbgrader の timestamp.txt）がないため修了日が決まらず、修了証を作れなかった人が "
                   f"{len(undated)} 人います: {', '.join(undated[:20])}", err=True)


@records_app.command("dashboard")
def records_dashboard(
    out: Path = typer.Option(Path("report.html"), "--out", help="出力する HTML ファイル"),
    db_url: Optional[str] = typer.Option(None, "--db-url", help=DB_URL_HELP),
) -> None:
    """KPI ダッシュボード（1ファイルで完結する HTML）を作ります。"""
    from aidojo.records import compute_kpis, compute_records, write_dashboard

    records = compute_records(db_url)
    write_dashboard(records, out)
    k = compute_kpis(records)
    typer.echo(f"{out} を作りました。基礎コース修了率 {k.basic_rate:.1%}（目標 {k.config.basic_completion_goal:.0%}）、"
               f"AI人材 {k.builder_completed} 人（目標 {k.config.builder_goal} 人）、"
               f"課のカバー率 {k.section_coverage:.1%}（目標 {k.config.section_coverage_goal:.0%}）")


def register(app: typer.Typer) -> None:
    """Add ``aidojo roster`` and ``aidojo records`` to the main app."""
    app.add_typer(roster_app, name="roster")
    app.add_typer(records_app, name="records")

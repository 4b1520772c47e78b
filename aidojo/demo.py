"""``aidojo demo``: the whole path on a clean course folder, for trainers, HR and the end-to-end test.

roster import → release → three simulated learners submit (right, partly right, broken) with
``aidojo submit`` packages → collect → parallel autograde → feedback → export, certificates, dashboard.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

MODULES = ["m01", "m02", "m03"]
# Fictional staff of みどり市 (the roster HR would send, in Excel's Shift_JIS/cp932 with an IBM-extension kanji).
ROSTER = [
    ("k20001", "髙橋 さくら", "総務局", "人事部", "人事課", "一般", "right"),
    ("k20002", "山﨑 健太", "市民局", "区政部", "市民課", "一般", "partial"),
    ("k20003", "佐藤 直樹", "環境局", "資源循環部", "ごみ減量推進課", "幹部", "broken"),
    ("k20004", "中村 美咲", "市民局", "区政部", "市民課", "一般", None),
    ("k20005", "小林 大輔", "総務局", "人事部", "職員課", "一般", None),
]


@dataclass
class DemoResult:
    """Where the demo wrote its outputs, and the reports of each step."""

    out_dir: Path
    course_dir: Path
    files: dict[str, Path] = field(default_factory=dict)
    reports: dict[str, object] = field(default_factory=dict)


def roster_csv_bytes() -> bytes:
    """The demo roster as Excel writes it: cp932 with CRLF."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(["職員番号", "氏名", "所属局", "所属部", "所属課", "役職区分"])
    for row in ROSTER:
        writer.writerow(row[:6])
    return buf.getvalue().encode("cp932")


def run_demo(out_dir: Path, *, workers: int = 2, progress: bool = True, echo=print) -> DemoResult:
    """Run the whole path into ``out_dir`` (its own course data folder: nothing else is touched)."""
    out_dir = Path(out_dir).resolve()
    course_dir = out_dir / "course"
    os.environ["AIDOJO_COURSE_DIR"] = str(course_dir)  # the rest of the kit reads it
    course_dir.mkdir(parents=True, exist_ok=True)
    from aidojo.course import autograde, collect_folder, generate_feedback, package_submission, release
    from aidojo.course.layout import CourseLayout
    from aidojo.course.simulate import write_learner
    from aidojo.records import compute_records, export_records, import_roster, write_certificates, write_dashboard

    result = DemoResult(out_dir, course_dir)
    layout = CourseLayout(data_dir=course_dir, release_dir=out_dir / "release")

    echo("1/7 名簿の取り込み（cp932 のCSV）")
    roster = out_dir / "職員名簿.csv"
    roster.write_bytes(roster_csv_bytes())
    result.reports["roster"] = import_roster(roster)

    echo("2/7 課題の配布（solutions/ から生成し、模範解答や非公開テストが漏れていないか確認）")
    release(MODULES, layout=layout)

    echo("3/7 受講者3人の提出（正解・一部正解・壊れた提出）を aidojo submit の形式で作成")
    inbox = out_dir / "提出"
    inbox.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="aidojo-demo-") as tmp:
        for staff_id, *_rest, kind in ROSTER:
            if kind is None:
                continue
            for module in MODULES:
                work = write_learner(Path(tmp) / staff_id / module, module, kind, layout=layout)
                package_submission(module, staff_id, work_dir=work, out=inbox / f"{staff_id}_{module}.zip", layout=layout)

    echo("4/7 提出の回収")
    result.reports["collect"] = report = collect_folder(inbox, layout=layout)
    echo(report.text())

    echo(f"5/7 自動採点（{workers} 並列）")
    result.reports["autograde"] = report = autograde(MODULES, workers=workers, layout=layout, progress=progress)
    echo(report.text())

    echo("6/7 フィードバック（日本語HTML、非公開テストは表示しない）")
    result.reports["feedback"] = report = generate_feedback(MODULES, layout=layout)
    echo(report.text())

    echo("7/7 人事課向け：修了状況（Excel/CSV）、修了証PDF、KPIダッシュボード")
    records = compute_records(layout.db_url)
    reports_dir = out_dir / "人事課"
    result.files["xlsx"] = export_records(records, reports_dir / "修了状況.xlsx", "xlsx")
    result.files["csv"] = export_records(records, reports_dir / "修了状況.csv", "csv")
    result.files["summary"] = export_records(records, reports_dir / "課別集計.csv", "csv", table="summary")
    result.files["not_completed"] = export_records(records, reports_dir / "未修了者.csv", "csv", table="not_completed",
                                                   track="basic")
    result.files["certificates"] = reports_dir / "修了証"
    write_certificates(records, "basic", result.files["certificates"])
    result.files["dashboard"] = reports_dir / "kpi.html"
    write_dashboard(records, result.files["dashboard"])
    result.reports["records"] = records
    echo(f"完了: {out_dir}")
    return result

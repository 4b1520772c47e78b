"""End to end in headless Chromium: the ごみ分別案内 template answers with a cited row and hands off
for an unknown item (Debian's chromium driven by Playwright; no browser download)."""

from __future__ import annotations

from pathlib import Path

import pytest

from aidojo.hackathon.testing import launched, load_app
from tests.conftest import require

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.server
def test_gomi_guide_in_headless_chromium(tmp_path):
    require(CHROMIUM.exists(), "Debian の chromium パッケージ（/usr/bin/chromium）がありません")
    sync_api = pytest.importorskip("playwright.sync_api")
    app = load_app(REPO / "hackathon_templates" / "gomi_guide" / "app.py")
    app.policy.log_path = tmp_path / "handoff.jsonl"
    with launched(app.build_ui()) as url, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(locale="ja-JP", viewport={"width": 1100, "height": 900})
            page.goto(url)
            page.get_by_label("質問").fill("スプレー缶は何ごみですか")
            page.get_by_role("button", name="調べる").click()
            answer = page.locator("#answer")
            answer.get_by_text("ID-1748").wait_for(timeout=20_000)
            assert "「危険」" in answer.inner_text()
            assert "ごみ分別表の行を出典" in page.locator("#status").inner_text()
            assert "CC BY 2.1 JP" in page.locator("#attribution").inner_text()
            page.screenshot(path="/tmp/aidojo_gomi_answer.png", full_page=True)

            page.get_by_label("質問").fill("ロケットエンジンの捨て方を教えてください")
            page.get_by_role("button", name="調べる").click()
            page.locator("#status").get_by_text("市の担当課におつなぎします").wait_for(timeout=20_000)
            assert "市の担当課にお問い合わせください" in answer.inner_text()
            assert "受付番号" in page.locator("#status").inner_text()  # a case number the citizen can quote
            assert "ID-" not in answer.inner_text()
            page.screenshot(path="/tmp/aidojo_gomi_handoff.png", full_page=True)
        finally:
            browser.close()
    assert app.policy.log_path.read_text(encoding="utf-8").count('"handoff": true') == 1

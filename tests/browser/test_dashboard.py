"""The dashboard in a real headless Chromium against a real worker on the real broker.

It loads /dashboard, finds the three dyads with their levels (as the API reports them), sees
an alert appear live after new articles are produced (no reload), and finds an event whose
evidence sentence, outlet and link carry markup and a javascript: URL rendered as inert text.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaProducer
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from streams.demo import produce_articles
from streams.lag import wait_caught_up
from streams.settings import Settings
from streams.tagging import Tagger
from tests.integration.independent import decode, encode
from tests.integration.test_pipeline import read_topic
from tests.integration.webclient import base_url, get, sample_articles, wait_until, with_web

pytestmark = [pytest.mark.broker, pytest.mark.browser, pytest.mark.slow]

HOSTILE_SENTENCE = ('<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> '
                    "Israel and Albania sign a cyber pact")
HOSTILE_OUTLET = '<b onmouseover="window.__pwned = 4">outlet</b>'
HOSTILE_URL = "javascript:window.__pwned = 3"


def hostile_event(settings: Settings) -> dict[str, Any]:
    """A valid TaggedEvent for ALB-ISR whose text fields carry markup (as a foreign producer might write)."""
    article = sample_articles(lambda i: i == "s-2022-10-23-rama-in-israel")[0]
    event = next(e for e in Tagger.from_settings(settings).tag(article) if e["dyad"] == "ALB-ISR")
    return {**event, "event_id": "hostile-0001", "event_time": datetime(2022, 7, 1, 12, tzinfo=UTC),
            "evidence": {"sentence": HOSTILE_SENTENCE, "spans": []}, "outlet": HOSTILE_OUTLET, "url": HOSTILE_URL}


def alert_keys(settings: Settings) -> set[tuple[str, int]]:
    """(alert_id, revision) of every alert on the topic: a correction re-emits an id with a new revision."""
    return {(a["alert_id"], a["revision"]) for a in (decode(m.value)[1] for m in read_topic(settings, "alerts"))}


# The page redraws lists as data arrives: read what it shows in one script call, not element by element.
def shown_alerts(driver: Any) -> set[tuple[str, int]]:
    rows = driver.execute_script(
        "return [...document.querySelectorAll('#alerts li')].map(li => [li.dataset.alertId, li.dataset.revision])")
    return {(alert_id, int(revision)) for alert_id, revision in rows}


def shown_cards(driver: Any) -> dict[str, Any]:
    return driver.execute_script("""
        const out = {};
        for (const card of document.querySelectorAll('article.dyad')) {
          out[card.dataset.dyad] = {level: card.querySelector('.level').textContent,
                                    index: card.querySelector('.index-value').textContent,
                                    lines: card.querySelectorAll('svg.chart path.index-line').length};
        }
        return out;""")


def test_dashboard_live_levels_alerts_and_inert_markup(
    make_settings: Callable[..., Settings], worker_factory: Callable[[Settings], Any], browser: Any, tmp_path: Path,
) -> None:
    settings = with_web(make_settings())
    # Before: July and August 2022 (the cyberattack and its attribution), plus the hostile event.
    produce_articles(settings, sample_articles(lambda i: i.startswith(("s-2022-07", "s-2022-08"))))
    producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap)
    producer.send(settings.topic("events"), key=b"ALB-ISR", value=encode("TaggedEvent", hostile_event(settings)))
    producer.flush()
    producer.close()
    worker = worker_factory(settings)
    alive = lambda: worker.poll() is None  # noqa: E731
    topics = [settings.topic("news_raw"), settings.topic("events")]
    assert wait_caught_up(settings, settings.app.id, topics, timeout_s=120,
                          on_poll=lambda lag: alive() or pytest.fail("the worker exited"))
    wait_until(lambda: get(settings, "/healthz")[1]["views_caught_up"], 60, "the read models", alive)
    time.sleep(1.5)  # the read models poll once a second: let the last snapshots in
    before = alert_keys(settings)

    browser.get(base_url(settings) + "/dashboard")
    wait = WebDriverWait(browser, 30)
    wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-loaded") == "true")
    wait.until(lambda d: d.find_element(By.ID, "connection").text == "live")

    # The three dyads, each with the level the API reports.
    rows = {r["dyad"]: r for r in get(settings, "/api/dyads")[1]["dyads"]}
    assert shown_cards(browser) == {
        dyad: {"level": row["level"], "index": f"{row['tension_index']:.1f}", "lines": 1 if row["snapshots"] else 0}
        for dyad, row in rows.items()}
    assert sorted(rows) == ["ALB-IRN", "ALB-ISR", "IRN-ISR"]
    assert shown_alerts(browser) == before

    # Markup in record text stays text: no script ran, no javascript: link was made.
    hostile = browser.execute_script("""
        const li = document.querySelector('article.dyad[data-dyad="ALB-ISR"] li[data-event-id="hostile-0001"]');
        return li && {sentence: li.querySelector('.sentence').textContent,
                      outlet: li.querySelector('.outlet').textContent, links: li.querySelectorAll('a').length};""")
    assert hostile == {"sentence": HOSTILE_SENTENCE, "outlet": HOSTILE_OUTLET, "links": 0}
    assert browser.find_elements(By.CSS_SELECTOR, "main script, main img, main b") == []
    assert browser.execute_script("return typeof window.__pwned") == "undefined"

    # Live: September 2022 (Albania cuts ties with Iran) arrives; a new alert shows up without reload.
    browser.execute_script("window.__same_page = true")
    produce_articles(settings, sample_articles(lambda i: i.startswith("s-2022-09")))
    WebDriverWait(browser, 90).until(lambda d: shown_alerts(d) - before)
    assert wait_caught_up(settings, settings.app.id, topics, timeout_s=120,
                          on_poll=lambda lag: alive() or pytest.fail("the worker exited"))
    # Once everything is in, the page shows what the API shows (the newest 30), without a reload.
    api_keys = lambda: {(a["alert_id"], a["revision"]) for a in get(settings, "/api/alerts?limit=30")[1]["alerts"]}  # noqa: E731
    WebDriverWait(browser, 60).until(lambda d: shown_alerts(d) == api_keys())
    assert browser.execute_script("return window.__same_page") is True
    after = alert_keys(settings)
    assert after - before and shown_alerts(browser) - before <= after - before
    fresh = browser.execute_script(
        "return [...document.querySelectorAll('#alerts li.fresh')].map(li => [li.dataset.alertId, li.dataset.revision, li.dataset.dyad])")
    assert len(fresh) == 1
    assert (fresh[0][0], int(fresh[0][1])) in after - before and fresh[0][2] == "ALB-IRN"
    assert browser.execute_script("return typeof window.__pwned") == "undefined"

    shot = tmp_path / "dashboard.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000

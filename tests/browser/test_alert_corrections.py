"""The dashboard shows a corrected alert as corrected, the one it replaces as superseded, and a
retraction as such, live, from records on tension.alerts (a real worker, broker and Chromium)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from kafka import KafkaProducer
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from streams.indicators import IndicatorEngine
from streams.indicators.engine import to_ms
from streams.settings import Settings
from tests.integration.independent import encode
from tests.integration.webclient import base_url, get, wait_until, with_web
from tests.unit.indicators.fixtures import T0, days, make_event

pytestmark = [pytest.mark.broker, pytest.mark.browser, pytest.mark.slow]


def alerts_chain(settings: Settings) -> list[dict[str, Any]]:
    """RAISED, then CORRECTED, then RETRACTED for one (dyad, as_of), as the engine writes them."""
    engine = IndicatorEngine(settings.indicators)
    state = engine.new_state("ALB-IRN")
    update = engine.apply(state, make_event("c1", T0, cameo="195", goldstein=-10.0, num_sources=40),
                          to_ms(T0 + days(1)))
    snapshot = update.snapshots[-1]
    raised = {**engine.alert_for(snapshot, "CALM"), "to_level": "ELEVATED", "alert_id": "step-raised"}
    corrected = {**raised, "alert_id": "step-corrected", "to_level": "HIGH", "status": "CORRECTED",
                 "replaces": "step-raised", "correction": 1, "revision": raised["revision"] + 2}
    retracted = {**raised, "alert_id": "step-retracted", "from_level": "HIGH", "to_level": "HIGH",
                 "status": "RETRACTED", "replaces": "step-corrected", "correction": 2,
                 "revision": raised["revision"] + 4}
    return [raised, corrected, retracted]


def shown(driver: Any) -> dict[str, dict[str, str]]:
    return driver.execute_script("""
        const out = {};
        for (const li of document.querySelectorAll('#alerts li')) {
          out[li.dataset.alertId] = {status: li.dataset.status, superseded: li.dataset.superseded,
                                     notes: [...li.querySelectorAll('.alert-status')].map(n => n.textContent.trim())};
        }
        return out;""")


def send(settings: Settings, alerts: list[dict[str, Any]]) -> None:
    producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap)
    for alert in alerts:
        producer.send(settings.topic("alerts"), key=alert["dyad"].encode(), value=encode("EscalationAlert", alert))
    producer.flush()
    producer.close()


def test_corrections_and_retractions_are_shown_as_such(
    make_settings: Callable[..., Settings], worker_factory: Callable[[Settings], Any], browser: Any,
) -> None:
    settings = with_web(make_settings())
    raised, corrected, retracted = alerts_chain(settings)
    send(settings, [raised, corrected])
    worker = worker_factory(settings)
    alive = lambda: worker.poll() is None  # noqa: E731
    wait_until(lambda: len(get(settings, "/api/alerts")[1]["alerts"]) == 2, 120, "the two alerts", alive)

    browser.get(base_url(settings) + "/dashboard")
    wait = WebDriverWait(browser, 30)
    wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-loaded") == "true")
    wait.until(lambda d: d.find_element(By.ID, "connection").text == "live")
    assert shown(browser) == {
        "step-raised": {"status": "RAISED", "superseded": "true", "notes": ["superseded by a correction"]},
        "step-corrected": {"status": "CORRECTED", "superseded": "false", "notes": ["corrected"]},
    }

    # Live, without a reload: the retraction arrives and supersedes the correction.
    send(settings, [retracted])
    WebDriverWait(browser, 60).until(lambda d: "step-retracted" in shown(d))
    assert shown(browser) == {
        "step-raised": {"status": "RAISED", "superseded": "true", "notes": ["superseded by a correction"]},
        "step-corrected": {"status": "CORRECTED", "superseded": "true",
                           "notes": ["corrected", "superseded by a correction"]},
        "step-retracted": {"status": "RETRACTED", "superseded": "false",
                           "notes": ["retracted: no level change at this step any more"]},
    }

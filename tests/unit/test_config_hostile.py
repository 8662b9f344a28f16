"""Hostile or mistaken config files: every one stops loading with one line naming file and key.

The worker loads ``config/`` with :func:`load_settings` and compiles ``actors.yaml`` and
``events.yaml`` with :meth:`Tagger.from_settings` before it consumes anything, so both are the
gate. A typo must not be ignored silently (a misspelt section would quietly turn a rule off),
a wrong type must not crash later inside an agent, and a YAML tag that would construct a Python
object must never be honoured.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from streams.errors import ConfigError
from streams.settings import PACKAGE_ROOT, load_settings
from streams.tagging import Tagger


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    target = tmp_path / "config"
    shutil.copytree(PACKAGE_ROOT / "config", target)
    return target


def load_all(config_dir: Path) -> None:
    """What a worker does before consuming: settings, then the compiled tagger."""
    Tagger.from_settings(load_settings(config_dir, env={}))


def rejected(config_dir: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_all(config_dir)
    message = str(info.value)
    assert "\n" not in message
    return message


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


# ------------------------------------------------------------------ tags that construct objects

CONSTRUCTING_TAGS = [
    "!!python/object/apply:os.system ['touch {marker}']",
    "!!python/object/new:subprocess.Popen [['touch', '{marker}']]",
    "!!python/name:os.system",
    "!!python/module:os",
]


@pytest.mark.parametrize("file", ["pipeline.yaml", "actors.yaml", "events.yaml", "indicators.yaml"])
@pytest.mark.parametrize("tag", CONSTRUCTING_TAGS)
def test_object_constructing_tags_are_refused_in_every_file(config_dir: Path, tmp_path: Path, file: str,
                                                            tag: str) -> None:
    marker = tmp_path / "constructed"
    append(config_dir / file, f"\nsmuggled: {tag.format(marker=marker)}\n")
    message = rejected(config_dir)
    assert re.fullmatch(rf".*{re.escape(file)}: line \d+: could not determine a constructor for the tag .*", message)
    assert not marker.exists()


def test_yaml_alias_bomb_is_refused_or_bounded(config_dir: Path) -> None:
    # "Billion laughs": nine levels of nine aliases. safe_load builds shared references (no
    # blow-up in memory), and the unknown top-level key is then refused by name.
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join(['*a' + str(i - 1)] * 9)}]" for i in range(1, 9)]
    append(config_dir / "indicators.yaml", "\n" + "\n".join(lines) + "\n")
    assert rejected(config_dir).endswith("indicators.yaml: unknown key `a0` (known: baseline, dedupe_window, "
                                         "half_life, horizon, index_scale, levels, magnitude, modality_weights, step, "
                                         "top_events, version, windows)")


def test_invalid_utf8_in_a_config_file_names_the_file(config_dir: Path) -> None:
    path = config_dir / "actors.yaml"
    path.write_bytes(path.read_bytes() + b"\n# \xff\xfe broken\n")
    message = rejected(config_dir)
    assert message.startswith(f"{path}: cannot read (")
    assert "utf-8" in message


def test_yaml_syntax_error_names_file_and_line(config_dir: Path) -> None:
    path = config_dir / "events.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(21, "  broken: [unclosed")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    message = rejected(config_dir)
    assert re.fullmatch(rf"{re.escape(str(path))}: line \d+: .+", message)


# ------------------------------------------------------------------ actors.yaml


def test_actors_unknown_top_level_key(config_dir: Path) -> None:
    # A misspelt section (relevant_non_state) would otherwise be ignored without a word.
    append(config_dir / "actors.yaml", "\nrelevant_nonstate: [MEK]\n")
    assert rejected(config_dir) == (
        f"{config_dir / 'actors.yaml'}: unknown key `relevant_nonstate` "
        "(known: actors, kinds, relevant_non_state, version, watched)"
    )


def test_actors_unknown_key_in_an_actor(config_dir: Path) -> None:
    replace_once(config_dir / "actors.yaml", "\n  ALB:\n", "\n  ALB:\n    nickname: {en: [Shqip]}\n")
    assert rejected(config_dir) == "actors.yaml: `actors.ALB.nickname`: unknown key"


def test_actors_watched_of_the_wrong_type(config_dir: Path) -> None:
    replace_once(config_dir / "actors.yaml", "watched: [ALB, IRN, ISR]", "watched: ALB")
    assert rejected(config_dir) == "actors.yaml: `watched`: expected a list of country codes"


def test_actors_kind_weight_out_of_range(config_dir: Path) -> None:
    replace_once(config_dir / "actors.yaml", "  names: 1.0\n", "  names: 7\n")
    assert rejected(config_dir) == "actors.yaml: `kinds.names`: expected a number in (0, 1]"


def test_actors_country_not_a_cameo_code(config_dir: Path) -> None:
    text = (config_dir / "actors.yaml").read_text(encoding="utf-8")
    block = text[text.index("\n  ALB:\n"):]
    country_line = next(line for line in block.splitlines() if line.strip().startswith("country:"))
    replace_once(config_dir / "actors.yaml", "\n  ALB:\n" + block[len("\n  ALB:\n"):].split(country_line)[0] + country_line,
                 "\n  ALB:\n" + block[len("\n  ALB:\n"):].split(country_line)[0] + "    country: albania")
    assert rejected(config_dir) == "actors.yaml: `actors.ALB.country`: expected a 3-letter CAMEO code or null"


def test_actors_names_as_a_string_instead_of_a_mapping(config_dir: Path) -> None:
    replace_once(config_dir / "actors.yaml", "    metonyms:\n      en: [Tirana]\n", "    metonyms: Tirana\n    x:\n")
    replace_once(config_dir / "actors.yaml", "    x:\n      sq: [Tirana, Tiranë, Tiranës, Tiranën]\n      fa: [تیرانا]\n"
                 "      he: [טירנה]\n", "")
    assert rejected(config_dir) == "actors.yaml: `actors.ALB.metonyms`: expected a mapping of language → list of forms"


def test_a_key_written_twice_is_refused(config_dir: Path) -> None:
    # Plain YAML keeps the second silently: ALB's demonyms would be replaced by this one word.
    path = config_dir / "actors.yaml"
    replace_once(path, "\n  ALB:\n", "\n  ALB:\n    demonyms: {en: [Arbanon]}\n")
    message = rejected(config_dir)
    assert re.fullmatch(rf"{re.escape(str(path))}: line \d+: duplicate key `demonyms`", message)


def test_actors_top_level_list_instead_of_mapping(config_dir: Path) -> None:
    (config_dir / "actors.yaml").write_text("- ALB\n- IRN\n", encoding="utf-8")
    assert rejected(config_dir) == f"{config_dir / 'actors.yaml'}: top level: expected a mapping, got list"


# ------------------------------------------------------------------ events.yaml


def test_events_unknown_top_level_key(config_dir: Path) -> None:
    append(config_dir / "events.yaml", "\nmodalities:\n  window_before: 3\n")
    assert rejected(config_dir) == (
        f"{config_dir / 'events.yaml'}: unknown key `modalities` "
        "(known: agent_markers, backer_markers, detect_also, events, languages, modality, proper_names, suppress, topics, version)"
    )


def test_events_unknown_key_in_an_event_type(config_dir: Path) -> None:
    replace_once(config_dir / "events.yaml", "  cyber_wipe:\n", "  cyber_wipe:\n    severity: 9\n")
    assert rejected(config_dir) == "events.yaml: `events.cyber_wipe.severity`: unknown key"


def test_events_unquoted_code_is_refused(config_dir: Path) -> None:
    # YAML reads 1712 as an int; a CAMEO code is text with leading zeros kept.
    replace_once(config_dir / "events.yaml", 'code: "1712"', "code: 1712")
    assert rejected(config_dir) == (
        "events.yaml: `events.cyber_wipe.code`: expected a quoted CAMEO code in the Goldstein table, got 1712"
    )


def test_events_phrases_of_the_wrong_type(config_dir: Path) -> None:
    text = (config_dir / "events.yaml").read_text(encoding="utf-8")
    first = text.index("      en: [wipe,")
    end = text.index("\n", first)
    (config_dir / "events.yaml").write_text(text[:first] + "      en: {wipe: 1}" + text[end:], encoding="utf-8")
    assert rejected(config_dir) == "events.yaml: `events.cyber_wipe.phrases.en`: expected a list of strings"


def test_events_target_window_as_text(config_dir: Path) -> None:
    replace_once(config_dir / "events.yaml", "  cyber_wipe:\n", "  cyber_wipe:\n    target_window: near\n")
    assert rejected(config_dir) == "events.yaml: `events.cyber_wipe.target_window`: expected a whole number >= 1"



@pytest.mark.parametrize("gap", ["...9", "...0", "...100"])
def test_events_gap_longer_than_allowed(config_dir: Path, gap: str) -> None:
    replace_once(config_dir / "events.yaml", '"delet* ... data"', f'"delet* {gap} data"')
    assert rejected(config_dir) == f"events.yaml: `events.cyber_wipe.phrases.en`: unusable phrase 'delet* {gap} data'"


def test_events_gap_with_a_length_matches_that_many_words() -> None:
    from streams.tagging.phrases import PhraseIndex, parse_phrase
    from streams.tagging.sentences import tokenize

    index = PhraseIndex()
    index.add(parse_phrase("relations ...5 cut"), "SEVER")
    for text, found in [("relations with Iran were swiftly cut", True), ("relations with the Islamic Republic were finally cut", False)]:
        tokens = tokenize(text, text)
        assert bool(index.find_all(tokens)) is found, text


# ------------------------------------------------------------------ indicators.yaml


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("top_events: 5", "top_events: 5\nthreshold: 3", "unknown key `threshold`"),
        ("windows: [1d, 7d, 30d]", "windows: 7d", "`windows`: expected a non-empty list of durations"),
        ("windows: [1d, 7d, 30d]", "windows: []", "`windows`: expected a non-empty list of durations"),
        ("horizon: 90d", "horizon: soon", "`horizon`: expected a duration like 7d, 12h, 30m or 45s, got 'soon'"),
        ("horizon: 90d", "horizon: -3d", "`horizon`: expected a duration like 7d, 12h, 30m or 45s, got '-3d'"),
        ("horizon: 90d", "horizon: 2d", "`horizon` must be at least the largest window"),
        ("half_life: 7d", "half_life: true", "`half_life`: expected a duration like 7d or 12h, got True"),
        ("index_scale: 50.0", "index_scale: '50'", "`index_scale`: expected a number, got '50'"),
        ("top_events: 5", "top_events: -1", "`top_events`: expected a whole number >= 0"),
        ("top_events: 5", "top_events: yes", "`top_events`: expected a whole number >= 0"),
        ("  DENIED: 0.2", "  DENIED: lots", "`modality_weights.DENIED`: expected a number, got 'lots'"),
        ("  hysteresis: 8", "  hysteresis: 8\n  exit: 3", "unknown key `levels.exit`"),
        ("enter: {ELEVATED: 20, HIGH: 40, SEVERE: 60, CRITICAL: 80}", "enter: {ELEVATED: 20, HIGH: 40}",
         "`levels.enter` must give a threshold for each of ELEVATED, HIGH, SEVERE, CRITICAL"),
        ("  min_dwell: 2d", "  min_dwell: [2d]", "`levels.min_dwell`: expected a duration like 7d, 12h, 30m or 45s"),
    ],
)
def test_indicators_bad_values_name_file_and_key(config_dir: Path, old: str, new: str, expected: str) -> None:
    path = config_dir / "indicators.yaml"
    replace_once(path, old, new)
    message = rejected(config_dir)
    assert message.startswith(f"{path}: ")
    assert expected in message


def test_indicators_unknown_modality_weight_is_refused(config_dir: Path) -> None:
    # A misspelt modality would get no weight at all (its events would count as 1.0 or 0).
    replace_once(config_dir / "indicators.yaml", "  DENIED: 0.2", "  DENYED: 0.2")
    assert rejected(config_dir) == (
        f"{config_dir / 'indicators.yaml'}: `modality_weights.DENYED`: unknown modality "
        "(known: ALLEGED, ASSERTED, ATTRIBUTED, CLAIMED, DENIED, HYPOTHETICAL, THREATENED)"
    )


def test_indicators_top_level_scalar(config_dir: Path) -> None:
    (config_dir / "indicators.yaml").write_text("just text\n", encoding="utf-8")
    assert rejected(config_dir) == f"{config_dir / 'indicators.yaml'}: top level: expected a mapping, got str"


# ------------------------------------------------------------------ pipeline.yaml security fields


def test_security_protocol_outside_the_known_set(config_dir: Path) -> None:
    replace_once(config_dir / "pipeline.yaml", "security_protocol: PLAINTEXT", "security_protocol: TLS")
    assert rejected(config_dir) == (
        f"{config_dir / 'pipeline.yaml'}: `kafka.security_protocol`: must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL"
    )


def test_sasl_without_a_mechanism_or_user_is_refused(config_dir: Path) -> None:
    replace_once(config_dir / "pipeline.yaml", "security_protocol: PLAINTEXT", "security_protocol: SASL_SSL")
    assert rejected(config_dir) == (
        f"{config_dir / 'pipeline.yaml'}: `kafka.sasl_mechanism`: must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 "
        "when security_protocol is SASL_SSL"
    )


def test_missing_ca_file_is_named(config_dir: Path, tmp_path: Path) -> None:
    replace_once(config_dir / "pipeline.yaml", 'ssl_cafile: ""', f'ssl_cafile: "{tmp_path / "nope.pem"}"')
    assert rejected(config_dir) == (
        f"{config_dir / 'pipeline.yaml'}: `kafka.ssl_cafile`: {tmp_path / 'nope.pem'} is not a readable file"
    )

"""Health requirements engine: 1,000,000 generated profiles through the rules engine (us-panel,
conditions compiled once) against a hand-written Python function of the same protocol.

- Profiles: deterministic (seeded) US profiles, validated once up front with
  `engine.validate_profile` (the validation is the same for both sides and is not timed): every
  category (visitors and students fall out of scope), ages 0 to 90 on exam dates from 2025-03-11
  to 2026-11-24, a few pregnancies, symptoms and HIV, 40 citizenships with WHO-like incidence
  figures (and one country with no estimate).
- **engine**: `Engine.requirements_for(profile)` with the shipped `us-panel` 2025-03-11 file
  compiled once; each run starts with empty memos, so its first profiles pay for the CEL
  evaluations.
- **by hand**: `us_panel_by_hand(profile)`, the same rules written as Python `if`s, building
  the same `Requirements` objects (same reasons, sources, notes and validity).
- Before timing, both sides must give identical results for the first 20,000 profiles.
- Rounds alternate the order; each run reports profiles per second on one core (one process,
  one thread). A last line gives the engine's throughput with the memo switched off, on 20,000
  profiles, to show what memoisation buys.

    .venv/bin/python bench/health/engine_throughput.py               # 1,000,000 profiles, ~2 min
    .venv/bin/python bench/health/engine_throughput.py --n 100000    # a quick run
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "migration_hub.config.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("MIGRATION_HUB_DATA_DIR", tempfile.mkdtemp(prefix="bench-health-"))

import django  # noqa: E402

django.setup()

from dateutil.relativedelta import relativedelta  # noqa: E402
from harness import BenchmarkError, Metric, run_side_by_side  # noqa: E402

from migration_hub.health.engine import (  # noqa: E402
    CompiledProtocol,
    Engine,
    Profile,
    Requirement,
    Requirements,
    validate_profile,
)
from migration_hub.health.rules import parse_protocol  # noqa: E402
from migration_hub.health.services import PROTOCOL_DIR  # noqa: E402

RATE = Metric("profiles_per_s", "profiles/s", higher_is_better=True, digits=0)
FILE = PROTOCOL_DIR / "us-panel" / "2025-03-11.yaml"
INCIDENCE = {
    code: (Decimal(value), 2024, "bench") if value is not None else (None, 2024, "bench")
    for code, value in {
        "FR": "8",
        "DE": "5",
        "US": "3",
        "CA": "5",
        "GB": "8",
        "ES": "9",
        "IT": "6",
        "JP": "9",
        "MX": "25",
        "BR": "48",
        "CO": "41",
        "PE": "111",
        "HT": "147",
        "DO": "43",
        "GT": "26",
        "IN": "195",
        "PK": "259",
        "BD": "221",
        "NP": "219",
        "AF": "180",
        "CN": "52",
        "VN": "173",
        "PH": "624",
        "ID": "387",
        "TH": "155",
        "MM": "335",
        "KH": "320",
        "KR": "38",
        "NG": "219",
        "ET": "126",
        "SO": "250",
        "CD": "311",
        "KE": "233",
        "ZA": "427",
        "UA": "61",
        "RU": "42",
        "IQ": "27",
        "SY": "19",
        "IR": "13",
        "KP": None,
    }.items()
}
COUNTRIES = sorted(INCIDENCE)
CATEGORIES = [
    "immigrant",
    "immigrant",
    "immigrant",
    "refugee",
    "refugee",
    "fiance",
    "permanent",
    "provisional",
    "temporary",
    "student",
    "worker",
    "visitor",
]


def generate(n: int, seed: int = 20261124) -> list[Profile]:
    rng = random.Random(seed)
    start = dt.date(2025, 3, 11)
    span = (dt.date(2026, 11, 24) - start).days
    today = dt.date(2026, 11, 24)
    profiles = []
    for _ in range(n):
        exam = start + dt.timedelta(days=rng.randrange(span))
        born = exam - dt.timedelta(days=rng.randrange(0, 90 * 366))
        citizenship = rng.choice(COUNTRIES)
        female = rng.random() < 0.5
        age = exam.year - born.year
        data = {
            "destination": "US",
            "category": rng.choice(CATEGORIES),
            "date_of_birth": born.isoformat(),
            "exam_date": exam.isoformat(),
            "sex": "female" if female else "male",
            "pregnant": female and 15 <= age <= 45 and rng.random() < 0.05,
            "citizenship": citizenship,
            "exam_country": citizenship if rng.random() < 0.9 else rng.choice(COUNTRIES),
            "symptoms": ["cough"] if rng.random() < 0.03 else [],
            "conditions": ["hiv_positive"] if rng.random() < 0.01 else [],
        }
        profiles.append(validate_profile(data, today=today))
    return profiles


DOCUMENT = parse_protocol(FILE.read_text(), FILE.name)
SOURCES = {source["id"]: source["url"] for source in DOCUMENT["sources"]}
RULES = {rule["id"]: rule for rule in DOCUMENT["rules"] + DOCUMENT["conditional"]}
ALTERNATIVE = DOCUMENT["alternatives"][0]
VALIDITY = DOCUMENT["validity"][0]


def _requirement(rule_id: str, item: str) -> Requirement:
    rule = RULES[rule_id]
    return Requirement(item, rule_id, rule["reason"], SOURCES[rule["source"]], rule.get("if", ""))


EXAM = _requirement("US-EXAM", "medical_exam")
CXR = _requirement("US-TB-CXR-15", "chest_xray")
IGRA = _requirement("US-TB-IGRA-2-14", "tb_infection_test")
CHILD_SIGNS = [
    _requirement("US-TB-CHILD-SIGNS", item) for item in RULES["US-TB-CHILD-SIGNS"]["require"]
]
SPUTUM_SIGNS = _requirement("US-TB-SPUTUM-SIGNS", "sputum")
SYPHILIS = _requirement("US-SYPHILIS-15", "syphilis_test")
GONORRHEA = _requirement("US-GONORRHEA-18-24", "gonorrhea_test")
VACCINATION = _requirement("US-VACCINATION-IV", "vaccination_assessment")
CXR_AFTER_IGRA = _requirement("US-TB-CXR-AFTER-IGRA", "chest_xray")
SPUTUM_AFTER_CXR = _requirement("US-TB-SPUTUM-AFTER-CXR", "sputum")
VALIDITY_INFO = {
    "months": VALIDITY["months"],
    "from": VALIDITY["from"],
    "rule": VALIDITY["id"],
    "reason": VALIDITY["reason"],
    "source": SOURCES[VALIDITY["source"]],
}


def us_panel_by_hand(profile: Profile) -> Requirements:
    """us-panel 2025-03-11 written by hand: what a team would code without a rules engine."""
    notes: list[str] = []
    estimate = INCIDENCE.get(profile.exam_country)
    if estimate is None or estimate[0] is None:
        notes.append(
            f"high_burden: no WHO TB incidence estimate is loaded for {profile.exam_country}, so "
            "it counts as at least 20 per 100,000 (the conservative choice)."
        )
        high_burden = True
    else:
        value, year, release = estimate
        high_burden = value >= 20
        notes.append(
            f"high_burden: {profile.exam_country} has an estimated TB incidence of {value} per "
            f"100,000 ({year}, {release}); the threshold is 20."
        )
    required: list[Requirement] = []
    conditional: list[Requirement] = []
    alternatives = []
    in_scope = profile.category in ("immigrant", "refugee", "fiance")
    if in_scope:
        age = profile.age
        signs = bool(profile.symptoms) or "hiv_positive" in profile.conditions
        seen = {"medical_exam"}
        required.append(EXAM)
        if age >= 15:
            required.append(CXR)
            seen.add("chest_xray")
        if high_burden and 2 <= age < 15:
            required.append(IGRA)
            seen.add("tb_infection_test")
        if age < 15 and signs:
            for requirement in CHILD_SIGNS:
                if requirement.item not in seen:
                    seen.add(requirement.item)
                    required.append(requirement)
        if age >= 15 and signs and "sputum" not in seen:
            seen.add("sputum")
            required.append(SPUTUM_SIGNS)
        if age >= 15:
            required.append(SYPHILIS)
            seen.add("syphilis_test")
        if 18 <= age < 25:
            required.append(GONORRHEA)
            seen.add("gonorrhea_test")
        if profile.category == "immigrant":
            required.append(VACCINATION)
            seen.add("vaccination_assessment")
        if high_burden and 2 <= age < 15 and not signs:
            conditional.append(CXR_AFTER_IGRA)
        if not signs and (age >= 15 or (high_burden and age >= 2)):
            conditional.append(SPUTUM_AFTER_CXR)
        if profile.pregnant and "chest_xray" in seen:
            from migration_hub.health.engine import Alternative

            alternatives.append(
                Alternative(
                    "chest_xray",
                    tuple(ALTERNATIVE["options"]),
                    ALTERNATIVE["id"],
                    ALTERNATIVE["reason"],
                    SOURCES[ALTERNATIVE["source"]],
                )
            )
    else:
        notes.insert(
            0,
            f"us-panel 2025-03-11 requires no examination for this profile: {DOCUMENT['scope']}",
        )
    return Requirements(
        protocol="us-panel",
        version="2025-03-11",
        version_id=None,
        required=required,
        conditional=conditional,
        alternatives=alternatives,
        valid_until=profile.exam_date + relativedelta(months=6),
        validity=VALIDITY_INFO,
        notes=notes,
        in_scope=in_scope,
    )


def build_engine() -> Engine:
    return Engine([CompiledProtocol(None, DOCUMENT)], {}, INCIDENCE)


def clear_memos(engine: Engine) -> None:
    for protocols in engine.protocols.values():
        for protocol in protocols:
            for condition in protocol.conditions():
                condition.memo.clear()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    started = time.perf_counter()
    profiles = generate(args.n)
    elapsed = time.perf_counter() - started
    print(f"{len(profiles):,} profiles generated and validated in {elapsed:.1f} s")
    engine = build_engine()
    check = min(20_000, len(profiles))
    for index, profile in enumerate(profiles[:check]):
        ours, theirs = (
            engine.requirements_for(profile).as_dict(),
            us_panel_by_hand(profile).as_dict(),
        )
        if ours != theirs:
            raise BenchmarkError(f"profile {index} differs:\nengine {ours}\nby hand {theirs}")
    print(f"the engine and the hand-written function agree on the first {check:,} profiles")

    def run_engine() -> dict[str, float]:
        clear_memos(engine)
        assess = engine.requirements_for
        begin = time.perf_counter()
        for profile in profiles:
            assess(profile)
        return {"profiles_per_s": len(profiles) / (time.perf_counter() - begin)}

    def run_by_hand() -> dict[str, float]:
        begin = time.perf_counter()
        for profile in profiles:
            us_panel_by_hand(profile)
        return {"profiles_per_s": len(profiles) / (time.perf_counter() - begin)}

    report = run_side_by_side(
        "health_engine",
        [("engine", run_engine), ("by hand", run_by_hand)],
        rounds=args.rounds,
        metrics=[RATE],
        parameters={"profiles": len(profiles), "protocol": "us-panel 2025-03-11"},
    )
    share = report.ratios["profiles_per_s"]
    memo_sizes = sum(
        len(condition.memo) for p in engine.protocols["US"] for condition in p.conditions()
    )
    print(f"engine / by hand: {share:.1%} of the hand-written throughput (goal >= 25 %)")
    print(f"engine: {report.medians['engine']['profiles_per_s']:,.0f} profiles/s (goal >= 20,000)")
    print(f"memo entries after a run: {memo_sizes} across all conditions")

    sample = profiles[: min(20_000, len(profiles))]
    protocol = engine.protocols["US"][0]
    begin = time.perf_counter()
    for profile in sample:
        facts = engine.facts(protocol, profile, [])
        for condition in protocol.conditions():
            condition.evaluate(facts)
    fresh = len(sample) / (time.perf_counter() - begin)
    print(f"without the memo (every condition evaluated by cel-python): {fresh:,.0f} profiles/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

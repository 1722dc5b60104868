"""Directory query latency with 10,000 synthetic services (target: p95 of 5 ms or less).

    .venv/bin/python benchmarks/directory_queries.py [--services 10000] [--queries 2000]

Writes synthetic YAML (17 communities), publishes it through the real loader into a SQLite
file, then times the calls the actions make: resolve_place, and find_services with opening
status and eligibility. Results go to the terminal and into benchmarks/RESULTS.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.directory.db import engine_for  # noqa: E402
from bot.directory.loader import load  # noqa: E402
from bot.directory.opening_hours import LONDON  # noqa: E402
from bot.directory.queries import find_services, resolve_place  # noqa: E402
from bot.directory.vocabulary import offered_services, service_types  # noqa: E402
from benchmarks.results import write_section  # noqa: E402

COMMUNITIES = 17
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def synthetic_directory(root: Path, total: int, rng: random.Random) -> list[str]:
    types = [t for t in service_types() if t != "emergency_999"]
    offers = list(offered_services())
    ids = [f"community-{i:02d}" for i in range(COMMUNITIES)]
    per = total // COMMUNITIES
    for n, cid in enumerate(ids):
        borough = "cheshire-west" if n < 9 else "cheshire-east"
        services = []
        for k in range(per + (1 if n < total % COMMUNITIES else 0)):
            opens = rng.choice([7, 8, 9]) * 60
            sessions = [{"days": DAYS[:5], "opens": f"{opens // 60:02d}:00", "closes": "12:30"},
                        {"days": DAYS[:5], "opens": "13:30", "closes": rng.choice(["17:30", "18:30", "22:00"])}]
            if rng.random() < 0.3:
                sessions.append({"days": ["sat", "sun"], "opens": "10:00", "closes": "16:00"})
            services.append({
                "id": f"{cid}-svc-{k}", "name": f"Service {n}-{k}", "type": rng.choice(types),
                "location": {"address": f"{k} High Street", "postcode": f"CW{n + 1} {k % 10}AA"},
                "phones": [{"number": f"01632 960{rng.randrange(1000):03d}"}],
                "offers": rng.sample(offers, 2),
                "eligibility": {"min_age": 16} if rng.random() < 0.1 else {},
                "opening_hours": {"regular": sessions, "bank_holidays": rng.choice(["closed", "normal"]),
                                  "exceptions": [{"date": "2026-12-25", "closed": True}]},
                "last_verified": "2026-10-01",
            })
        doc = {"name": f"Community {n}", "borough": borough,
               "neighbours": [ids[(n + 1) % COMMUNITIES], ids[(n - 1) % COMMUNITIES]],
               "places": [f"Town{n}x{j}" for j in range(10)], "postcodes": [f"CW{n + 1}"],
               "services": services}
        path = root / borough / f"{cid}.yml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(doc, sort_keys=False))
    (root / "national.yml").write_text(yaml.safe_dump({"name": "National", "borough": "national", "services": []}))
    return ids


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    args = parser.parse_args()
    rng = random.Random(42)
    types = [t for t in service_types() if t != "emergency_999"]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "directory"
        ids = synthetic_directory(root, args.services, rng)
        engine = engine_for(f"sqlite:///{Path(tmp) / 'bench.db'}")
        started = time.perf_counter()
        result = load(root, engine)
        load_seconds = time.perf_counter() - started
        timings: dict[str, list[float]] = {"resolve_place": [], "find_services": []}
        start = dt.datetime(2026, 11, 23, tzinfo=LONDON)
        for i in range(args.queries + 50):
            n = rng.randrange(COMMUNITIES)
            text = rng.choice([f"Town{n}x{rng.randrange(10)}", f"CW{n + 1} {rng.randrange(10)}AB", f"Tonw{n}x1"])
            t0 = time.perf_counter()
            match = resolve_place(engine, text)
            t1 = time.perf_counter()
            find_services(engine, match.community_id or ids[n], rng.choice(types),
                          at=start + dt.timedelta(minutes=rng.randrange(7 * 24 * 60)),
                          age=rng.choice([None, 8, 30, 70]))
            t2 = time.perf_counter()
            if i >= 50:  # the first calls warm caches; they are not counted
                timings["resolve_place"].append((t1 - t0) * 1000)
                timings["find_services"].append((t2 - t1) * 1000)
    rows = []
    for name, values in timings.items():
        rows.append(f"| {name} | {statistics.median(values):.2f} | {percentile(values, 0.95):.2f} | "
                    f"{percentile(values, 0.99):.2f} |")
    total_ms = [a + b for a, b in zip(timings["resolve_place"], timings["find_services"])]
    rows.append(f"| place + services (one resident question) | {statistics.median(total_ms):.2f} | "
                f"{percentile(total_ms, 0.95):.2f} | {percentile(total_ms, 0.99):.2f} |")
    lines = [
        f"## Directory queries ({result.services:,} synthetic services, SQLite)",
        "",
        f"Command: `.venv/bin/python benchmarks/directory_queries.py --services {args.services} "
        f"--queries {args.queries}`; run on {dt.date.today().isoformat()}. Target: p95 ≤ 5 ms.",
        f"Publishing the {result.services:,} services (validate + atomic load) took {load_seconds:.1f} s.",
        "",
        "| call | p50 ms | p95 ms | p99 ms |",
        "|---|---|---|---|",
        *rows,
    ]
    if args.no_write:
        print("\n".join(lines))
    else:
        print(write_section("directory-queries", lines))


if __name__ == "__main__":
    main()

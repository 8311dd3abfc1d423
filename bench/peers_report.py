"""Turns one `bench/run --peers` run's samples (JSON lines) and criterion's
estimates into the Markdown report: requests/s per app and algorithm with
Tessera's ratio to the faster peer (the median of per-round ratios), the
micro-benchmarks of the three verify paths, and every round.

    python3 bench/peers_report.py SAMPLES.jsonl TARGET_DIR/criterion
"""

import json
import statistics
import sys
from pathlib import Path

from report import load_criterion, table

APPS = ["tessera", "tessera-uncached", "jwt-authorizer", "axum-jwt-auth"]
PEERS = APPS[2:]
# Tessera as served (verified-token cache on), and with every request checked in full.
OURS = APPS[:2]
ALGS = ["HS256", "EdDSA"]
# criterion ids (benches/verify.rs) per app: the verify path, then a request
# through the one-route app.
MICRO = {"tessera": "tessera_repeat", "tessera-uncached": "tessera",
         "jwt-authorizer": "jwt_authorizer", "axum-jwt-auth": "axum_jwt_auth"}


def load(path):
    rows = [json.loads(line) for line in Path(path).read_text().splitlines() if line]
    machine = next(row for row in rows if row["kind"] == "machine")
    micro = {}
    for row in rows:
        if row["kind"] == "micro":
            micro.setdefault(row["run"], {})[row["id"]] = row["ns"]
    return machine, [row for row in rows if row["kind"] == "peer"], micro


def micro_median(rounds, key):
    values = [times[key] for times in rounds.values() if key in times]
    return statistics.median(values) if values else None


def micro_ratio(rounds, ours, peers):
    """The median over rounds of the faster peer's time over ours, each from the same round."""
    ratios = [min(times[p] for p in peers) / times[ours] for times in rounds.values()
              if ours in times and all(p in times for p in peers)]
    return statistics.median(ratios) if ratios else None


def per_round(samples, alg):
    """{round: {app: row}} for one algorithm."""
    rounds = {}
    for row in samples:
        if row["alg"] == alg:
            rounds.setdefault(row["run"], {})[row["app"]] = row
    return rounds


def ratio_to(rounds, ours, peer):
    """The median over rounds of `ours`'s req/s over `peer`'s (or over the
    faster peer's, for `peer` None), each pair from the same round."""
    ratios = []
    for apps in rounds.values():
        if ours not in apps or not all(p in apps for p in PEERS):
            continue
        other = apps[peer]["wrk"]["rps"] if peer else max(apps[p]["wrk"]["rps"] for p in PEERS)
        ratios.append(apps[ours]["wrk"]["rps"] / other)
    return statistics.median(ratios) if ratios else None


def us(ns):
    return "–" if ns is None else f"{ns / 1000:.2f} µs"


def main(samples_path, criterion_dir):
    machine, samples, micro = load(samples_path)
    if not micro:  # --skip-micro: the last criterion results, as one round
        micro = {1: load_criterion(criterion_dir)}
    out = [
        "# Tessera beside its Rust peers",
        "",
        f"{machine['nproc']} cores ({machine['cpu']}), load average at the start "
        f"{machine['loadavg_start']}; {machine['runs']} rounds of {machine['duration']} s per app, "
        f"wrk -t1 -c{machine['connections']}, apps interleaved within each round.",
        "",
        "## HTTP: GET /protected with one valid token (medians over rounds)",
        "",
    ]
    rows, summary = [], []
    for alg in ALGS:
        rounds = per_round(samples, alg)
        for app in APPS:
            runs = [r[app] for r in rounds.values() if app in r]
            if not runs:
                continue
            med = lambda key: statistics.median(r["wrk"][key] for r in runs)  # noqa: E731
            cpu = statistics.median(r["cpu_s"] / max(r["wrk"]["requests"], 1) * 1e6 for r in runs)
            errors = sum(r["wrk"]["socket_errors"] + r["wrk"]["non_2xx"] for r in runs)
            rows.append([alg, app, f"{med('rps'):,.0f}", f"{med('p50_us') / 1000:.2f} ms",
                         f"{med('p99_us') / 1000:.2f} ms", f"{cpu:.1f} µs", errors])
        for ours in OURS:
            best = ratio_to(rounds, ours, None)
            each = ", ".join(f"{peer} {ratio_to(rounds, ours, peer):.2f} ×" for peer in PEERS
                             if ratio_to(rounds, ours, peer) is not None)
            if best is not None:
                verdict = "met" if best >= 1.0 else "NOT met"
                summary.append(f"- {alg}: {ours} ÷ the faster peer, req/s: **{best:.2f} ×** "
                               f"(target ≥ 1.0: {verdict}); against each: {each}.")
    out += [table(["alg", "app", "req/s", "p50", "p99", "CPU/request", "errors"], rows), ""]
    out += summary + [""]

    out += ["## Micro (criterion medians over rounds)", "",
            "`tessera` is the token checked again with the verified-token cache on (as served); "
            "`tessera-uncached` the full check (cache off). Ratios are the median of per-round "
            "ratios.", ""]
    rows = []
    for alg in ALGS:
        for name, group in (("verify", "verify"), ("request through the app", "request")):
            ids = {app: f"{group}/{MICRO[app]}/{alg}" for app in APPS}
            rows.append([alg, name] + [us(micro_median(micro, ids[app])) for app in APPS])
            for ours in OURS:
                ratio = micro_ratio(micro, ids[ours], [ids[p] for p in PEERS])
                if ratio is not None:
                    verdict = "met" if ratio >= 1.0 else "NOT met"
                    out.append(f"- {alg} {group}, {ours}: the faster peer's time ÷ Tessera's: "
                               f"**{ratio:.2f} ×** (target ≥ 1.0: {verdict})")
    out += ["", table(["alg", "path"] + APPS, rows), ""]

    out += ["## Every round", ""]
    rows = []
    for row in samples:
        rows.append([row["run"], row["alg"], row["app"], f"{row['wrk']['rps']:,.0f}",
                     f"{row['wrk']['p99_us'] / 1000:.2f} ms", row["loadavg"]])
    out += [table(["round", "alg", "app", "req/s", "p99", "load average"], rows)]
    print("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

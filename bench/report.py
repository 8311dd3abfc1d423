"""Turns one bench/run's samples (JSON lines) and criterion's estimates into the
Markdown report: the targets, the HTTP and micro tables, memory, every run.

    python3 bench/report.py SAMPLES.jsonl TARGET_DIR/criterion
"""

import json
import statistics
import sys
from datetime import datetime, timezone
from pathlib import Path

MIB = 1024  # kB per MiB; /proc reports kB (KiB)
NO_MICRO = "no criterion results (run without --skip-micro)"


def load_samples(path):
    rows = [json.loads(line) for line in Path(path).read_text().splitlines() if line]
    machine = next(row for row in rows if row["kind"] == "machine")
    loads = [row for row in rows if row["kind"] == "load"]
    memory = {(row["server"], row["when"]): row for row in rows if row["kind"] == "memory"}
    hashes = {row["run"]: row["ns"] for row in rows if row["kind"] == "hash"}
    return machine, loads, memory, hashes


def paired(loads, server, numerator, denominator, field="rps"):
    """The median over runs of numerator/denominator, each pair from the same run:
    the machine's speed drifts between runs, far less within one."""
    by_run = {}
    for row in loads:
        if row["server"] == server and row["scenario"] in (numerator, denominator):
            value = row["wrk"]["rps"] if field == "rps" else row["cpu_s"] / max(row["wrk"]["requests"], 1)
            by_run.setdefault(row["run"], {})[row["scenario"]] = value
    ratios = [pair[numerator] / pair[denominator] for pair in by_run.values()
              if numerator in pair and denominator in pair]
    return statistics.median(ratios) if ratios else None


def started(samples_path):
    """When the run began: bench/run names the samples file after it."""
    try:
        stamp = datetime.strptime(Path(samples_path).stem, "%Y-%m-%dT%H%M%SZ")
        return stamp.replace(tzinfo=timezone.utc)
    except ValueError:
        return datetime.now(timezone.utc)


def load_criterion(directory):
    """Median time per benchmark, in ns, keyed by criterion's full id."""
    medians = {}
    for bench in Path(directory).glob("**/new/benchmark.json"):
        estimates = json.loads((bench.parent / "estimates.json").read_text())
        medians[json.loads(bench.read_text())["full_id"]] = estimates["median"]["point_estimate"]
    return medians


def medians(loads):
    """Per (server, scenario): the median over runs of req/s, p50, p99 and peak RSS."""
    groups = {}
    for row in loads:
        groups.setdefault((row["server"], row["scenario"]), []).append(row)
    return {
        key: {
            "rps": statistics.median(r["wrk"]["rps"] for r in rows),
            "p50": statistics.median(r["wrk"]["p50_us"] for r in rows),
            "p99": statistics.median(r["wrk"]["p99_us"] for r in rows),
            "cpu_us": statistics.median(
                r["cpu_s"] * 1e6 / max(r["wrk"]["requests"], 1) for r in rows
            ) if all("cpu_s" in r for r in rows) else None,
            "rss_peak": max(r["rss_peak_kb"] for r in rows),
            "errors": sum(r["wrk"]["socket_errors"] + r["wrk"]["non_2xx"] for r in rows),
            "runs": len(rows),
        }
        for key, rows in groups.items()
    }


def ms(us):
    return f"{us / 1000:.2f} ms"


def mib(kb):
    return f"{kb / MIB:.1f} MiB"


def verdict(ok):
    return "**met**" if ok else "**missed**"


def targets(m, micro, memory, cores, loads, hashes):
    """Rows of (target, measured, ratio, verdict)."""
    t, p = (lambda s: m[("tessera", s)]), (lambda s: m[("peer", s)])
    rows = []
    auth_cost = paired(loads, "tessera", "protected", "healthz")
    rows.append(("`GET /protected` ≥ 0.9 × `GET /healthz` (req/s, median of per-run ratios)",
                 f"{t('protected')['rps']:,.0f} vs {t('healthz')['rps']:,.0f} req/s (medians)",
                 f"{auth_cost:.3f}", verdict(auth_cost >= 0.9)))
    cpu_cost = paired(loads, "tessera", "healthz", "protected", field="cpu")
    if cpu_cost:
        rows.append(("the same in server CPU per request",
                     f"{t('protected')['cpu_us']:.1f} vs {t('healthz')['cpu_us']:.1f} µs",
                     f"{cpu_cost:.3f}", verdict(cpu_cost >= 0.9)))
    vs_peer = statistics.median(
        row["wrk"]["rps"] for row in loads if (row["server"], row["scenario"]) == ("tessera", "protected")
    ) / p("protected")["rps"]
    rows.append(("`GET /protected` ≥ 25 × peer (req/s)",
                 f"{t('protected')['rps']:,.0f} vs {p('protected')['rps']:,.0f} req/s",
                 f"{vs_peer:.1f}", verdict(vs_peer >= 25)))
    p99_share = t("protected")["p99"] / p("protected")["p99"]
    rows.append(("`GET /protected` p99 ≤ 1/10 of peer's",
                 f"{ms(t('protected')['p99'])} vs {ms(p('protected')['p99'])}",
                 f"{p99_share:.3f}", verdict(p99_share <= 0.1)))
    verify, floor = micro.get("tessera/verify/HS256"), micro.get("floor/hmac_sha256")
    if verify and floor:
        rows.append(("HS256 verify (full check, cache off) ≤ 3 × HMAC-SHA256 floor",
                     f"{verify / 1000:.2f} µs vs {floor / 1000:.2f} µs",
                     f"{verify / floor:.2f}", verdict(verify / floor <= 3)))
    else:
        rows.append(("HS256 verify ≤ 3 × HMAC-SHA256 floor", NO_MICRO, "", ""))
    # One hash's time measured next to each run's logins (bench/run's hash_time);
    # otherwise the criterion run's.
    logins = {row["run"]: row["wrk"]["rps"] for row in loads
              if (row["server"], row["scenario"]) == ("tessera", "auth")}
    shares = [logins[run] * (ns / 1e9) / cores for run, ns in hashes.items() if run in logins]
    hash_ns = statistics.median(hashes.values()) if hashes else (
        micro.get("argon2/passwords") or micro.get("argon2/verify"))
    if shares or hash_ns:
        bound = cores / (hash_ns / 1e9)
        share = statistics.median(shares) if shares else t("auth")["rps"] / bound
        rows.append((f"`POST /auth` ≥ 0.8 × argon2 bound ({cores} cores ÷ {hash_ns / 1e6:.1f} ms; "
                     "per-run ratios)",
                     f"{t('auth')['rps']:.1f} vs {bound:.1f} logins/s",
                     f"{share:.2f}", verdict(share >= 0.8)))
    else:
        rows.append(("`POST /auth` ≥ 0.8 × argon2 bound", NO_MICRO, "", ""))
    flood = paired_p99(loads)
    rows.append(("p99 of `GET /protected` in a login flood ≤ 5 × idle",
                 f"{ms(t('probe_flood')['p99'])} vs {ms(t('probe_idle')['p99'])}",
                 f"{flood:.1f}", verdict(flood <= 5)))
    idle = memory[("tessera", "idle")]["rss_kb"]
    rows.append(("Idle RSS ≤ 20 MiB (3 s after a sign-up and a sign-in)", mib(idle),
                 f"{idle / (20 * MIB):.2f}", verdict(idle <= 20 * MIB)))
    peak = max(v["rss_peak"] for (server, _), v in m.items() if server == "tessera")
    rows.append(("RSS under load ≤ 64 MiB", mib(peak), f"{peak / (64 * MIB):.2f}",
                 verdict(peak <= 64 * MIB)))
    return rows


def paired_p99(loads):
    """Median over runs of the probe's p99 in the flood over its p99 idle."""
    by_run = {}
    for row in loads:
        if row["server"] == "tessera" and row["scenario"] in ("probe_idle", "probe_flood"):
            by_run.setdefault(row["run"], {})[row["scenario"]] = row["wrk"]["p99_us"]
    return statistics.median(pair["probe_flood"] / pair["probe_idle"] for pair in by_run.values()
                             if len(pair) == 2)


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def main(samples_path, criterion_dir):
    machine, loads, memory, hashes = load_samples(samples_path)
    micro = load_criterion(criterion_dir)
    m = medians(loads)
    cores = machine["nproc"]
    out = [
        f"# Benchmark run {started(samples_path):%Y-%m-%d %H:%M} UTC",
        "",
        f"Machine: {cores} cores (`nproc`), {machine['cpu']}; load average at start "
        f"{machine['loadavg_start']}. {machine['runs']} runs of {machine['duration']} s per "
        f"scenario, wrk with 1 thread and {machine['connections']} connections; medians.",
        "",
        "## Targets",
        "",
        table(["target", "measured (medians)", "ratio", ""],
              targets(m, micro, memory, cores, loads, hashes)),
        "",
        "## HTTP",
        "",
    ]
    names = {"healthz": "(a) `GET /healthz`", "protected": "(b) `GET /protected`",
             "auth": "(c) `POST /auth`", "probe_idle": "probe, idle",
             "probe_flood": "probe, login flood", "flood_logins": "the flood's logins"}
    rows = []
    for server in ("tessera", "peer", "tessera-info"):
        for scenario, label in names.items():
            if (server, scenario) in m:
                v = m[(server, scenario)]
                cpu = f"{v['cpu_us']:.1f} µs" if v["cpu_us"] else ""
                rows.append((server, label, f"{v['rps']:,.1f}", ms(v["p50"]), ms(v["p99"]),
                             cpu, mib(v["rss_peak"]) if v["rss_peak"] else "", v["errors"]))
    out += [table(["server", "route", "req/s", "p50", "p99", "server CPU/req", "peak RSS",
                   "errors"], rows), ""]
    ratios = [(label, f"{m[('tessera', s)]['rps'] / m[('peer', s)]['rps']:.1f}",
               f"{m[('peer', s)]['p99'] / m[('tessera', s)]['p99']:.1f}")
              for s, label in list(names.items())[:3]]
    out += [table(["route", "Tessera/peer req/s", "peer/Tessera p99"], ratios), ""]
    if ("tessera-info", "protected") in m:
        logged = m[("tessera-info", "protected")]["rps"] / m[("tessera", "protected")]["rps"]
        out += [f"Per-request logging (default `RUST_LOG`, info) against `warn`: `GET /protected` "
                f"at {logged:.2f} × the throughput.", ""]
    out += ["## Micro (criterion medians)", ""]
    rows = [(alg, *(f"{micro.get(name, 0) / 1000:.2f} µs" for name in (
                f"tessera/issue/{alg}", f"tessera/verify/{alg}", f"tessera/verify_repeat/{alg}",
                f"jwt/issue/{alg}", f"jwt/verify/{alg}")))
            for alg in ("HS256", "EdDSA", "ES256", "RS256")]
    out += [table(["algorithm", "`TokenService` issue", "verify (full check)",
                   "verify (seen before: cache)", "jsonwebtoken issue", "jsonwebtoken verify"],
                  rows), ""]
    floor, prekeyed = micro.get("floor/hmac_sha256", 0), micro.get("floor/hmac_sha256_prekeyed", 0)
    verify = micro.get("tessera/verify/HS256", 0)
    first = micro.get("tessera/verify_first/HS256", 0)
    if floor and prekeyed:
        out += [f"HMAC-SHA256 floor over the token's `header.payload`: {floor:.0f} ns "
                f"({prekeyed:.0f} ns with the keyed state precomputed). Full check/floor "
                f"= {verify / floor:.2f} ({verify / prekeyed:.2f} against the precomputed one). "
                f"A token's first check with the cache on (full check, then remembered): "
                f"{first / 1000:.2f} µs. One argon2id verification: "
                f"{micro.get('argon2/passwords', 0) / 1e6:.1f} ms on the server's hashing path, "
                f"{micro.get('argon2/reference', 0) / 1e6:.1f} ms with the argon2 crate's "
                f"`verify_password`.", ""]
    out += ["## Memory (sum over the server's processes)", ""]
    rows = []
    for server in ("tessera", "peer"):
        idle, after = memory[(server, "idle")], memory[(server, "after")]
        peak = max(v["rss_peak"] for (s, _), v in m.items() if s == server)
        rows.append((server, mib(idle["rss_kb"]), mib(idle["pss_kb"]), mib(peak),
                     mib(after["rss_kb"]), mib(after["hwm_kb"])))
    out += [table(["server", "idle RSS", "idle PSS", "peak RSS under load",
                   "RSS after the load", "VmHWM"], rows), ""]
    if ("tessera", "fresh") in memory:
        out += [f"Tessera just started, before any request: "
                f"{mib(memory[('tessera', 'fresh')]['rss_kb'])}. \"Idle\" is 3 s without requests "
                f"after the setup's sign-up and sign-in, \"after the load\" 3 s after the last "
                f"scenario; the peer's figures add up gunicorn's master and workers (PSS splits "
                f"their shared pages).", ""]
    out += ["## Every run", ""]
    rows = [(r["run"], r["server"], r["scenario"], f"{r['wrk']['rps']:,.1f}",
             ms(r["wrk"]["p50_us"]), ms(r["wrk"]["p99_us"]), r["loadavg"]) for r in loads]
    out += [table(["run", "server", "scenario", "req/s", "p50", "p99", "load avg"], rows), ""]
    if hashes:
        out += ["One argon2id verification on the server's hashing path, measured just before "
                "each run's logins: " + ", ".join(f"run {run}: {ns / 1e6:.1f} ms"
                                                  for run, ns in sorted(hashes.items())) + "."]
    print("\n".join(out))


if __name__ == "__main__":
    main(*sys.argv[1:3])

# shellcheck shell=bash
# Measuring helpers for bench/run (sourced): a server's memory and CPU time from
# /proc, and wrk runs with bench/scenario.lua reduced to one JSON line.

# The PIDs of a server: Tessera's one process, or gunicorn's master and workers.
# shellcheck disable=SC2046 # one PID per word
server_pids() { echo "$1" $(pgrep -P "$1" || true); }

# FIELD PID...: the sum of FIELD (VmRSS, VmHWM) over the processes, in kB.
status_kb() {
  local field=$1 pid total=0 value
  shift
  for pid in "$@"; do
    value=$(awk -v f="$field:" '$1 == f { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
    total=$((total + ${value:-0}))
  done
  echo "$total"
}

# PID...: the sum of PSS (shared pages split between sharers), in kB.
pss_kb() {
  local pid total=0 value
  for pid in "$@"; do
    value=$(awk '$1 == "Pss:" { print $2 }' "/proc/$pid/smaps_rollup" 2>/dev/null || true)
    total=$((total + ${value:-0}))
  done
  echo "$total"
}

# PID...: CPU time used so far (user + system), in clock ticks. Per request it is a
# cost that other load on the machine disturbs far less than throughput.
cpu_ticks() {
  local pid total=0 ticks
  for pid in "$@"; do
    ticks=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || true)
    total=$((total + ${ticks:-0}))
  done
  echo "$total"
}

# Samples a server's summed VmRSS every 0.2 s until stopped; prints the peak.
# Bash builtins only: a sampler that forked awk and sleep several times a second
# would itself add latency to what it watches.
peak_rss() { # PID
  local peak=0 now pid line pids wait_fifo
  pids=$(server_pids "$1")
  wait_fifo=$(mktemp -u)
  mkfifo "$wait_fifo"
  exec 9<>"$wait_fifo" # never written: `read -t` on it is a sleep without a process
  rm -f "$wait_fifo"
  trap 'echo "$peak"; exit 0' TERM
  while :; do
    now=0
    for pid in $pids; do
      while IFS= read -r line; do
        if [[ $line == VmRSS:* ]]; then
          line=${line#VmRSS:}
          line=${line% kB}
          now=$((now + line))
          break
        fi
      done <"/proc/$pid/status" 2>/dev/null || true
    done
    [ "$now" -gt "$peak" ] && peak=$now
    read -r -t 0.2 -u 9 || true
  done
}

# wrk with bench/scenario.lua; the BENCH_* request settings come as VAR=VALUE arguments.
wrk_json() { # CONNECTIONS SECONDS URL [VAR=VALUE...]
  local conns=$1 secs=$2 url=$3
  shift 3
  env "$@" wrk -t1 -c"$conns" -d"${secs}s" --timeout 10s -s "$(dirname "${BASH_SOURCE[0]}")/scenario.lua" "$url" |
    sed -n 's/^BENCH_RESULT //p'
}

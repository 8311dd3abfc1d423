# shellcheck shell=bash
# Helpers for scripts that run a tessera server in the background; source it
# (scripts/schemathesis, scripts/soak and bench/run do):
#
#   cargo_target_dir              prints Cargo's target directory (honours
#                                 CARGO_TARGET_DIR and .cargo/config)
#   build_tessera [--release]     builds the tessera binary (progress on stderr)
#                                 and prints its path
#   start_tessera NAME BIN [FLAG...]
#                                 runs `BIN serve --addr 127.0.0.1:0 FLAG...` in the
#                                 background (RUST_LOG as set, else warn), stdout in
#                                 $server_logs/NAME.out, stderr in $server_logs/NAME.log;
#                                 waits until it answers GET /healthz, then sets
#                                 server_pid and server_url
#   stop_on_exit PID              another background process to stop on exit
#   at_exit COMMAND...            runs COMMAND on exit, after every process is stopped
#
# Sourcing it sets an EXIT trap that stops the servers (and the processes given
# to stop_on_exit), then runs the at_exit commands; callers use at_exit instead
# of a trap of their own. Needs bash, python3 and cargo.

server_logs=$(mktemp -d)
_server_pids=()
_exit_commands=()

_server_cleanup() {
  local pid command
  for pid in "${_server_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${_server_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  for command in "${_exit_commands[@]}"; do eval "$command" || true; done
  rm -rf "$server_logs"
}
trap _server_cleanup EXIT

stop_on_exit() { _server_pids+=("$1"); }

at_exit() { _exit_commands+=("$(printf '%q ' "$@")"); }

cargo_target_dir() {
  cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])'
}

build_tessera() {
  local profile=debug
  if [ "${1:-}" = --release ]; then profile=release; fi
  echo "==> building the $profile server" >&2
  cargo build --quiet ${1:+"$1"} -p tessera --bin tessera >&2
  echo "$(cargo_target_dir)/$profile/tessera"
}

# Seconds a server may take to answer its first /healthz (a debug build on a busy
# machine migrates its database slowly).
SERVER_START_SECONDS=${SERVER_START_SECONDS:-60}

start_tessera() {
  local name=$1 bin=$2
  shift 2
  local out=$server_logs/$name.out log=$server_logs/$name.log
  # Created here, not by the redirections below: those happen in the child,
  # which a busy machine may not have run yet when the loop first reads them
  # (and a failed read would end the caller under `set -e`).
  : >"$out"
  : >"$log"
  RUST_LOG=${RUST_LOG:-warn} "$bin" serve --addr 127.0.0.1:0 "$@" >"$out" 2>"$log" &
  server_pid=$!
  stop_on_exit "$server_pid"
  server_url=
  local deadline=$((SECONDS + SERVER_START_SECONDS))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "tessera ($name) exited early:" >&2 && cat "$log" >&2 && return 1
    fi
    [ -n "$server_url" ] || server_url=$(sed -n 's/^listening on //p' "$out")
    if [ -n "$server_url" ] && _answers "$server_url/healthz"; then return 0; fi
    sleep 0.1
  done
  echo "tessera ($name) did not answer within ${SERVER_START_SECONDS}s:" >&2
  cat "$log" >&2
  return 1
}

# Whether URL answers 200 (no proxy, a short timeout).
_answers() {
  python3 - "$1" <<'PY' 2>/dev/null
import sys, urllib.request
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
sys.exit(0 if opener.open(sys.argv[1], timeout=2).status == 200 else 1)
PY
}

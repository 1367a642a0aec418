# Shell helpers for the shell-driven integration tests (sourced, not run).
#   tc_start_collector LOG [ARGS...]  starts $TC_COLLECTOR_BIN --listen 127.0.0.1:0 ARGS with
#                                     stdout+stderr to LOG; sets TC_PID and TC_PORT once it logs
#                                     "listening on"; fails (with the log) after 20 s.
#   tc_stop_collector                 SIGTERM, wait up to 30 s, SIGKILL after; sets TC_EXIT.
#   tc_check DESCRIPTION CMD...       runs CMD; counts and prints a failure.
#   tc_summary                        prints "N passed, N failed" and returns non-zero on failure.
# Only processes these helpers started are signalled, by pid.

tc_passed=0
tc_failed=0
TC_PID=""

tc_check() {
  local what="$1"
  shift
  if "$@"; then
    tc_passed=$((tc_passed + 1))
  else
    tc_failed=$((tc_failed + 1))
    echo "FAIL: $what"
  fi
}

tc_summary() {
  echo "$tc_passed passed, $tc_failed failed"
  [[ $tc_failed -eq 0 ]]
}

# Runs CMD until it succeeds, up to 10 s (polling every 0.1 s): for conditions that follow an
# action (a signal, a request). Returns CMD's last status.
tc_eventually() {
  local i
  for ((i = 0; i < 100; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  "$@" >/dev/null 2>&1
}

tc_start_collector() {
  local log="$1"
  shift
  "$TC_COLLECTOR_BIN" --listen 127.0.0.1:0 "$@" >"$log" 2>&1 &
  TC_PID=$!
  TC_PORT=""
  local i
  for ((i = 0; i < 200; i++)); do
    TC_PORT="$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" | head -n1)"
    [[ -n "$TC_PORT" ]] && return 0
    if ! kill -0 "$TC_PID" 2>/dev/null; then
      break
    fi
    sleep 0.1
  done
  echo "collector did not start listening; its log:" >&2
  cat "$log" >&2
  tc_stop_collector
  return 1
}

tc_stop_collector() {
  TC_EXIT=""
  [[ -n "$TC_PID" ]] || return 0
  kill -TERM "$TC_PID" 2>/dev/null
  local i
  for ((i = 0; i < 300; i++)); do
    kill -0 "$TC_PID" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$TC_PID" 2>/dev/null
  wait "$TC_PID" 2>/dev/null
  TC_EXIT=$?
  TC_PID=""
}

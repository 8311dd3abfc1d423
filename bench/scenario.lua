-- wrk script for bench/run: the request comes from the environment, the result
-- goes to stdout as one JSON line (prefixed BENCH_RESULT) for bench/report.py.
--
--   BENCH_METHOD   GET (default) or POST
--   BENCH_BODY     a JSON body (sent with Content-Type: application/json)
--   BENCH_TOKEN    sent as Authorization: Bearer <token>
--   BENCH_PACE_MS  pause between one connection's requests, in ms; 0 (default)
--                  means closed loop, as fast as the server answers. A paced run
--                  is a light latency probe; wrk starts each latency sample when
--                  the request is written, so the pause is not counted.

wrk.method = os.getenv("BENCH_METHOD") or "GET"

local body = os.getenv("BENCH_BODY") or ""
if body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end

local token = os.getenv("BENCH_TOKEN") or ""
if token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

local pace = tonumber(os.getenv("BENCH_PACE_MS") or "0")
if pace > 0 then
  function delay()
    return pace
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "seconds": %.3f, "rps": %.1f, "p50_us": %d, '
      .. '"p99_us": %d, "max_us": %d, "socket_errors": %d, "non_2xx": %d}\n',
    summary.requests,
    summary.duration / 1e6,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50),
    latency:percentile(99),
    latency.max,
    e.connect + e.read + e.write + e.timeout,
    e.status
  ))
end

-- Shared by the endpoint scripts: read the request body, and report one
-- machine-readable line that bench/run parses:
-- BENCH requests duration_us p50_us p99_us socket_errors status_errors
function bench_read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), e.connect + e.read + e.write + e.timeout, e.status))
end

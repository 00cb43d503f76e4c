-- POST /webhooks/whatsapp: one text message, signed by bench/run. With
-- BENCH_POOL (lines "SIGNATURE BODY" from `sign meta-pool`), each request
-- sends the next line, a new message id, split between the BENCH_THREADS
-- threads; else every request sends BENCH_BODY (a redelivery after the first).
dofile(os.getenv("BENCH_LUA") .. "/common.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local pool = os.getenv("BENCH_POOL") or ""
if pool == "" then
  wrk.headers["X-Hub-Signature-256"] = os.getenv("BENCH_SIG")
  wrk.body = bench_read(os.getenv("BENCH_BODY"))
else
  local threads = {}

  function setup(thread)
    thread:set("id", #threads)
    table.insert(threads, thread)
  end

  function init(args)
    local n = tonumber(os.getenv("BENCH_THREADS") or "2")
    reqs, nextreq, wrapped = {}, 1, 0
    local i = 0
    for line in io.lines(pool) do
      if i % n == id then
        local sig, body = line:match("^(%S+) (.*)$")
        reqs[#reqs + 1] = wrk.format(nil, nil, {["Host"] = wrk.headers["Host"],
          ["Content-Type"] = "application/json", ["X-Hub-Signature-256"] = sig}, body)
      end
      i = i + 1
    end
  end

  function request()
    local r = reqs[nextreq]
    nextreq = nextreq + 1
    if nextreq > #reqs then
      nextreq, wrapped = 1, wrapped + 1
    end
    return r
  end

  -- A wrapped pool sent some ids twice: bench/run refuses such a run.
  local report = done
  function done(summary, latency, requests)
    for _, t in ipairs(threads) do
      if t:get("wrapped") > 0 then
        io.write("BENCH-POOL-WRAPPED\n")
      end
    end
    report(summary, latency, requests)
  end
end

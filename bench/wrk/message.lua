-- POST /webhooks/whatsapp: one text message, signed by bench/run.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Hub-Signature-256"] = os.getenv("BENCH_SIG")
wrk.body = bench_read(os.getenv("BENCH_BODY"))

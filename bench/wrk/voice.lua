-- POST /twilio/voice: Twilio's incoming-call form, signed by bench/run.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["X-Twilio-Signature"] = os.getenv("BENCH_SIG")
wrk.body = bench_read(os.getenv("BENCH_BODY"))

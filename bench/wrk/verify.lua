-- GET /webhooks/whatsapp: Meta's verify handshake (the query is in the URL).
dofile(os.getenv("BENCH_LUA") .. "/common.lua")
wrk.method = "GET"

-- POST /auth/passkeys/login with a fresh, never used login challenge per request: wrk thread n
-- walks the file BENCH_BODIES_PREFIX..n..".txt" that the driver wrote (one request body per line:
-- the `challenge_id` of a challenge it stored and the assertion its soft authenticator signed for
-- it, since LuaJIT cannot sign ECDSA). A challenge is single use: running out turns the rest into
-- replays, counted in "wrapped" (pool.lua).
local dir = os.getenv("BENCH_WRK_DIR") or "bench/wrk"
dofile(dir .. "/report.lua")
dofile(dir .. "/pool.lua")

function init(args)
   load_pool("BENCH_BODIES_PREFIX")
end

function request()
   return wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, next_item())
end

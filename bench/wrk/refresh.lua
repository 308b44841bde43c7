-- POST /auth/refresh with a fresh, never used refresh token per request: wrk thread n walks the
-- file BENCH_TOKENS_PREFIX..n..".txt" that the driver wrote (one pre-issued token per line, each of
-- its own session). Running out turns the rest into replays, counted in "wrapped" (pool.lua).
local dir = os.getenv("BENCH_WRK_DIR") or "bench/wrk"
dofile(dir .. "/report.lua")
dofile(dir .. "/pool.lua")

function init(args)
   load_pool("BENCH_TOKENS_PREFIX")
end

function request()
   local body = '{"refresh_token": "' .. next_item() .. '"}'
   return wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, body)
end

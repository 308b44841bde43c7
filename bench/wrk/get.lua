-- GET the URL given to wrk; with BENCH_TOKEN set, as that bearer; with BENCH_API_KEY set, with that
-- API key in X-API-Key.
dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/report.lua")

local token = os.getenv("BENCH_TOKEN")
if token and token ~= "" then
   wrk.headers["Authorization"] = "Bearer " .. token
end

local api_key = os.getenv("BENCH_API_KEY")
if api_key and api_key ~= "" then
   wrk.headers["X-API-Key"] = api_key
end

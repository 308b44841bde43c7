-- The /health probe: each connection waits BENCH_PROBE_DELAY_MS (default 10) between requests, so
-- the probe samples latency at a light, steady rate (4 connections: about 400 requests/s) instead
-- of adding load of its own. wrk measures each request from send to response; the wait is not counted.
dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/report.lua")

local wait = tonumber(os.getenv("BENCH_PROBE_DELAY_MS") or "10")

function delay()
   return wait
end

-- POST /auth/login as the seeded users bench<i>@example.org, i in [BENCH_USER_FIRST, +BENCH_USER_COUNT),
-- cycling, each wrk thread starting at its own offset; all share the password BENCH_PASSWORD, and each
-- presents its device token benchdevice<i>x<BENCH_DEVICE_SUFFIX> (seeded by the driver): a returning user.
dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/report.lua")

local first = tonumber(os.getenv("BENCH_USER_FIRST") or "1")
local count = tonumber(os.getenv("BENCH_USER_COUNT") or "1000")
local password = os.getenv("BENCH_PASSWORD")
local device_suffix = os.getenv("BENCH_DEVICE_SUFFIX")
local next_index = 0

function init(args)
   next_index = (thread_id or 0) * 7919 % count
end

function request()
   local i = first + next_index
   next_index = (next_index + 1) % count
   local body = string.format(
      '{"email": "bench%d@example.org", "password": "%s", "device_token": "benchdevice%dx%s"}',
      i, password, i, device_suffix
   )
   return wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, body)
end

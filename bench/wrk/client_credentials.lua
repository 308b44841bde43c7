-- POST /token with grant_type=client_credentials for the seeded service account, authenticated by
-- HTTP Basic (BENCH_AUTHORIZATION, made by the driver: wrk's LuaJIT has no base64).
dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/report.lua")

local authorization = os.getenv("BENCH_AUTHORIZATION")

function request()
   return wrk.format("POST", nil, {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Authorization"] = authorization,
   }, "grant_type=client_credentials")
end

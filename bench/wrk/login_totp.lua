-- POST /auth/login, then POST /auth/login/mfa with a TOTP code: the two steps of a login on an
-- account with TOTP on. The users bench<i>@example.org, i in [BENCH_USER_FIRST, +BENCH_USER_COUNT),
-- share the password BENCH_PASSWORD and one TOTP secret (seeded by the driver); the driver writes the
-- code of each 30-second step to BENCH_CODES ("<step> <code>" per line), so this script only looks
-- the current step up. Each `mfa_token` a login answers is queued; the next request of the thread
-- sends the oldest queued one with the current code, otherwise it starts the next login. A code is
-- accepted once per account, so users are not repeated within a run (the driver sizes the range and
-- forgets the accepted steps before each run).
dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/report.lua")

local first = tonumber(os.getenv("BENCH_USER_FIRST") or "2001")
local count = tonumber(os.getenv("BENCH_USER_COUNT") or "3000")
local password = os.getenv("BENCH_PASSWORD")
local threads = tonumber(os.getenv("BENCH_THREADS") or "1")
local codes = {}
local pending = {}
local next_index = 0
wrapped = 0

function init(args)
   for line in io.lines(os.getenv("BENCH_CODES")) do
      local step, code = string.match(line, "^(%d+) (%d+)$")
      if step then
         codes[tonumber(step)] = code
      end
   end
   -- Thread n takes the users n, n + threads, n + 2 * threads, ...: no two threads share one.
   next_index = thread_id or 0
end

function request()
   if #pending > 0 then
      local token = table.remove(pending, 1)
      local code = codes[math.floor(os.time() / 30)]
      local body = string.format('{"mfa_token": "%s", "code": "%s"}', token, code)
      return wrk.format("POST", "/auth/login/mfa", { ["Content-Type"] = "application/json" }, body)
   end
   if next_index >= count then
      wrapped = wrapped + 1
   end
   local i = first + next_index % count
   next_index = next_index + threads
   local body = string.format('{"email": "bench%d@example.org", "password": "%s"}', i, password)
   return wrk.format("POST", "/auth/login", { ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
   local token = string.match(body, '"mfa_token":"([^"]+)"')
   if token then
      table.insert(pending, token)
   end
end

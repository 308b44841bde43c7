-- POST /auth/refresh with a fresh, never used refresh token per request: wrk thread n walks the
-- file BENCH_TOKENS_PREFIX..n..".txt" that the driver wrote (one pre-issued token per line, each of
-- its own session). When a thread runs out it starts over, which turns the rest into replays of
-- used tokens; it counts those requests in "wrapped" so the driver can refuse the measurement.
dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/report.lua")

local tokens = {}
local position = 0
local exhausted = false
wrapped = 0

function init(args)
   local path = os.getenv("BENCH_TOKENS_PREFIX") .. (thread_id or 0) .. ".txt"
   for line in io.lines(path) do
      if line ~= "" then
         table.insert(tokens, line)
      end
   end
end

function request()
   position = position + 1
   if position > #tokens then
      position = 1
      exhausted = true
   end
   if exhausted then
      wrapped = wrapped + 1
   end
   local body = '{"refresh_token": "' .. tokens[position] .. '"}'
   return wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, body)
end

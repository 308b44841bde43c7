-- Shared by every bench script: numbers each wrk thread (so scripts can give each its own slice
-- of data) and prints one machine-readable line the driver parses, with exact percentiles.
-- Loaded with dofile() by the other scripts; not meant to be passed to wrk on its own.

local bench_threads = {}

function setup(thread)
   thread:set("thread_id", #bench_threads)
   table.insert(bench_threads, thread)
end

function done(summary, latency, requests)
   local wrapped = 0
   for _, thread in ipairs(bench_threads) do
      wrapped = wrapped + (thread:get("wrapped") or 0)
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %.0f, "p99_us": %.0f, "max_us": %.0f, '
         .. '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d, "wrapped": %d}\n',
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
      e.connect, e.read, e.write, e.status, e.timeout, wrapped))
end

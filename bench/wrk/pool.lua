-- Shared by the scripts whose requests each use up an item the driver seeded (refresh.lua,
-- passkey_login.lua): wrk thread n reads the file <prefix>..n..".txt" the driver wrote, one item a
-- line, and hands them out in order. When a thread runs out it starts over, which turns the rest
-- into replays of used items; it counts those requests in "wrapped" so the driver can refuse the
-- measurement. Loaded with dofile() after report.lua; not meant to be passed to wrk on its own.

local items = {}
local position = 0
local exhausted = false
wrapped = 0

function load_pool(prefix_variable)
   local path = os.getenv(prefix_variable) .. (thread_id or 0) .. ".txt"
   for line in io.lines(path) do
      if line ~= "" then
         table.insert(items, line)
      end
   end
end

function next_item()
   position = position + 1
   if position > #items then
      position = 1
      exhausted = true
   end
   if exhausted then
      wrapped = wrapped + 1
   end
   return items[position]
end

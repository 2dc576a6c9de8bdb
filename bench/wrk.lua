-- wrk script of bench load: each request is a GET of a path drawn at random
-- from a list (one path a line, the file named after --), sent with
-- Accept-Encoding: gzip as browsers send it; done() prints the run as one
-- line of JSON that bench load reads. With "unique" after the file, every
-- request gets its own query parameter (nocache=THREAD-N), so no two URLs
-- are the same and no cache keyed by URL answers.
--
--   wrk -t2 -c32 -d10s -s paths.lua http://127.0.0.1:8080 -- board.txt [unique]

local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

local paths = {}
local unique = false
local n = 0

function init(args)
  unique = args[2] == "unique"
  for line in io.lines(args[1]) do
    if #line > 0 then
      paths[#paths + 1] = line
    end
  end
  math.randomseed(os.time() * 100 + (id or 0))
  wrk.headers["Accept-Encoding"] = "gzip"
end

function request()
  local p = paths[math.random(#paths)]
  if unique then
    n = n + 1
    local sep = "?"
    if string.find(p, "?", 1, true) then
      sep = "&"
    end
    p = p .. sep .. "nocache=" .. (id or 0) .. "-" .. n
  end
  return wrk.format("GET", p)
end

-- Latencies are in microseconds, the duration too. errors counts socket
-- errors and responses with a status of 400 or more.
function done(summary, latency, requests)
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format(
    'WRKJSON {"seconds":%.3f,"requests":%d,"rps":%.2f,"p50_ms":%.3f,"p95_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,' ..
    '"bytes":%d,"errors":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"status":%d}\n',
    secs, summary.requests, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.bytes, e.connect + e.read + e.write + e.timeout + e.status,
    e.connect, e.read, e.write, e.timeout, e.status))
end

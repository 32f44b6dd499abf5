-- The load of `cargo xtask bench --only auth` (bench/src/auth_overhead): wrk runs it as
--   wrk -t<T> -c<C> -d<S>s --latency -s load.lua <url> -- <mode> [<tokens file> <threads> <skip>]
-- mode "none": no Authorization header (GET /health);
-- mode "one": the file's first token on every request (a signed-in user's page);
-- mode "distinct": the first <skip> lines are left out (earlier runs against the same server sent
-- them); of the rest, thread i sends lines i, i+T, i+2T, ... once each (first sight of every token);
-- running out of lines starts the slice again and is counted in `wrapped`, which the bench treats as
-- an error (a repeated token would be a cache hit).
-- done() prints one machine-readable line that the bench parses (AUTH-BENCH ...).

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  local mode, file, thread_count, skip = args[1], args[2], tonumber(args[3] or "1"), tonumber(args[4] or "0")
  wrapped = 0
  if mode == "one" then
    for line in io.lines(file) do
      wrk.headers["Authorization"] = "Bearer " .. line
      break
    end
  elseif mode == "distinct" then
    -- Requests are formatted here, not per request: wrk's own advice for fast servers.
    local requests, count, index = {}, 0, 0
    for line in io.lines(file) do
      if index >= skip and (index - skip) % thread_count == id - 1 then
        count = count + 1
        requests[count] = wrk.format(nil, nil, { Authorization = "Bearer " .. line })
      end
      index = index + 1
    end
    local next_request = 0
    request = function()
      next_request = next_request + 1
      if next_request > count then
        next_request = 1
        wrapped = wrapped + 1
      end
      return requests[next_request]
    end
  elseif mode ~= "none" then
    error("unknown mode " .. tostring(mode))
  end
end

function done(summary, latency, requests)
  local wrapped_total = 0
  for _, thread in ipairs(threads) do
    wrapped_total = wrapped_total + (thread:get("wrapped") or 0)
  end
  local errors = summary.errors
  io.write(string.format(
    "AUTH-BENCH requests=%d duration_us=%d p50_us=%.1f p99_us=%.1f status_errors=%d socket_errors=%d wrapped=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    errors.status, errors.connect + errors.read + errors.write + errors.timeout, wrapped_total))
end

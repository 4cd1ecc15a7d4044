-- knoten's append: every check first, then every write, in one atomic step on the server.
-- One append may carry the events of several commands (a group commit), each with its own
-- idempotency record and its own guard (a sign-up's rate limits and unseen address).
--
-- KEYS: [1] the workshop's log, [2] its person keys, then one idempotency key per record, then
--       one key per extra command (RQ's job commands, seen e-mails, short links), then the
--       guards' counters in order, then (if ARGV[10] names it) the seen set.
-- ARGV: [1] expected version, [2] the append id, [3] the idempotency TTL, [4] how many
--       idempotency records, [5..9] how many entries, new person keys, erased subjects, extra
--       commands and guards follow, [10] the seen set's index in KEYS (0: not here, a cluster
--       checks it outside); then the sealed idempotency records, the entries (stream id, type,
--       data, subjects), the new keys (subject, wrapped key), the erased subjects, per guard its
--       counter count, the counters' TTL, the e-mail hash it takes as unseen ('' for none) and
--       its counters' limits, and per extra command its argument count, its name and its
--       arguments after the key.
-- Reply: {'ok', failed extra commands}, {'landed'} (this append is already in the log: its reply was lost and it was
--       sent again), {'taken', n, record} (the n-th idempotency key is used), {'conflict', length},
--       {'keys', subject...} when a person's key was made meanwhile by another writer, or
--       {'refused', {guards over a limit}, {guards whose address was seen}}. Nothing is written unless 'ok'.
-- A guard's counters count one hit each, in order; a guard that would pass a limit fails and
-- counts nowhere, the guards after it count on as if it were not there.
-- A script is not rolled back when a command fails, so the extra commands come last and their
-- errors are counted, not raised: the events stand, and reconcile queues jobs that are missing.
local log, ring = KEYS[1], KEYS[2]
local expected, append_id, ttl, records = tonumber(ARGV[1]), ARGV[2], ARGV[3], tonumber(ARGV[4])
local entries, new_keys, erased, commands = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local guards, seen_set = tonumber(ARGV[9]), tonumber(ARGV[10])
local first_entry = 11 + records
local first_key = first_entry + 4 * entries
local first_erased = first_key + 2 * new_keys
local first_guard = first_erased + erased
local at = first_guard

local length = redis.call('XLEN', log)
if length > expected then
  local position = (expected + 1) .. '-0'
  local entry = redis.call('XRANGE', log, position, position)[1]
  if entry then
    local fields = entry[2]
    for i = 1, #fields, 2 do
      if fields[i] == 'append' and fields[i + 1] == append_id then return {'landed'} end
    end
  end
end
for r = 1, records do
  local record = redis.call('GET', KEYS[2 + r])
  if record then return {'taken', r, record} end
end
if length ~= expected then return {'conflict', length} end
local clashes = {'keys'}
for i = first_key, first_erased - 1, 2 do
  local stored = redis.call('HGET', ring, ARGV[i])
  if stored and stored ~= ARGV[i + 1] then clashes[#clashes + 1] = ARGV[i] end
end
if #clashes > 1 then return clashes end
local counts, ttls, limited, seen = {}, {}, {}, {}
local counter_key = 3 + records + commands
for guard = 1, guards do
  local n, window_ttl, unseen = tonumber(ARGV[at]), ARGV[at + 1], ARGV[at + 2]
  if unseen ~= '' and seen_set > 0 and redis.call('SISMEMBER', KEYS[seen_set], unseen) == 1 then
    seen[#seen + 1] = guard
  end
  local counted = {}
  for c = 1, n do
    local key = KEYS[counter_key + c - 1]
    local count = (counted[key] or counts[key] or tonumber(redis.call('GET', key) or '0')) + 1
    if count > tonumber(ARGV[at + 2 + c]) then counted = nil break end
    counted[key] = count
  end
  if counted then
    for key, count in pairs(counted) do counts[key], ttls[key] = count, window_ttl end
  else
    limited[#limited + 1] = guard
  end
  counter_key, at = counter_key + n, at + 3 + n
end
if #limited > 0 or #seen > 0 then return {'refused', limited, seen} end

for i = first_key, first_erased - 1, 2 do
  redis.call('HSET', ring, ARGV[i], ARGV[i + 1])
end
for i = first_entry, first_key - 1, 4 do
  redis.call('XADD', log, ARGV[i], 'type', ARGV[i + 1], 'data', ARGV[i + 2], 'subjects', ARGV[i + 3], 'append', append_id)
end
for i = first_erased, first_guard - 1 do  -- forgetting a person is deleting their key, with the tombstone
  redis.call('HDEL', ring, ARGV[i])
end
for r = 1, records do
  redis.call('SET', KEYS[2 + r], ARGV[10 + r], 'EX', ttl)
end
for key, count in pairs(counts) do
  redis.call('SET', key, count, 'EX', ttls[key])
end
local failed = 0
for command = 1, commands do
  local count = tonumber(ARGV[at])
  local result = redis.pcall(ARGV[at + 1], KEYS[2 + records + command], unpack(ARGV, at + 2, at + 1 + count))
  if type(result) == 'table' and result.err then failed = failed + 1 end
  at = at + 2 + count
end
return {'ok', failed}

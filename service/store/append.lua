-- knoten's append: every check first, then every write, in one atomic step on the server.
-- One append may carry the events of several commands (a group commit), each with its own
-- idempotency record.
--
-- KEYS: [1] the workshop's log, [2] its person keys, then one idempotency key per record, then
--       one key per extra command (RQ's job commands, seen e-mails, short links).
-- ARGV: [1] expected version, [2] the append id, [3] the idempotency TTL, [4] how many
--       idempotency records, [5..8] how many entries, new person keys, erased subjects and
--       extra commands follow; then the sealed idempotency records, the entries (stream id,
--       type, data, subjects), the new keys (subject, wrapped key), the erased subjects, and
--       per extra command its argument count, its name and its arguments after the key.
-- Reply: {'ok', failed extra commands}, {'landed'} (this append is already in the log: its reply was lost and it was
--       sent again), {'taken', n, record} (the n-th idempotency key is used), {'conflict', length}, or
--       {'keys', subject...} when a person's key was made meanwhile by another writer. Nothing is written unless 'ok'.
-- A script is not rolled back when a command fails, so the extra commands come last and their
-- errors are counted, not raised: the events stand, and reconcile queues jobs that are missing.
local log, ring = KEYS[1], KEYS[2]
local expected, append_id, ttl, records = tonumber(ARGV[1]), ARGV[2], ARGV[3], tonumber(ARGV[4])
local entries, new_keys, erased, commands = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local first_entry = 9 + records
local first_key = first_entry + 4 * entries
local first_erased = first_key + 2 * new_keys
local at = first_erased + erased

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

for i = first_key, first_erased - 1, 2 do
  redis.call('HSET', ring, ARGV[i], ARGV[i + 1])
end
for i = first_entry, first_key - 1, 4 do
  redis.call('XADD', log, ARGV[i], 'type', ARGV[i + 1], 'data', ARGV[i + 2], 'subjects', ARGV[i + 3], 'append', append_id)
end
for i = first_erased, at - 1 do  -- forgetting a person is deleting their key, with the tombstone
  redis.call('HDEL', ring, ARGV[i])
end
for r = 1, records do
  redis.call('SET', KEYS[2 + r], ARGV[8 + r], 'EX', ttl)
end
local failed = 0
for command = 1, commands do
  local count = tonumber(ARGV[at])
  local result = redis.pcall(ARGV[at + 1], KEYS[2 + records + command], unpack(ARGV, at + 2, at + 1 + count))
  if type(result) == 'table' and result.err then failed = failed + 1 end
  at = at + 2 + count
end
return {'ok', failed}

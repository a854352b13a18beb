import { luaScript } from '../../src/audit/redis-script.js';

/**
 * Every approval state transition is one of these scripts, so it is atomic across
 * replicas. KEYS are always, in this order: the request hash, the pending-by-expiry
 * zset, one zset per state (see STATE_ORDER), then the request's run intent and the
 * intent index (src/intents.ts). ARGV[1] is how long a finished request is kept (ms).
 * A script touches only these keys, so ioredis' keyPrefix applies.
 */
export const STATE_ORDER = [
  'pending',
  'approved',
  'running',
  'succeeded',
  'failed',
  'rejected',
  'expired',
  'cancelled',
] as const;

// The request hash holds: doc (JSON, decoded with cjson), exp (expiry ms), created (ms), state.
const PRELUDE = `
local STATE_KEY = {}
for i, s in ipairs({${STATE_ORDER.map((s) => `'${s}'`).join(', ')}}) do STATE_KEY[s] = i + 2 end
local FINAL = {succeeded = true, failed = true, rejected = true, expired = true, cancelled = true}
local KEEP_MS = tonumber(ARGV[1])
local INTENT = #KEYS - 1
local INTENTS = #KEYS

local function load()
  local raw = redis.call('HGET', KEYS[1], 'doc')
  if not raw then return nil, nil end
  return cjson.decode(raw), raw
end

local function due(now)
  return now >= tonumber(redis.call('HGET', KEYS[1], 'exp'))
end

local function save(doc)
  local raw = cjson.encode(doc)
  redis.call('HSET', KEYS[1], 'doc', raw)
  return raw
end

local function move(doc, to)
  local created = redis.call('HGET', KEYS[1], 'created')
  redis.call('ZREM', KEYS[STATE_KEY[doc.state]], doc.id)
  if doc.state == 'pending' then redis.call('ZREM', KEYS[2], doc.id) end
  redis.call('ZADD', KEYS[STATE_KEY[to]], created, doc.id)
  doc.state = to
  redis.call('HSET', KEYS[1], 'state', to)
  if FINAL[to] then redis.call('PEXPIRE', KEYS[1], KEEP_MS) end
  return save(doc)
end
`;

// The approval becomes the durable intent to run it, owned by the replica that claims it:
// if that replica dies before it is done, another one adopts the intent (handlers/deploy/recovery.ts).
const CLAIM_PRELUDE = `
local function claim(doc, owner, now, nowIso)
  local intent = {id = doc.id, kind = doc.kind, owner = owner, stage = 'claimed', user = doc.requester,
    channel = doc.channel, command = doc.command, app = doc.app, env = doc.env, database = doc.database,
    approvalId = doc.id, createdAt = nowIso}
  if type(doc.binding) == 'table' and doc.binding.app_id then intent.appId = doc.binding.app_id end
  redis.call('SET', KEYS[INTENT], cjson.encode(intent))
  redis.call('ZADD', KEYS[INTENTS], now, doc.id)
  return move(doc, 'running')
end
`;

// The new request's hash and index entries (ARGV: keep, doc, exp, created, ttl), as CREATE and CREATE_ONCE write them.
const INSERT = `
redis.call('HSET', KEYS[1], 'doc', ARGV[2], 'exp', ARGV[3], 'created', ARGV[4], 'state', 'pending')
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('ZADD', KEYS[2], ARGV[3], doc.id)
redis.call('ZADD', KEYS[STATE_KEY.pending], ARGV[4], doc.id)
return 1`;

const script = (body: string) => luaScript(`${PRELUDE}\n${CLAIM_PRELUDE}\n${body}`);

// ARGV: keep, doc, exp, created, ttl of the hash (ms).
export const CREATE = script(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local doc = cjson.decode(ARGV[2])
${INSERT}
`);

// ARGV: keep, user, now, now ISO, self approval allowed ('1'/'0'), replica id. Returns {status, doc}.
// The click that reaches the threshold also claims the run (pending -> running) and writes
// its intent: there is no moment at which a request is approved but owned by nobody.
export const APPROVE = script(`
local doc, raw = load()
if not doc then return {'not_found'} end
if doc.state ~= 'pending' then return {'closed', raw} end
if due(tonumber(ARGV[3])) then return {'expired', move(doc, 'expired')} end
local user = ARGV[2]
if doc.requester == user and ARGV[5] ~= '1' then return {'self_approval', raw} end
for _, a in ipairs(doc.approvals) do
  if a.user == user then return {'already_approved_by_you', raw} end
end
table.insert(doc.approvals, {user = user, at = ARGV[4]})
if #doc.approvals >= (tonumber(doc.required) or 1) then
  return {'approved', claim(doc, ARGV[6], tonumber(ARGV[3]), ARGV[4])}
end
return {'recorded', save(doc)}
`);

// ARGV: keep, user, reason, now, now ISO. Returns {1|0, doc}.
export const REJECT = script(`
local doc, raw = load()
if not doc then return {0} end
if doc.state ~= 'pending' then return {0, raw} end
if due(tonumber(ARGV[4])) then return {0, move(doc, 'expired')} end
doc.rejection = {user = ARGV[2], reason = ARGV[3], at = ARGV[5]}
return {1, move(doc, 'rejected')}
`);

// ARGV: keep, user, now. Returns {1|0, doc}.
export const CANCEL = script(`
local doc, raw = load()
if not doc then return {0} end
if doc.state ~= 'pending' then return {0, raw} end
if due(tonumber(ARGV[3])) then return {0, move(doc, 'expired')} end
if doc.requester ~= ARGV[2] then return {0, raw} end
doc.cancelledBy = ARGV[2]
return {1, move(doc, 'cancelled')}
`);

// ARGV: keep, replica id, now, now ISO. Returns the doc to the one caller that moved
// approved -> running (requests approved by an older dockside that claimed in a second step).
export const CLAIM_RUN = script(`
local doc = load()
if not doc or doc.state ~= 'approved' then return nil end
return claim(doc, ARGV[2], tonumber(ARGV[3]), ARGV[4])
`);

// ARGV: keep, final state, outcome. Returns the doc, or nil when it was not running.
// The run intent goes in the same step: a finished request has nothing left to recover.
export const FINISH = script(`
local doc = load()
if not doc or doc.state ~= 'running' then return nil end
doc.outcome = ARGV[3]
redis.call('DEL', KEYS[INTENT])
redis.call('ZREM', KEYS[INTENTS], doc.id)
return move(doc, ARGV[2])
`);

// ARGV: keep, now. Returns the doc when this call expired it.
export const EXPIRE_IF_DUE = script(`
local doc = load()
if not doc or doc.state ~= 'pending' or not due(tonumber(ARGV[2])) then return nil end
return move(doc, 'expired')
`);

// ARGV: keep, messages JSON. Read-modify-write in one step so a concurrent click is not lost.
export const SET_MESSAGES = script(`
local doc = load()
if not doc then return 0 end
doc.messages = cjson.decode(ARGV[2])
save(doc)
return 1
`);

// CREATE, for a request at most one of whose identity may be pending. KEYS: as always, then
// the identity's twin key last (so INTENT/INTENTS of the prelude do not apply here).
// ARGV: keep, doc, exp, created, ttl of the hash (ms), the id the twin key must name now
// ('' for none). Returns 1, or 0 when another filer named a request first (look again).
export const CREATE_ONCE = script(`
local TWIN = KEYS[#KEYS]
if (redis.call('GET', TWIN) or '') ~= ARGV[6] then return 0 end
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local doc = cjson.decode(ARGV[2])
redis.call('SET', TWIN, doc.id, 'PX', ARGV[5])
${INSERT}
`);

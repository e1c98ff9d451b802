// End-to-end join load for the bench: real participants join rooms as fast as `concurrency`
// joiners allow, each one timed from asking for a token to its first media, and stay until every
// join is done plus `holdMs`. Two modes with the same clients, so the difference is lkfleet's path:
//   "lkfleet": tokens from token-service (auth → route → admission → sign), joined where routed;
//   "direct":  tokens minted here with livekit-server-sdk for one fixed node (LiveKit alone).
// stdin, one JSON line: {"mode":"lkfleet","tokenUrl":"http://…/v1/token","apiKey":"…",
//   "direct":{"url":"ws://…","apiKey":"…","apiSecret":"…"}, "rooms":["dev-join-0",…],
//   "perRoom":4, "concurrency":4, "holdMs":5000, "timeoutMs":20000,
//   "regionRttMs":{"dev-join-0":{"eu-west":10,"eu-central":30},…},   (lkfleet mode: the RTTs the
//   client reports per room, so rooms are routed by latency as real clients' would be)
//   "createRooms":[{"region":"eu-west","url":"http://…","apiKey":"…","apiSecret":"…","nodeIds":["ND_…"],
//   "names":["…"]},…]}
//   (optional, per region: before the joins, LiveKit's CreateRoom alone, one room per name on the
//   region's nodeIds in turn, `concurrency` at a time, from this same process's worker thread; and in
//   lkfleet mode, right before each room's first join, one more CreateRoom alone in the region its
//   clients report nearer, so each new room's token step has a CreateRoom timed at the same moment of
//   the box: what it is compared with)
// The first participant of each room publishes audio and video; the others subscribe and wait for
// the publisher's first video or audio frame. Rooms fill round-robin, publishers first.
// stdout: {"event":"createRoom","ms","reused","ok"} per CreateRoom before the joins, then
//   {"event":"createRoomPaired","room","ms","reused","ok"} and {"event":"join","at":<epoch ms when done>,
//   "room","identity","region","newRoom" (its first join: in lkfleet mode the token step creates the room),
//   "tokenMs" (as this main loop saw it), "tokenHttpMs" (lkfleet mode: the exchange timed in the worker),
//   "serverMs", "routeMs" (lkfleet mode: token-service's own time for the request and for its routing,
//   from its Server-Timing header), "reused" (lkfleet mode: the worker's keep-alive connection was reused),
//   "connectMs","mediaMs","totalMs","ok":true} (or "ok":false,"stage","error") per join,
//   then {"event":"done",…,"mainLoopDelayMs","workerLoopDelayMs"} (how late each loop's timers ran
//   during the joins, p50/p99/max: time spent waiting for a core, the worker's included in tokenHttpMs).
// Run it inside the fleet's network namespace: libwebrtc ignores loopback interfaces.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { Worker } from 'node:worker_threads';
import { AccessToken } from 'livekit-server-sdk';
import { LOOP_RESOLUTION_MS, loopDelay } from './off-loop.mjs';
import { Participant, runMain } from './participant.mjs';

const print = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
const tenths = (ms) => Math.round(ms * 10) / 10;

// Token requests and CreateRoom run in a worker thread (off-loop.mjs), timed there: this main loop
// also feeds every publisher's media, and a figure taken here would include waiting behind it.
const offLoop = new Worker(new URL('./off-loop.mjs', import.meta.url));
const pending = new Map();
let nextTask = 0;
offLoop.on('message', (done) => { pending.get(done.id)(done); pending.delete(done.id); });
const inWorker = (task) => new Promise((resolve) => {
  const id = nextTask++;
  pending.set(id, resolve);
  offLoop.postMessage({ ...task, id });
});

// A Server-Timing metric's duration (ms), undefined when absent.
const serverTiming = (header, metric) => {
  const found = header?.match(new RegExp(`(?:^|,)\\s*${metric};dur=([0-9.]+)`));
  return found ? Number(found[1]) : undefined;
};

// tokenHttpMs: the exchange as the worker timed it (the server's answer time plus loopback HTTP)
async function lkfleetToken(spec, room, identity, publish) {
  const done = await inWorker({ kind: 'token', url: spec.tokenUrl, timeoutMs: spec.timeoutMs,
    headers: { authorization: `Bearer ${spec.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ room_name: room, participant_identity: identity, ttl_seconds: 600,
      grants: publish ? ['publish', 'subscribe'] : ['subscribe'], region_rtt_ms: spec.regionRttMs?.[room] }) });
  if (done.error) throw new Error(done.error);
  const body = JSON.parse(done.body);
  if (done.status !== 201) throw new Error(`token-service answered ${done.status}: ${body.type}`);
  return { url: body.server_url, token: body.participant_token, region: body.region, httpMs: done.ms,
    serverMs: serverTiming(done.serverTiming, 'total'), routeMs: serverTiming(done.serverTiming, 'route'),
    reused: done.reused };
}

async function directToken(spec, room, identity, publish) {
  const token = new AccessToken(spec.direct.apiKey, spec.direct.apiSecret, { identity, ttl: 600 });
  token.addGrant({ roomJoin: true, room, canPublish: publish, canSubscribe: true });
  return { url: spec.direct.url, token: await token.toJwt(), region: 'direct' };
}

// LiveKit's CreateRoom alone, right before a new room's first join, in the region its clients report nearer.
let paired = 0;
async function pairedCreateRoom(spec, room) {
  const rtt = spec.regionRttMs?.[room] ?? {};
  const near = Object.keys(rtt).sort((a, b) => rtt[a] - rtt[b])[0];
  const region = spec.createRooms.find((r) => r.region === near) ?? spec.createRooms[0];
  const done = await inWorker({ kind: 'createRoom', url: region.url, apiKey: region.apiKey, apiSecret: region.apiSecret,
    name: `bench-create-paired-${room}`, nodeId: region.nodeIds[paired++ % region.nodeIds.length] });
  print(done.error ? { event: 'createRoomPaired', room, ok: false, error: done.error }
    : { event: 'createRoomPaired', room, ms: tenths(done.ms), reused: done.reused, ok: true });
}

async function join(spec, room, index, people) {
  const identity = `${room}-p${index}`;
  const publish = index === 0;
  if (publish && spec.mode === 'lkfleet' && spec.createRooms) await pairedCreateRoom(spec, room);
  const result = { event: 'join', room, identity, newRoom: index === 0 };
  let stage = 'token';
  const started = performance.now();
  try {
    const grant = await (spec.mode === 'direct' ? directToken : lkfleetToken)(spec, room, identity, publish);
    result.region = grant.region;
    result.tokenMs = tenths(performance.now() - started);
    if (grant.httpMs !== undefined) result.tokenHttpMs = tenths(grant.httpMs);
    if (grant.serverMs !== undefined) {
      Object.assign(result, { serverMs: grant.serverMs, routeMs: grant.routeMs, reused: grant.reused });
    }
    stage = 'connect';
    const participant = new Participant({ url: grant.url, token: grant.token, publish: publish ? ['audio', 'video'] : [] });
    people.push(participant);
    await participant.join(spec.timeoutMs);
    result.connectMs = Math.round(performance.now() - started - result.tokenMs);
    if (!publish) {
      stage = 'media';
      await participant.firstMedia(1, spec.timeoutMs);
      result.mediaMs = Math.round(performance.now() - started - result.tokenMs - result.connectMs);
    }
    result.totalMs = Math.round(performance.now() - started);
    result.ok = true;
  } catch (err) {
    Object.assign(result, { ok: false, stage, error: String(err?.message ?? err) });
  }
  result.at = Date.now();
  print(result);
  return result;
}

// LiveKit's own CreateRoom, timed alone (in the worker, as the token step): the floor of any token
// step that creates a room.
async function createRooms(spec) {
  const queue = spec.createRooms.flatMap(({ url, apiKey, apiSecret, nodeIds, names }) =>
    names.map((name, i) => ({ kind: 'createRoom', url, apiKey, apiSecret, name, nodeId: nodeIds[i % nodeIds.length] })));
  const creator = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const done = await inWorker(next);
      print(done.error ? { event: 'createRoom', ok: false, error: done.error }
        : { event: 'createRoom', ms: tenths(done.ms), reused: done.reused, ok: true });
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, creator));
}

async function main() {
  const first = await createInterface({ input: process.stdin })[Symbol.asyncIterator]().next();
  const spec = { perRoom: 4, concurrency: 4, holdMs: 5000, timeoutMs: 20000, ...JSON.parse(first.value) };
  if (spec.createRooms) await createRooms(spec);
  const queue = [];
  for (let index = 0; index < spec.perRoom; index++) {
    for (const room of spec.rooms) queue.push([room, index]);
  }
  const people = [];
  const results = [];
  const mainDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  mainDelay.enable();
  await inWorker({ kind: 'loopDelay', reset: true });
  const startedAt = Date.now();
  const joiner = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) results.push(await join(spec, next[0], next[1], people));
  };
  await Promise.all(Array.from({ length: spec.concurrency }, joiner));
  const joinedAt = Date.now();
  mainDelay.disable();
  const workerDelay = (await inWorker({ kind: 'loopDelay' })).loopDelay;
  await new Promise((resolve) => setTimeout(resolve, spec.holdMs));
  await Promise.allSettled(people.map((p) => p.leave()));
  print({ event: 'done', startedAt, joinedAt, joins: results.length, ok: results.filter((r) => r.ok).length,
    mainLoopDelayMs: loopDelay(mainDelay), workerLoopDelayMs: workerDelay });
}

runMain(main);

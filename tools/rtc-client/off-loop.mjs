// A worker thread for join-load.mjs: times token requests and LiveKit's CreateRoom on an event loop
// of its own, so the figure is the HTTP exchange and not the wait behind the main loop, which feeds
// every publisher's media (issue 15.2: the token step measured there was mostly that wait).
// Both go through the same client: node:http with one keep-alive agent, as a backend calls an API,
// so a new room's token step and CreateRoom alone differ only by what the servers do. (Node's fetch
// added 2.1 ms at p50 over the server's own time on an idle fleet, node:http 1.1 ms; issue 15.2.)
// CreateRoom is LiveKit's Twirp call as livekit-server-sdk's RoomServiceClient makes it: JSON, a
// token with roomCreate minted for each call.
// Messages in: {id, kind: 'token', url, headers, body, timeoutMs} or
//              {id, kind: 'createRoom', url, apiKey, apiSecret, name, nodeId, timeoutMs} or
//              {id, kind: 'loopDelay', reset} (reset: start counting afresh).
// Messages out: {id, ms, status, body, serverTiming, reused} or {id, ms, error} or
//               {id, loopDelay: {p50, p99, max}} (how late this loop's timers ran, ms: waiting for a core).
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { AccessToken } from 'livekit-server-sdk';

/** How often a loop's delay is sampled (ms): perf_hooks records each interval whole, so this is taken off. */
export const LOOP_RESOLUTION_MS = 10;
/** An event loop delay histogram (perf_hooks) as {p50, p99, max}: ms its timers ran late (join-load.mjs's main loop too). */
export const loopDelay = (histogram) => {
  const late = (nanos) => Math.max(0, nanos / 1e6 - LOOP_RESOLUTION_MS);
  return { p50: late(histogram.percentile(50)), p99: late(histogram.percentile(99)), max: late(histogram.max) };
};

const agent = new http.Agent({ keepAlive: true });
const delay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
if (parentPort) delay.enable();

function post(url, headers, body, timeoutMs) {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', agent, timeout: timeoutMs,
      headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode, body: Buffer.concat(chunks).toString(),
        serverTiming: response.headers['server-timing'], reused: request.reusedSocket }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', reject);
    request.end(body);
  });
}

async function createRoom({ url, apiKey, apiSecret, name, nodeId, timeoutMs }) {
  const token = new AccessToken(apiKey, apiSecret, { ttl: '10m' });
  token.addGrant({ roomCreate: true });
  const answer = await post(`${url}/twirp/livekit.RoomService/CreateRoom`, {
    authorization: `Bearer ${await token.toJwt()}`, 'content-type': 'application/json;charset=UTF-8' },
  JSON.stringify({ name, node_id: nodeId }), timeoutMs ?? 10000);
  if (answer.status !== 200) throw new Error(`CreateRoom answered ${answer.status}: ${answer.body}`);
  return answer;
}

parentPort?.on('message', async (task) => {
  if (task.kind === 'loopDelay') {
    parentPort.postMessage({ id: task.id, loopDelay: loopDelay(delay) });
    if (task.reset) delay.reset();
    return;
  }
  const started = performance.now();
  try {
    const answer = task.kind === 'token' ? await post(task.url, task.headers, task.body, task.timeoutMs)
      : await createRoom(task);
    parentPort.postMessage({ id: task.id, ms: performance.now() - started, ...answer });
  } catch (err) {
    parentPort.postMessage({ id: task.id, ms: performance.now() - started, error: String(err?.message ?? err) });
  }
});

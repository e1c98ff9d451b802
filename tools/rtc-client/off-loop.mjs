// A worker thread for join-load.mjs: times token requests and LiveKit's CreateRoom on an event loop
// of its own, so the figure is the HTTP exchange and not the wait behind the main loop, which feeds
// every publisher's media (issue 15.2: the token step measured there was mostly that wait).
// Messages in: {id, kind: 'token', url, headers, body, timeoutMs} or
//              {id, kind: 'createRoom', url, apiKey, apiSecret, name, nodeId}.
// Messages out: {id, ms, status, body} or {id, ms, error}.
import { parentPort } from 'node:worker_threads';
import { RoomServiceClient } from 'livekit-server-sdk';

const clients = new Map();

function roomService({ url, apiKey, apiSecret }) {
  const key = `${url}|${apiKey}`;
  if (!clients.has(key)) clients.set(key, new RoomServiceClient(url, apiKey, apiSecret));
  return clients.get(key);
}

parentPort.on('message', async (task) => {
  const started = performance.now();
  try {
    if (task.kind === 'token') {
      const response = await fetch(task.url, { method: 'POST', headers: task.headers, body: task.body,
        signal: AbortSignal.timeout(task.timeoutMs) });
      const body = await response.text();
      parentPort.postMessage({ id: task.id, ms: performance.now() - started, status: response.status, body });
    } else {
      await roomService(task).createRoom({ name: task.name, nodeId: task.nodeId });
      parentPort.postMessage({ id: task.id, ms: performance.now() - started });
    }
  } catch (err) {
    parentPort.postMessage({ id: task.id, ms: performance.now() - started, error: String(err?.message ?? err) });
  }
});

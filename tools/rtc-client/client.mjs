// Real WebRTC participants for lkfleet's tests and probes (@livekit/rtc-node, libwebrtc inside).
//
// stdin, first line: {"participants":[{"label":"p1","url":"ws://…","token":"…",
//                     "publish":["audio","video"],"subscribe":true}], "connectTimeoutMs":20000}
// stdout: one JSON line per event: {"event":"joined"|"failed",…} per participant, then
//         {"event":"ready",…} once every participant joined or failed.
// stdin, later lines: "stats" prints {"event":"stats",…}; "leave" (or end of stdin) disconnects
//         everyone, prints {"event":"left",…} and exits 0.
// Run it inside the fleet's network namespace: libwebrtc ignores loopback interfaces.
import { createInterface } from 'node:readline';
import { Participant, runMain } from './participant.mjs';

const print = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

async function main() {
  const first = await lines.next();
  if (first.done) throw new Error('expected a JSON spec on the first line of stdin');
  const spec = JSON.parse(first.value);
  const timeoutMs = spec.connectTimeoutMs ?? 20000;
  const participants = spec.participants.map((p) => new Participant(p));
  const results = await Promise.all(participants.map((p) => p.join(timeoutMs).then(
    (ok) => { print(ok); return ok; },
    (err) => { const failed = { event: 'failed', label: p.spec.label, error: String(err?.message ?? err) }; print(failed); return failed; })));
  print({ event: 'ready', joined: results.filter((r) => r.event === 'joined').length,
    failed: results.filter((r) => r.event === 'failed').length });
  for (;;) {
    const line = await lines.next();
    const command = line.done ? 'leave' : line.value.trim();
    if (command === 'stats') {
      print({ event: 'stats', participants: participants.map((p) => p.stats()) });
    } else if (command === 'leave') {
      const stats = participants.map((p) => p.stats());
      await Promise.allSettled(participants.map((p) => p.leave()));
      print({ event: 'left', participants: stats });
      break;
    }
  }
}

runMain(main);

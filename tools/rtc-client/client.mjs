// Real WebRTC participants for lkfleet's tests and probes (@livekit/rtc-node, libwebrtc inside).
//
// stdin, first line: {"participants":[{"label":"p1","url":"ws://…","token":"…",
//                     "publish":["audio","video"],"subscribe":true}], "connectTimeoutMs":20000}
// stdout: one JSON line per event: {"event":"joined"|"failed",…} per participant, then
//         {"event":"ready",…} once every participant joined or failed.
// stdin, later lines: "stats" prints {"event":"stats",…}; "leave" (or end of stdin) disconnects
//         everyone, prints {"event":"left",…} and exits 0.
// Run it inside the fleet's network namespace: libwebrtc ignores loopback interfaces.
import {
  AudioFrame, AudioSource, AudioStream, LocalAudioTrack, LocalVideoTrack, Room, RoomEvent,
  TrackKind, TrackPublishOptions, TrackSource, VideoBufferType, VideoFrame, VideoSource,
  VideoStream, dispose,
} from '@livekit/rtc-node';
import { createInterface } from 'node:readline';

const print = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

class Participant {
  constructor(spec) {
    this.spec = spec;
    this.room = new Room();
    this.timers = [];
    this.subscribed = { audio: 0, video: 0 };
    this.firstMediaMs = [];
    this.published = [];
  }

  async join(timeoutMs) {
    const started = performance.now();
    this.room.on(RoomEvent.TrackSubscribed, (track) => this.onSubscribed(track, started));
    const timeout = new Promise((_, reject) =>
      setTimeout(() => reject(new Error(`connect timed out after ${timeoutMs} ms`)), timeoutMs).unref());
    await Promise.race([
      this.room.connect(this.spec.url, this.spec.token, { autoSubscribe: this.spec.subscribe !== false, dynacast: false }),
      timeout,
    ]);
    this.joinMs = performance.now() - started;
    for (const kind of this.spec.publish ?? []) {
      await this.publish(kind);
    }
    return {
      event: 'joined', label: this.spec.label, joinMs: Math.round(this.joinMs),
      room: this.room.name, participantSid: this.room.localParticipant?.sid, published: this.published,
    };
  }

  async publish(kind) {
    const options = new TrackPublishOptions();
    if (kind === 'audio') {
      const source = new AudioSource(48000, 1);
      const track = LocalAudioTrack.createAudioTrack('mic', source);
      options.source = TrackSource.SOURCE_MICROPHONE;
      await this.room.localParticipant.publishTrack(track, options);
      let phase = 0;
      this.timers.push(setInterval(() => {
        const samples = new Int16Array(480);
        for (let i = 0; i < samples.length; i++, phase++) samples[i] = Math.sin(phase / 20) * 3000;
        source.captureFrame(new AudioFrame(samples, 48000, 1, 480)).catch(() => {});
      }, 10));
    } else if (kind === 'video') {
      const width = 320, height = 240;
      const source = new VideoSource(width, height);
      const track = LocalVideoTrack.createVideoTrack('camera', source);
      options.source = TrackSource.SOURCE_CAMERA;
      options.simulcast = true;
      await this.room.localParticipant.publishTrack(track, options);
      const data = new Uint8Array(width * height * 4);
      let frame = 0;
      this.timers.push(setInterval(() => {
        data.fill(frame++ % 255);
        source.captureFrame(new VideoFrame(data, width, height, VideoBufferType.RGBA));
      }, 66));
    } else {
      throw new Error(`cannot publish '${kind}'`);
    }
    this.published.push(kind);
  }

  onSubscribed(track, started) {
    const kind = track.kind === TrackKind.KIND_VIDEO ? 'video' : 'audio';
    this.subscribed[kind]++;
    // Wait for the first decoded frame only, then let the stream go: counting every frame costs CPU.
    const stream = kind === 'video' ? new VideoStream(track) : new AudioStream(track);
    const reader = stream.getReader();
    reader.read().then(({ done }) => {
      if (!done) this.firstMediaMs.push(Math.round(performance.now() - started));
      reader.releaseLock();
      stream.cancel().catch(() => {});
    }).catch(() => {});
  }

  stats() {
    return { label: this.spec.label, subscribed: this.subscribed, tracksWithMedia: this.firstMediaMs.length };
  }

  async leave() {
    this.timers.forEach(clearInterval);
    await this.room.disconnect();
  }
}

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
  await dispose();
  process.exit(0);
}

main().catch(async (err) => {
  print({ event: 'error', error: String(err?.stack ?? err) });
  await dispose().catch(() => {});
  process.exit(1);
});

// A real WebRTC participant (@livekit/rtc-node, libwebrtc inside): joins with a given token,
// publishes generated audio/video, subscribes, and notes when the first media of each track arrives.
// Shared by client.mjs (tests) and probe.mjs (the synthetic join probe).
import {
  dispose,
  AudioFrame, AudioSource, AudioStream, LocalAudioTrack, LocalVideoTrack, Room, RoomEvent,
  TrackKind, TrackPublishOptions, TrackSource, VideoBufferType, VideoFrame, VideoSource,
  VideoStream,
} from '@livekit/rtc-node';

export class Participant {
  constructor(spec) {
    this.spec = spec;
    this.room = new Room();
    this.timers = [];
    this.subscribed = { audio: 0, video: 0 };
    this.firstMediaMs = [];
    this.published = [];
    this.onMedia = [];
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
      if (!done) {
        this.firstMediaMs.push(Math.round(performance.now() - started));
        this.onMedia.forEach((listener) => listener());
      }
      reader.releaseLock();
      stream.cancel().catch(() => {});
    }).catch(() => {});
  }

  /** Resolves with the ms from join start until {@code count} tracks have delivered media. */
  firstMedia(count, timeoutMs) {
    return new Promise((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`no media after ${timeoutMs} ms`)), timeoutMs);
      const check = () => {
        if (this.firstMediaMs.length >= count) {
          clearTimeout(deadline);
          resolve(Math.max(...this.firstMediaMs.slice(0, count)));
        }
      };
      this.onMedia.push(check);
      check();
    });
  }

  stats() {
    return { label: this.spec.label, subscribed: this.subscribed, tracksWithMedia: this.firstMediaMs.length };
  }

  async leave() {
    this.timers.forEach(clearInterval);
    await this.room.disconnect();
  }
}

/** Runs a driver's main: exit 0 when it ends; when it throws, its error as a JSON line and exit 1. */
export function runMain(main) {
  main().then(async () => {
    await dispose();
    process.exit(0);
  }, async (err) => {
    process.stdout.write(JSON.stringify({ event: 'error', error: String(err?.stack ?? err) }) + '\n');
    await dispose().catch(() => {});
    process.exit(1);
  });
}

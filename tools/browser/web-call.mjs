// A web app's call in a real browser, the way client apps use LiveKit: this script serves the app
// (web-app/index.html and livekit-client from node_modules, never a CDN) on a loopback origin, and
// each participant is a page of its own in Chromium with a fake camera and microphone. A page asks
// TOKEN_URL for its token with livekit-client's TokenSource.endpoint, sending CREDENTIAL as its
// Authorization header, and joins the server_url it is given. Prints {"event":"ready","origin":…},
// then answers (protocol: driver.mjs):
//   {"cmd":"join","identity":i,"room":r,"publish":bool}   a new page joins room r as i
//   {"cmd":"awaitVideo","identity":i,"from":p,"frames":n}  waits until i's page decoded n frames of p's
//                                                          camera: {"video":{subscribed,framesDecoded,width,height}}
//   {"cmd":"quit"}
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { launch, serve, timeout, watch } from './driver.mjs';

const here = new URL('.', import.meta.url);
const files = {
  '/': [new URL('web-app/index.html', here), 'text/html; charset=utf-8'],
  '/livekit-client.umd.js': [new URL('node_modules/livekit-client/dist/livekit-client.umd.js', here),
    'text/javascript; charset=utf-8'],
};
const app = createServer(async (req, res) => {
  const file = files[new URL(req.url, 'http://app').pathname];
  if (!file) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'Content-Type': file[1] }).end(await readFile(file[0]));
});
await new Promise((resolve) => app.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${app.address().port}`;

const browser = await launch(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required']);
const pages = new Map();

const commands = {
  join: async ({ identity, room, publish }) => {
    const page = watch(await (await browser.createBrowserContext()).newPage());
    pages.set(identity, page);
    await page.goto(`${origin}/`, { waitUntil: 'load', timeout });
    try {
      const joined = await page.evaluate((spec) => window.webCall.join(spec), {
        tokenUrl: process.env.TOKEN_URL, credential: process.env.CREDENTIAL, roomName: room, identity, publish,
      });
      return { joined };
    } catch (e) {
      // seen: a Chromium outside the namespace reaches neither LiveKit's WebSocket nor its /rtc/validate
      if (String(e?.message).includes('could not establish signal connection')) {
        throw new Error(`${e.message} (is Chromium inside the fleet's network namespace, as deploy/local/test and `
          + '`deploy/local/fleet exec` put it?)');
      }
      throw e;
    }
  },
  awaitVideo: async ({ identity, from, frames }) => {
    const page = pages.get(identity);
    try {
      await page.waitForFunction(async (p, n) => ((await window.webCall.received(p)).framesDecoded ?? 0) >= n,
        { timeout, polling: 250 }, from, frames);
    } catch (e) {
      const seen = await page.evaluate((p) => window.webCall.received(p), from);
      throw new Error(`${identity} did not decode ${frames} frames of ${from}'s camera (${JSON.stringify(seen)}): ${e.message}`);
    }
    return { video: await page.evaluate((p) => window.webCall.received(p), from) };
  },
};

await serve(browser, async () => ({ origin }), commands);
app.close();

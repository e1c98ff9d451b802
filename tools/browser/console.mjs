// The fleet console in a real browser: headless Chromium from Debian (/usr/bin/chromium, or
// CHROMIUM_BIN) driven by puppeteer-core. Opens CONSOLE_URL, prints {"event":"ready", nodes} once the
// page shows the fleet, then answers one JSON command per stdin line with one JSON line:
//   {"cmd":"nodes"}                                  every node as the page shows it
//   {"cmd":"awaitRoom","room":r,"subscriptions":n}   waits until a node lists room r with >= n subscriptions
//   {"cmd":"drain","node":id,"token":t}              types the admin token, clicks the node's Drain button,
//                                                    waits for the page's answer (message and DRAINING)
//   {"cmd":"sizing","participants":n}                fills in and submits the sizing form
//   {"cmd":"alerts"}                                 the alerts panel's entries
//   {"cmd":"screenshot","path":p}                    full-page PNG
//   {"cmd":"quit"}
// The launch and the line protocol are driver.mjs's.
import { launch, serve, timeout, watch } from './driver.mjs';

const url = process.env.CONSOLE_URL;
const browser = await launch(['--window-size=1280,900'], { defaultViewport: { width: 1280, height: 900 } });
const page = watch(await browser.newPage());

const nodes = () => page.$$eval('.node', (els) => els.map((e) => ({
  id: e.dataset.node, region: e.closest('.region').dataset.region, state: e.dataset.state,
  draining: e.dataset.draining === 'true', subscriptions: Number(e.dataset.subscriptions),
  measured: Number(e.dataset.measured), reserved: Number(e.dataset.reserved), limit: Number(e.dataset.limit),
  barPercent: parseFloat(e.querySelector('.bar .model').style.width),
  rooms: [...e.querySelectorAll('tr[data-room]')].map((r) => r.dataset.room),
  text: e.querySelector('.figures').textContent,
})));

const commands = {
  nodes: async () => ({ nodes: await nodes() }),
  awaitRoom: async ({ room, subscriptions }) => {
    await page.waitForFunction((name, n) => [...document.querySelectorAll('tr[data-room]')]
      .some((r) => r.dataset.room === name && Number(r.children[3].textContent.replace(/,/g, '')) >= n),
    { timeout }, room, subscriptions);
    return { node: (await nodes()).find((n) => n.rooms.includes(room)) };
  },
  drain: async ({ node, token }) => {
    await page.$eval('#credential', (e) => { e.value = ''; });
    await page.type('#credential', token);
    const button = await page.waitForSelector(`.node[data-node="${node}"] .drain-button[data-action="drain"]`, { timeout });
    await page.$eval('#message', (m) => { m.hidden = true; m.textContent = ''; m.className = ''; });
    await button.click();
    await page.waitForFunction((id) => {
      const m = document.getElementById('message');
      const el = [...document.querySelectorAll('.node')].find((e) => e.dataset.node === id);
      return (!m.hidden && m.textContent.includes(id)) || (el && el.dataset.draining === 'true');
    }, { timeout }, node);
    const message = await page.$eval('#message', (m) => ({ text: m.textContent, error: m.className === 'error' }));
    if (!message.error) {
      await page.waitForSelector(`.node[data-node="${node}"] .badge.draining`, { timeout });
    }
    return { message, node: (await nodes()).find((n) => n.id === node) };
  },
  sizing: async ({ participants }) => {
    await page.$eval('#sizing-form input[name=participants]', (e, n) => { e.value = n; }, String(participants));
    await page.click('#sizing-form button[type=submit]');
    await page.waitForSelector('#sizing-result dd[data-field="nodes needed"]', { timeout });
    return {
      sizing: await page.$$eval('#sizing-result dd', (dds) => Object.fromEntries(dds.map((d) => [d.dataset.field, d.textContent]))),
    };
  },
  alerts: async () => ({
    text: await page.$eval('#alerts-body', (e) => e.textContent),
    alerts: await page.$$eval('.alert', (els) => els.map((e) => ({ name: e.dataset.alert, state: e.dataset.state }))),
  }),
  screenshot: async ({ path }) => {
    await page.screenshot({ path, fullPage: true });
    return { path };
  },
};

await serve(browser, async () => {
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout });
  await page.waitForSelector('.node', { timeout });
  return { nodes: await nodes() };
}, commands);

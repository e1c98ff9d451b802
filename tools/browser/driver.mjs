// What the browser scripts share: headless Chromium from Debian (/usr/bin/chromium, or CHROMIUM_BIN)
// driven by puppeteer-core, and their line protocol: one {"event":"ready",…} line once the script is
// set up (or {"event":"error",…} and exit 1), then one JSON answer line per JSON command line on
// stdin ({"cmd":…}); an answer carries the pages' uncaught errors (pageErrors), a failed command
// {"error": "..."}; {"cmd":"quit"} or the end of stdin closes the browser. As root, Chromium needs
// --no-sandbox. Run it inside the fleet's network namespace.
import puppeteer from 'puppeteer-core';
import { createInterface } from 'node:readline';

export const timeout = Number(process.env.BROWSER_TIMEOUT_MS ?? 30000);
export const pageErrors = [];

const out = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);

/** Launches Chromium with the shared flags and {@code args}; {@code options} go to puppeteer as they are. */
export function launch(args = [], options = {}) {
  return puppeteer.launch({
    executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-dev-shm-usage', ...args],
    ...options,
  });
}

/** Records the page's uncaught errors for every answer. */
export function watch(page) {
  page.on('pageerror', (e) => pageErrors.push(String(e?.message ?? e)));
  return page;
}

/** Prints ready with what {@code setUp} returns, then answers commands with {@code commands[cmd]} until quit. */
export async function serve(browser, setUp, commands) {
  try {
    out({ event: 'ready', ...(await setUp()) });
  } catch (e) {
    out({ event: 'error', error: String(e?.message ?? e), pageErrors });
    await browser.close();
    process.exit(1);
  }
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue;
    const command = JSON.parse(line);
    if (command.cmd === 'quit') break;
    try {
      out({ ...(await commands[command.cmd](command)), pageErrors });
    } catch (e) {
      out({ error: String(e?.message ?? e), pageErrors });
    }
  }
  await browser.close();
}

// Headless Chromium (Debian's chromium, driven by playwright-core) runs the
// shared browser cases (browser-cases.ts): the packed package on a
// cross-origin-isolated page, the simd build on the main thread, the
// threaded build in a module Worker (its pool on nested module Workers),
// Node's bits everywhere. Its console must stay free of warnings.

import { chromium } from 'playwright-core';
import { browserSuite } from './browser-cases.js';

browserSuite({
  name: 'chromium',
  threads: true,
  async open(url) {
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const console: string[] = [];
    try {
      const tab = await browser.newPage();
      tab.on('console', (m) => { if (m.type() === 'warning' || m.type() === 'error') console.push(`${m.type()}: ${m.text()}`); });
      tab.on('pageerror', (e) => console.push(`pageerror: ${e.message}`));
      await tab.goto(url);
    } catch (e) {
      await browser.close();
      throw e;
    }
    return { console, close: () => browser.close() };
  },
});

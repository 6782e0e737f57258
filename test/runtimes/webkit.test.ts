// WebKit, Safari's engine, as Debian ships it: WebKitGTK's MiniBrowser under
// WebKitWebDriver and an Xvfb display of its own (webkit-driver.ts), running
// the shared browser cases (browser-cases.ts) on a cross-origin-isolated
// page. Stock WebKitGTK reports crossOriginIsolated but exposes no
// SharedArrayBuffer (a shared WebAssembly.Memory can be made, but not posted
// to a Worker: DataCloneError), so a Worker cannot run the threaded build:
// init() must pick simd and say why, init({ threads: 2 }) must refuse, and
// every number must still be Node's, bit for bit.

import { describe, expect, test } from 'vitest';
import { browserSuite } from './browser-cases.js';
import { startWebKit, webkitInstalled } from './webkit-driver.js';

describe('webkit', () => {
  test('WebKitWebDriver, MiniBrowser and Xvfb are installed (scripts/setup.sh)', () => {
    expect(webkitInstalled()).toBe(true);
  });
});

browserSuite({
  name: 'webkit',
  threads: false,
  async open(url) {
    const wk = await startWebKit();
    try {
      await wk.driver.get(url);
    } catch (e) {
      await wk.close();
      throw new Error(`webkit: could not open the page: ${e}\n${wk.log()}`);
    }
    return { close: () => wk.close() };
  },
});

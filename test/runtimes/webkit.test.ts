// WebKit, Safari's engine, as Debian ships it: WebKitGTK's MiniBrowser under
// WebKitWebDriver and an Xvfb display of its own (webkit-driver.ts), running
// the shared browser cases (browser-cases.ts) on a cross-origin-isolated
// page, twice:
// - stock: WebKitGTK reports crossOriginIsolated but exposes no
//   SharedArrayBuffer (a shared WebAssembly.Memory can be made, but not
//   posted to a Worker: DataCloneError), so a Worker cannot run the threaded
//   build: init() must pick simd and say why, init({ threads: 2 }) must
//   refuse;
// - with JavaScriptCore's SharedArrayBuffer switched on
//   (JSC_useSharedArrayBuffer=1), as Safari has it on isolated pages: the
//   threaded build must run its pool in JavaScriptCore.
// Every number must be Node's, bit for bit, both times.

import { describe, expect, test } from 'vitest';
import { browserSuite, type Engine } from './browser-cases.js';
import { startWebKit, webkitInstalled } from './webkit-driver.js';

describe('webkit', () => {
  test('WebKitWebDriver, MiniBrowser and Xvfb are installed (scripts/setup.sh)', () => {
    expect(webkitInstalled()).toBe(true);
  });
});

const open = (env: Record<string, string>): Engine['open'] => async (url) => {
  const wk = await startWebKit(env);
  try {
    await wk.driver.get(url);
  } catch (e) {
    await wk.close();
    throw new Error(`webkit: could not open the page: ${e}\n${wk.log()}`);
  }
  return { close: () => wk.close() };
};

browserSuite({ name: 'webkit', threads: false, open: open({}) });

browserSuite({
  name: 'webkit with SharedArrayBuffer on (JSC_useSharedArrayBuffer=1, as in Safari)',
  threads: true,
  open: open({ JSC_useSharedArrayBuffer: '1' }),
});

// Loading a build. Entries per runtime (node.ts, deno.ts, index.ts for
// browsers, workerd.ts, edge-light.ts) differ only in how they find the
// default .wasm; the rest is here. A second, threaded build will register
// beside 'simd' and be chosen by the same code.

import { type Backend, setBackend } from './backend.js';
import type { InitInfo, InitOptions, WasmSource } from './types.js';
import * as simd from './wasm/simd/ssimkit.js';

export type BuildName = InitInfo['build'];

/** How a runtime finds the default module of a build. */
export interface Runtime {
  name: InitInfo['runtime'];
  locate(build: BuildName): WasmSource | Promise<WasmSource>;
}

const builds: Record<BuildName, typeof simd> = { simd };

// A module using one SIMD128 instruction (i32x4.splat): validating it tells
// whether this host runs SIMD without compiling the real module.
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 8, 1, 6, 0, 65, 0, 253, 17, 11]);

export function hostHasSimd(): boolean {
  try {
    return WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

function info(runtime: InitInfo['runtime'], build: BuildName): InitInfo {
  const features = builds[build].buildFeatures().split(',').filter(Boolean);
  return { build, simd: features.includes('simd128'), threads: 1, runtime, features };
}

function checkOptions(fn: string, options: unknown): InitOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) throw new TypeError(`${fn}: options must be an object`);
  for (const k of Object.keys(options)) {
    if (k !== 'module') throw new TypeError(`${fn}: unknown option '${k}' (known: module)`);
  }
  return options as InitOptions;
}

function requireSimd(fn: string): void {
  if (!hostHasSimd()) {
    throw new Error(`${fn}: this host's WebAssembly has no SIMD128 (needed by ssimkit; every current browser, Node >= 16, Deno and edge runtime have it)`);
  }
}

export function makeInit(rt: Runtime) {
  let loaded: Promise<InitInfo> | undefined;
  let ready: InitInfo | undefined;

  /**
   * Loads the WebAssembly once; later calls return the same promise. Pass
   * `{ module }` (a compiled `WebAssembly.Module`, bytes, a `Response` or a
   * URL) to supply the wasm yourself, as edge runtimes must.
   */
  function init(options?: InitOptions): Promise<InitInfo> {
    if (loaded) return loaded;
    loaded = (async () => {
      const o = checkOptions('init', options);
      requireSimd('init');
      const build: BuildName = 'simd';
      const source = await (o.module ?? rt.locate(build));
      await builds[build].default({ module_or_path: source as never });
      setBackend(builds[build] as unknown as Backend);
      ready = info(rt.name, build);
      return ready;
    })();
    // A failed load (a wrong path, say) may be retried.
    loaded.catch(() => { loaded = undefined; });
    return loaded;
  }

  /** Synchronous init from a compiled module or its bytes (e.g. in a Worker). */
  function initSync(options: { module: WebAssembly.Module | BufferSource }): InitInfo {
    if (ready) return ready;
    const o = checkOptions('initSync', options);
    if (o.module === undefined) throw new TypeError('initSync: pass { module } (a WebAssembly.Module or its bytes)');
    requireSimd('initSync');
    builds.simd.initSync({ module: o.module as WebAssembly.Module });
    setBackend(builds.simd as unknown as Backend);
    ready = info(rt.name, 'simd');
    loaded = Promise.resolve(ready);
    return ready;
  }

  return { init, initSync };
}

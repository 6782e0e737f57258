// The 'edge-light' condition (Vercel Edge, Next.js's edge runtime,
// edge-runtime): the inlined simd build, compiled here, so any bundler
// (plain esbuild included) carries it. Not deflated: edge-runtime has no
// DecompressionStream (the gzip transfer is 401 KB instead of 297 KB). Hosts that forbid compiling
// WebAssembly from bytes (Vercel's Edge in production, Next.js's edge
// sandbox) need the module compiled by their bundler, passed to init():
//   import wasm from 'ssimkit/simd.wasm?module';
//   await init({ module: wasm });
import { makeInit } from './init.js';
import { fromBase64 } from './base64.js';
import { bytes as base64, size } from './wasm/simd/inline-raw.js';

export * from './common.js';

const FORBIDDEN = "this host does not allow compiling WebAssembly from bytes (Vercel's Edge Runtime, Next.js's edge sandbox): import the compiled module and pass it, `import wasm from 'ssimkit/simd.wasm?module'; await init({ module: wasm })`";

export const { init, initSync } = makeInit({
  name: 'edge-light',
  locate: async (build) => {
    if (build !== 'simd') throw new Error(`the ${build} build is not carried by ssimkit's edge-light entry (its hosts all have SIMD128)`);
    const bytes = fromBase64(base64);
    if (bytes.length !== size) throw new Error(`the inlined wasm decoded to ${bytes.length} bytes, not ${size}`);
    try {
      return await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
    } catch (e) {
      // V8's words when the embedder disallows wasm code generation.
      if (e instanceof WebAssembly.CompileError && /disallowed|not allowed/i.test(e.message)) throw new Error(FORBIDDEN, { cause: e });
      throw e;
    }
  },
});

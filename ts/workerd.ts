// Cloudflare Workers (workerd) forbid compiling wasm from bytes at run time:
// the module must be imported statically, which wrangler turns into a
// compiled WebAssembly.Module (its CompiledWasm rule).
import wasm from './wasm/simd/ssimkit_bg.wasm';
import { makeInit } from './init.js';

export * from './common.js';
export const { init, initSync } = makeInit({
  name: 'workerd',
  locate: (build) => {
    if (build !== 'simd') throw new Error(`the ${build} build is not carried by ssimkit's workerd entry (workerd has SIMD128)`);
    return wasm;
  },
});

// Vercel Edge: `?module` asks the bundler for a compiled WebAssembly.Module.
import wasm from './wasm/simd/ssimkit_bg.wasm?module';
import { makeInit } from './init.js';

export * from './common.js';
export const { init, initSync } = makeInit({ name: 'edge-light', locate: () => wasm });

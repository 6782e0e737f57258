// What the browser page and its Workers share (browser-cases.ts serves this
// directory): the fixture cases over fetched files, what the realm says
// about itself, and stage posts, so that a run which never reports still
// says how far it got.

import { runCases, runDecodeCases } from '/shared/cases.mjs';

export { encode } from '/wire.mjs';

export const stage = (s) => fetch('/stage', { method: 'POST', body: s }).catch(() => {});

// A module with one SIMD128 instruction (i32x4.splat).
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 8, 1, 6, 0, 65, 0, 253, 17, 11]);

export const env = () => ({
  hardwareConcurrency: navigator.hardwareConcurrency,
  crossOriginIsolated: self.crossOriginIsolated,
  sharedArrayBuffer: typeof SharedArrayBuffer,
  wasmSimd: WebAssembly.validate(SIMD_PROBE),
  userAgent: navigator.userAgent,
});

const read = async (file) => {
  const r = await fetch('/fixtures/' + file);
  if (!r.ok) throw new Error(file + ': HTTP ' + r.status);
  return r.arrayBuffer();
};

/** Every fixture case and decode case, with this realm's ssimkit. */
export async function cases(ssimkit) {
  const results = await runCases(ssimkit, await (await fetch('/fixtures/cases.json')).json(), read);
  const decode = await runDecodeCases(ssimkit, await (await fetch('/decode.json')).json(), read);
  return { results, decode };
}

export const said = (e) => `${e?.name}: ${e?.message}`;

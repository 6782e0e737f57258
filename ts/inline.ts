// The simd build carried inside the JavaScript (scripts/inline-wasm.mjs), so
// that a bundler that knows nothing of .wasm files still ships it: the
// browser entry's source, and Node's and Deno's when their .wasm file is not
// beside them (a single-file server bundle).
import { fromBase64 } from './base64.js';
import { deflated, size } from './wasm/simd/inline.js';

/** Whether this host can inflate the inlined build (DecompressionStream). */
export function canInflate(): boolean {
  return typeof DecompressionStream === 'function';
}

/** The simd build's bytes. */
export async function inlinedSimd(): Promise<Uint8Array> {
  if (!canInflate()) throw new Error('this host has no DecompressionStream to unpack the inlined wasm');
  // Streams by hand, not through `Response`: in Node its first use loads
  // undici, ~30 ms.
  const ds = new DecompressionStream('deflate');
  const writer = ds.writable.getWriter();
  const written = writer.write(fromBase64(deflated) as Uint8Array<ArrayBuffer>).then(() => writer.close());
  written.catch(() => {}); // a corrupt stream rejects the reads below too
  const reader = ds.readable.getReader();
  const out = new Uint8Array(size);
  let at = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (at + value.length > size) throw new Error(`the inlined wasm unpacks to more than its ${size} bytes`);
    out.set(value, at);
    at += value.length;
  }
  await written;
  if (at !== size) throw new Error(`the inlined wasm unpacked to ${at} bytes, not ${size}`);
  return out;
}

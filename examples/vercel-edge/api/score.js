// Vercel Edge function, POST /api/score with multipart/form-data: the
// reference file in field `ref`, the distorted one in `img` (PNG, JPEG or
// WebP). Answers { width, height, ssim, msssim, dssim, lwssim } as JSON.
// #region readme
import { decode, dssim, init, lwssim, msssim, ssim, wasmMemoryBytes } from 'ssimkit';
// Vercel's Edge does not compile WebAssembly from bytes: its bundler
// compiles the module ('?module') and init() is given it.
import wasm from 'ssimkit/simd.wasm?module';

export const config = { runtime: 'edge' };
// #endregion

// Largest image accepted, in pixels: a 4K pair fits an edge isolate's memory.
const MAX_PIXELS = 3840 * 2160;
// Five MS-SSIM scales halve a side four times and the coarsest must still
// hold the 11-pixel window: sides below 161 have no default MS-SSIM.
const MSSSIM_MIN_SIDE = 161;

let ready; // one init per isolate, shared by its requests

const json = (body, status = 200, headers = {}) =>
  Response.json(body, { status, headers: { ...headers, 'cache-control': 'no-store' } });

// Bad input of the caller is a 400 with ssimkit's own message.
class BadRequest extends Error {
  constructor(message, field) {
    super(message);
    this.field = field;
  }
}

async function readImage(form, field) {
  const file = form.get(field);
  if (file === null) throw new BadRequest(`missing form field '${field}': send the reference as 'ref' and the distorted image as 'img'`, field);
  if (typeof file === 'string') throw new BadRequest(`form field '${field}' must be a file, not text`, field);
  try {
    return decode(new Uint8Array(await file.arrayBuffer()), { maxPixels: MAX_PIXELS });
  } catch (e) {
    if (e instanceof TypeError || e instanceof RangeError) throw new BadRequest(e.message, field);
    throw e;
  }
}

export default async function handler(request) {
  if (request.method !== 'POST') {
    return json({ error: `${request.method} is not allowed: POST the files 'ref' and 'img' as multipart/form-data` }, 405, { allow: 'POST' });
  }
  let form;
  try {
    form = await request.formData();
  } catch {
    return json({ error: "the body must be multipart/form-data with the files 'ref' and 'img'" }, 400);
  }
  await (ready ??= init({ module: wasm }));
  try {
    // Decoded once each (one at a time); the four metrics share the pixels.
    const ref = await readImage(form, 'ref');
    const img = await readImage(form, 'img');
    const small = Math.min(ref.width, ref.height) < MSSSIM_MIN_SIDE;
    const body = {
      width: ref.width,
      height: ref.height,
      ssim: ssim(ref, img).score,
      msssim: small ? null : msssim(ref, img).score,
      dssim: dssim(ref, img),
      lwssim: lwssim(ref, img).score,
    };
    return json(body, 200, { 'ssimkit-wasm-memory-bytes': String(wasmMemoryBytes()) });
  } catch (e) {
    if (e instanceof BadRequest) return json({ error: e.message, field: e.field }, 400);
    // Images that decode but do not pair up (sizes differ, ...).
    if (e instanceof TypeError || e instanceof RangeError) return json({ error: e.message }, 400);
    throw e;
  }
}

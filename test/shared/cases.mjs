// Runs the fixture cases with whatever ssimkit API it is handed. Plain
// JavaScript with no imports, so Node, Deno, Chromium, workerd and
// edge-runtime all load the very same file; each harness sends the results
// back to the Node test, which holds every runtime to the fixtures and to
// Node's own numbers, bit for bit.

const ARRAYS = { u8: Uint8Array, u16: Uint16Array, f32: Float32Array };

/** Builds an ssimkit image from a fixture input and its raw bytes. */
export function toImage(input, bytes) {
  const Ctor = ARRAYS[input.dtype];
  if (!Ctor) throw new Error(`unknown dtype ${input.dtype}`);
  // Copy into a fresh, aligned buffer: a view into a larger one may be unaligned.
  const buf = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(buf).set(new Uint8Array(bytes.buffer ?? bytes, bytes.byteOffset ?? 0, bytes.byteLength));
  return { data: new Ctor(buf), width: input.width, height: input.height, channels: input.channels };
}

/** FNV-1a over the bytes of a Float32Array: a map's fingerprint. */
export function digest(f32) {
  const b = new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength);
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/**
 * @param api      the module's exports ({ ssim, msssim, lwssim, ... })
 * @param fixtures parsed cases.json
 * @param read     (relative path inside test/fixtures) => Promise<ArrayBuffer|Uint8Array>
 * @returns [{ id, score, channels, mapWidth?, mapHeight?, mapDigest?, error? }]
 */
export async function runCases(api, fixtures, read) {
  const images = new Map();
  const image = async (name) => {
    if (!images.has(name)) {
      const input = fixtures.inputs[name];
      if (!input) throw new Error(`fixture input ${name} is not declared`);
      images.set(name, toImage(input, await read(input.file)));
    }
    return images.get(name);
  };
  const results = [];
  for (const c of fixtures.cases) {
    const [ref, img] = [await image(c.ref), await image(c.img)];
    try {
      // Cases with a reference map also return theirs, so every runtime's
      // map is compared with Node's bit for bit (through its digest).
      const options = c.expected?.map ? { ...c.options, map: true } : (c.options ?? {});
      const r = api[c.fn](ref, img, options);
      const out = { id: c.id, score: r.score, channels: r.channels };
      if (r.map) Object.assign(out, { mapWidth: r.mapWidth, mapHeight: r.mapHeight, mapDigest: digest(r.map) });
      results.push(out);
    } catch (e) {
      results.push({ id: c.id, error: `${e?.name}: ${e?.message}` });
    }
  }
  return results;
}

/**
 * Decodes files in whatever runtime this runs in, for the Node test to
 * compare with Node's decode, bit for bit (test/runtimes/decode-cases.ts
 * holds the list).
 * @param list { files: [{ id, file }], scores: [{ id, fn, a, b, options? }],
 *             broken: [{ id, file, keep }] }: paths inside test/fixtures;
 *             a score's `b` may be a raw input ({ file, dtype, width, ... })
 * @returns [{ id, ... }]: a file's header and its samples' digest; a score
 *          on the files' bytes; a broken file's errors (decode and ssim) and
 *          a good decode after them
 */
export async function runDecodeCases(api, list, read) {
  const bytes = async (file) => new Uint8Array(await read(file));
  const results = [];
  const decoded = async (id, file) => {
    try {
      const d = api.decode(await bytes(file));
      return { id, format: d.format, width: d.width, height: d.height, channels: d.channels, bitDepth: d.bitDepth,
        array: d.data.constructor.name, samples: d.data.length, digest: digest(d.data) };
    } catch (e) {
      return { id, error: `${e?.name}: ${e?.message}` };
    }
  };
  for (const c of list.files) results.push(await decoded(c.id, c.file));
  for (const c of list.scores) {
    const b = typeof c.b === 'string' ? await bytes(c.b) : toImage(c.b, await read(c.b.file));
    try {
      const r = api[c.fn](await bytes(c.a), b, c.options ?? {});
      const out = typeof r === 'number' ? { id: c.id, score: r } : { id: c.id, score: r.score, channels: r.channels };
      if (r.map) Object.assign(out, { mapWidth: r.mapWidth, mapHeight: r.mapHeight, mapDigest: digest(r.map) });
      results.push(out);
    } catch (e) {
      results.push({ id: c.id, error: `${e?.name}: ${e?.message}` });
    }
  }
  for (const c of list.broken) {
    const whole = await bytes(c.file);
    const cut = whole.slice(0, c.keep);
    const caught = (f) => { try { f(); return 'no error'; } catch (e) { return `${e?.name}: ${e?.message}`; } };
    const image = api.decode(whole);
    results.push({
      id: c.id,
      error: caught(() => api.decode(cut)),
      ssimError: caught(() => api.ssim(cut, image)),
      // The module keeps working after both.
      after: (await decoded(c.id, c.file)).digest,
    });
  }
  return results;
}

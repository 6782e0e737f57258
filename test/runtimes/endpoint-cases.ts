// The behaviour both edge examples promise (the Cloudflare Worker and the
// Vercel Edge function): POST two files as multipart form data, get JSON
// scores equal to Node's bits; 400 with ssimkit's message for bad input, 405
// for other methods, and the module still working afterwards.

import { beforeAll, expect, test } from 'vitest';
import { crop, flatPng, form, jpeg4k, nodeScores, read, sameScores, type Scores, SHIPPED, thrown } from './examples.js';

export type Fetch = (init: { method?: string; body?: ArrayBuffer | string; headers?: Record<string, string> }) =>
  Promise<{ status: number; headers: Headers; text(): Promise<string> }>;

export interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

export const MAX_PIXELS = 3840 * 2160;

export async function post(fetch: Fetch, files: Record<string, Uint8Array | string>): Promise<Answer> {
  const { body, headers } = await form(files);
  const res = await fetch({ method: 'POST', body, headers });
  const text = await res.text();
  try {
    return { status: res.status, headers: res.headers, body: JSON.parse(text) };
  } catch {
    throw new Error(`HTTP ${res.status}, not JSON: ${text.slice(0, 500)}`);
  }
}

export interface Hooks4k {
  /** Just before the 4K request is sent. */
  before?: (files: { ref: Uint8Array; img: Uint8Array }) => Promise<void>;
  /** Right after its answer, before anything else runs in the runtime. */
  after?: (a: Answer) => Promise<void>;
}

/**
 * Registers the shared tests. `setup` gives the endpoint and Node's ssimkit
 * once the suite's beforeAll has them; `hooks` let a suite measure around
 * the 4K request.
 */
export function endpointCases(setup: () => { fetch: Fetch; api: any }, hooks: Hooks4k = {}) {
  const shipped = { ref: read(SHIPPED.ref), img: read(SHIPPED.img) };
  let k4: { ref: Uint8Array; img: Uint8Array };
  let crops: Record<number, { ref: Uint8Array; img: Uint8Array }>;
  let tooLarge: Uint8Array;
  beforeAll(async () => {
    k4 = await jpeg4k();
    crops = { 160: await crop(160), 161: await crop(161) };
    // One pixel wider than 4K: over the examples' maxPixels.
    tooLarge = await flatPng(3841, 2160);
  });

  const scoresOf = (a: Answer) => {
    expect(a.status, JSON.stringify(a.body)).toBe(200);
    return a.body as unknown as Scores;
  };

  test("the shipped pair: 200 and Node's scores bit for bit", async () => {
    const { fetch, api } = setup();
    const got = scoresOf(await post(fetch, shipped));
    const node = nodeScores(api, shipped.ref, shipped.img);
    expect(Object.keys(got).sort()).toEqual(['dssim', 'height', 'lwssim', 'msssim', 'ssim', 'width']);
    expect(sameScores(got, node)).toEqual([]);
    // The comparison notices one ulp.
    const moved = { ...node, ssim: node.ssim + Number.EPSILON * 2 ** Math.floor(Math.log2(node.ssim)) };
    expect(sameScores(got, moved)).not.toEqual([]);
  });

  test("a 4K (3840x2160) JPEG pair: 200 and Node's scores bit for bit", async () => {
    const { fetch, api } = setup();
    await hooks.before?.(k4);
    const a = await post(fetch, k4);
    await hooks.after?.(a);
    const got = scoresOf(a);
    const node = nodeScores(api, k4.ref, k4.img);
    expect(got).toMatchObject({ width: 3840, height: 2160 });
    expect(typeof got.msssim).toBe('number');
    expect(sameScores(got, node)).toEqual([]);
    // The bound for a 4K pair, read in the runtime itself.
    const wasm = Number(a.headers.get('ssimkit-wasm-memory-bytes'));
    expect(wasm).toBeGreaterThan(0);
    expect(wasm).toBeLessThanOrEqual(64 * 2 ** 20);
  });

  test('MS-SSIM is null exactly when ssimkit finds the image too small for it (160 vs 161 pixels)', async () => {
    const { fetch, api } = setup();
    for (const side of [160, 161]) {
      const got = scoresOf(await post(fetch, crops[side]!));
      const node = nodeScores(api, crops[side]!.ref, crops[side]!.img);
      expect(got.msssim === null, `side ${side}`).toBe(side === 160);
      expect(sameScores(got, node)).toEqual([]);
    }
  });

  test('other methods: 405 with Allow: POST', async () => {
    const { fetch } = setup();
    for (const method of ['GET', 'PUT']) {
      const res = await fetch({ method });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
      expect(JSON.parse(await res.text()).error).toMatch(new RegExp(`^${method} is not allowed`));
    }
  });

  test('bad input: 400 with a JSON error, ssimkit\'s own message where ssimkit refused it', async () => {
    const { fetch, api } = setup();
    const notMultipart = await fetch({ method: 'POST', body: 'ref=a&img=b', headers: { 'content-type': 'text/plain' } });
    expect(notMultipart.status).toBe(400);
    expect(JSON.parse(await notMultipart.text()).error).toMatch(/multipart\/form-data/);

    expect(await post(fetch, { ref: shipped.ref })).toMatchObject({ status: 400, body: { field: 'img', error: expect.stringMatching(/^missing form field 'img'/) } });
    expect(await post(fetch, { ref: 'text', img: shipped.img })).toMatchObject({ status: 400, body: { field: 'ref', error: expect.stringMatching(/must be a file/) } });

    const text = new TextEncoder().encode('<!doctype html><title>not an image</title>');
    const truncated = read(SHIPPED.img).subarray(0, 4000);
    const cases: [string, Record<string, Uint8Array>, string, string][] = [
      ['not an image', { ref: text, img: shipped.img }, 'ref', thrown(() => api.decode(text))],
      ['truncated PNG', { ref: shipped.ref, img: truncated }, 'img', thrown(() => api.decode(truncated))],
      ['too large', { ref: tooLarge, img: shipped.img }, 'ref', thrown(() => api.decode(tooLarge, { maxPixels: MAX_PIXELS }))],
    ];
    for (const [what, files, field, message] of cases) {
      const a = await post(fetch, files);
      expect(message, what).toMatch(/^decode: /);
      expect(a, what).toMatchObject({ status: 400, body: { field, error: message } });
    }
    expect(cases[2]![3]).toMatch(/maxPixels/);

    // Both decode, but do not pair up.
    const mismatch = { ref: shipped.ref, img: crops[161]!.img };
    const message = thrown(() => api.ssim(api.decode(mismatch.ref), api.decode(mismatch.img)));
    expect(message).toMatch(/^ssim: /);
    expect(await post(fetch, mismatch)).toMatchObject({ status: 400, body: { error: message } });

    // And the module still gives the same bits.
    expect(sameScores(scoresOf(await post(fetch, shipped)), nodeScores(api, shipped.ref, shipped.img))).toEqual([]);
  });
}


// What the example suites share: an example project staged beside the packed
// package, the image files they send (the shipped pair, a 4K JPEG pair and
// small crops made with sharp, bad files) and Node's scores for them.

import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { type Pkg, ROOT, scratch } from './harness.js';

export const IMAGES = join(ROOT, 'examples/images');
export const SHIPPED = { ref: join(IMAGES, 'chelsea.png'), img: join(IMAGES, 'chelsea-jpeg-q20.png') };

export interface Scores {
  width: number;
  height: number;
  ssim: number;
  msssim: number | null;
  dssim: number;
  lwssim: number;
}

/**
 * A copy of examples/<name> inside the project that has the packed ssimkit
 * installed, so its `import 'ssimkit'` resolves to the package as a user's
 * `npm i ssimkit` would.
 */
export function stageExample(pkg: Pkg, name: string): { dir: string; remove(): void } {
  const s = scratch(pkg);
  cpSync(join(ROOT, 'examples', name), s.dir, { recursive: true, filter: (f) => !f.includes('node_modules') });
  return s;
}

export const read = (file: string) => new Uint8Array(readFileSync(file));

/**
 * A 3840x2160 JPEG pair: the shipped photo enlarged, saved at quality 90
 * (reference) and 40 (distorted), baseline 4:2:0 as most cameras and
 * encoders write.
 */
export async function jpeg4k(): Promise<{ ref: Uint8Array; img: Uint8Array }> {
  const big = sharp(SHIPPED.ref).resize(3840, 2160, { fit: 'fill' });
  const [ref, img] = await Promise.all([90, 40].map((quality) => big.clone().jpeg({ quality }).toBuffer()));
  return { ref: new Uint8Array(ref!), img: new Uint8Array(img!) };
}

/** A side x side crop of the shipped pair, as PNG (reference) and JPEG. */
export async function crop(side: number): Promise<{ ref: Uint8Array; img: Uint8Array }> {
  const region = { left: 0, top: 0, width: side, height: side };
  const ref = await sharp(SHIPPED.ref).extract(region).png().toBuffer();
  const img = await sharp(SHIPPED.img).extract(region).jpeg({ quality: 50 }).toBuffer();
  return { ref: new Uint8Array(ref), img: new Uint8Array(img) };
}

/** A plain PNG of width x height (cheap to make and to send at any size). */
export async function flatPng(width: number, height: number): Promise<Uint8Array> {
  const png = await sharp({ create: { width, height, channels: 3, background: { r: 40, g: 90, b: 160 } } }).png().toBuffer();
  return new Uint8Array(png);
}

/**
 * Node's scores straight from the file bytes (each metric decoding for
 * itself, unlike the examples, which decode once): MS-SSIM null exactly
 * when ssimkit says the image is too small for it.
 */
export function nodeScores(api: any, ref: Uint8Array, img: Uint8Array): Scores {
  let msssim: number | null;
  try {
    msssim = api.msssim(ref, img).score;
  } catch (e) {
    if (!(e instanceof RangeError && /too small/.test(e.message))) throw e;
    msssim = null;
  }
  const { width, height } = api.decode(ref);
  return { width, height, ssim: api.ssim(ref, img).score, msssim, dssim: api.dssim(ref, img), lwssim: api.lwssim(ref, img).score };
}

/** The error message `f` throws (what an example must answer with). */
export function thrown(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

/** Two files as one multipart body, serialised here so any runtime's fetch takes it. */
export async function form(files: Record<string, Uint8Array | string>): Promise<{ body: ArrayBuffer; headers: Record<string, string> }> {
  const f = new FormData();
  for (const [k, v] of Object.entries(files)) {
    if (typeof v === 'string') f.set(k, v);
    else f.set(k, new Blob([v as Uint8Array<ArrayBuffer>]), `${k}.bin`);
  }
  const r = new Response(f);
  return { body: await r.arrayBuffer(), headers: { 'content-type': r.headers.get('content-type')! } };
}

/** Same number, bit for bit (NaN equals NaN, -0 differs from 0). */
export function sameScores(a: Scores, b: Scores): string[] {
  return (Object.keys(b) as (keyof Scores)[]).filter((k) => !Object.is(a[k], b[k])).map((k) => `${k}: ${a[k]} vs node ${b[k]}`)
    .concat(Object.keys(a).length === Object.keys(b).length ? [] : [`keys ${Object.keys(a)} vs ${Object.keys(b)}`]);
}

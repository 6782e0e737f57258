// The demo page (site/, `npm run demo:web`), as a visitor uses it: built by
// scripts/build-site.mjs, served cross-origin isolated by the browser
// suites' server, opened in headless Chromium. Files are dropped on the
// drop zones (a synthetic drop event whose DataTransfer holds File objects
// made in the page) or picked (the file inputs), and what the page shows
// must be Node's numbers for the same files, bit for bit in data-value and
// rounded the same way in the text. Also: the threaded build in the
// isolated page's Worker, one thread and the reason without isolation, the
// heatmap drawn exactly as Node's heatmap(), the opacity slider, and errors
// that leave the page working. Saves a screenshot to test/.tmp/demo-web.png
// (and docs/demo-web.png with UPDATE_SCREENSHOTS=1, the README's picture).

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import { decode, dssim, heatmap, init, lwssim, msssim, ssim } from 'ssimkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildSite, SITE_DIST } from '../scripts/build-site.mjs';
import { serveIsolated } from './runtimes/isolated-server.mjs';
import { crop, read, SHIPPED, thrown } from './runtimes/examples.js';
import { ROOT } from './runtimes/harness.js';

const METRICS = ['ssim', 'msssim', 'dssim', 'lwssim'] as const;
type Metric = (typeof METRICS)[number];
interface Shown { value?: string; text: string }
interface Row { metric: Metric; score: Shown; channels: Shown[]; time: string }
interface Want { score: number | null; channels?: number[] }
interface Server { origin: string; served: { path: string; type?: string }[]; close(): Promise<void> }
interface FileSpec { name: string; type: string; base64?: string; url?: string }

let browser: Browser;
let isolated: Server, plain: Server;
let built: { file: string; bytes: number }[];
const errors: string[] = [];

/** Node's numbers for a pair, computed the way the page's Worker does. */
function nodeNumbers(refBytes: Uint8Array, imgBytes: Uint8Array) {
  const ref = decode(refBytes), img = decode(imgBytes);
  const s = ssim(ref, img, { map: true });
  let m: Want;
  try {
    const r = msssim(ref, img);
    m = { score: r.score, channels: r.channels };
  } catch (e) {
    if (!(e instanceof RangeError && /too small/.test(e.message))) throw e;
    m = { score: null };
  }
  const l = lwssim(ref, img);
  const want: Record<Metric, Want> = {
    ssim: { score: s.score, channels: s.channels },
    msssim: m,
    dssim: { score: dssim(ref, img) },
    lwssim: { score: l.score, channels: l.channels },
  };
  return { want, ref, map: s };
}

/** Every difference between the page's table and Node's numbers, as readable lines. */
function unlike(rows: Row[], want: Record<Metric, Want>): string[] {
  const out: string[] = [];
  expect(rows.map((r) => r.metric)).toEqual([...METRICS]);
  const check = (where: string, shown: Shown | undefined, value: number) => {
    if (!shown || !Object.is(Number(shown.value), value)) out.push(`${where}: data-value ${shown?.value} vs node ${value}`);
    // The text is that value rounded to 6 decimals, and reads back within half a unit of the last digit.
    else if (shown.text !== value.toFixed(6) || Math.abs(Number(shown.text) - value) > 5e-7) out.push(`${where}: text ${shown.text} vs node ${value}`);
  };
  for (const row of rows) {
    const w = want[row.metric];
    if (w.score === null) {
      if (row.score.text !== 'n/a' || row.score.value !== undefined) out.push(`${row.metric}: ${row.score.text} where Node has none`);
    } else {
      check(row.metric, row.score, w.score);
    }
    const channels = w.channels ?? [];
    if (row.channels.length !== channels.length) out.push(`${row.metric}: ${row.channels.length} channel scores vs node ${channels.length}`);
    channels.forEach((c, i) => check(`${row.metric} channel ${i}`, row.channels[i], c));
    if (!/^\d+\.\d ms$/.test(row.time)) out.push(`${row.metric}: time ${row.time}`);
  }
  return out;
}

async function open(origin: string): Promise<Page> {
  const tab = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  tab.on('pageerror', (e) => errors.push(`${origin} pageerror: ${e.message}`));
  tab.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(`${origin} ${m.type()}: ${m.text()}`); });
  await tab.goto(`${origin}/`);
  await tab.waitForFunction(() => document.getElementById('status')!.dataset.build !== undefined, undefined, { timeout: 20_000 });
  return tab;
}

const done = (tab: Page) => tab.evaluate(() => Number(document.body.dataset.done));

/** Waits until one more pair has been answered; returns the page's state then. */
async function settled(tab: Page, before: number): Promise<string> {
  await tab.waitForFunction((n) => Number(document.body.dataset.done) > n && document.body.dataset.state !== 'busy', before, { timeout: 20_000 });
  return tab.evaluate(() => document.body.dataset.state!);
}

/** Drops files on an element, as a drag from the desktop does: a drop event with a DataTransfer of Files. */
async function drop(tab: Page, selector: string, files: FileSpec[]) {
  await tab.evaluate(async ([sel, specs]) => {
    const transfer = new DataTransfer();
    for (const { name, type, base64, url } of specs) {
      const bytes = url ? new Uint8Array(await (await fetch(url)).arrayBuffer()) : Uint8Array.from(atob(base64!), (c) => c.charCodeAt(0));
      transfer.items.add(new File([bytes], name, { type }));
    }
    const target = document.querySelector(sel)!;
    target.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    target.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, [selector, files] as const);
}

const bytesOf = (name: string, type: string, bytes: Uint8Array): FileSpec => ({ name, type, base64: Buffer.from(bytes).toString('base64') });

const readTable = (tab: Page) => tab.evaluate(() => {
  const shown = (c: Element | null): { value?: string; text: string } => ({ value: (c as HTMLElement).dataset.value, text: c!.textContent! });
  return Array.from(document.querySelectorAll<HTMLElement>('#scores-body tr')).map((tr) => ({
    metric: tr.dataset.metric,
    score: shown(tr.querySelector('.score')),
    channels: Array.from(tr.querySelectorAll<HTMLElement>('.channel')).filter((c) => c.dataset.value !== undefined).map(shown),
    time: tr.querySelector('.time')!.textContent!,
  }));
}) as Promise<Row[]>;

const canvasPixels = (tab: Page, id: string) => tab.evaluate((i) => {
  const c = document.getElementById(i) as HTMLCanvasElement;
  return { width: c.width, height: c.height, data: Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data) };
}, id);

const message = (tab: Page) => tab.evaluate(() => {
  const m = document.getElementById('message')!;
  return { text: m.textContent!, error: m.classList.contains('error'), results: !document.getElementById('results')!.hidden };
});

const status = (tab: Page) => tab.evaluate(() => ({ ...document.getElementById('status')!.dataset, text: document.getElementById('status')!.textContent! }));

const sample = (file: string) => ({ name: file.split('/').pop()!, type: 'image/png', url: `samples/${file.split('/').pop()}` });

// What each step saw, checked by the tests below.
const seen: Record<string, any> = {};

beforeAll(async () => {
  await init();
  const t0 = performance.now();
  built = await buildSite();
  seen.buildMs = performance.now() - t0;
  [isolated, plain, browser] = await Promise.all([
    serveIsolated({ routes: { '/': SITE_DIST } }),
    serveIsolated({ routes: { '/': SITE_DIST }, isolated: false }),
    chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    }),
  ]);
  const [crop200, crop100] = await Promise.all([crop(200), crop(100)]);
  seen.node = nodeNumbers(read(SHIPPED.ref), read(SHIPPED.img));
  seen.nodeSmall = nodeNumbers(crop100.ref, crop100.img);
  seen.nodeMismatch = thrown(() => ssim(decode(read(SHIPPED.ref)), decode(crop200.img)));
  seen.nodeUndecodable = thrown(() => decode(new TextEncoder().encode('not an image')));

  // The isolated page: the sample pair dropped, one file per zone.
  const tab = await open(isolated.origin);
  try {
    seen.status = await status(tab);
    seen.initial = await message(tab);
    // Something that is no file (dragged text): a message, nothing scored.
    await tab.evaluate(() => {
      const transfer = new DataTransfer();
      transfer.setData('text/plain', 'chelsea');
      document.getElementById('drop-ref')!.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    });
    seen.noFile = { ...(await message(tab)), state: await tab.evaluate(() => document.body.dataset.state) };
    let n = await done(tab);
    await drop(tab, '#drop-ref', [sample(SHIPPED.ref)]);
    seen.afterOne = await message(tab);
    await drop(tab, '#drop-img', [sample(SHIPPED.img)]);
    seen.sampleState = await settled(tab, n);
    seen.sample = await readTable(tab);
    seen.image = await canvasPixels(tab, 'image');
    seen.heatmap = await canvasPixels(tab, 'heatmap');
    seen.legend = await canvasPixels(tab, 'legend');
    // The 1200x900 viewport down to the page's last line; quantised to a
    // palette (sharp), a third of the size, for the README.
    const bottom = await tab.evaluate(() => Math.ceil(document.getElementById('status')!.getBoundingClientRect().bottom) + 24);
    const raw = await tab.screenshot({ type: 'png', clip: { x: 0, y: 0, width: 1200, height: Math.min(900, bottom) } });
    const shot = await sharp(raw).png({ palette: true, quality: 90, effort: 10, compressionLevel: 9 }).toBuffer();
    mkdirSync(join(ROOT, 'test/.tmp'), { recursive: true });
    writeFileSync(join(ROOT, 'test/.tmp/demo-web.png'), shot);
    if (process.env.UPDATE_SCREENSHOTS === '1') writeFileSync(join(ROOT, 'docs/demo-web.png'), shot);
    seen.shot = { bytes: shot.length, ...(await sharp(shot).metadata()) };

    const opacity = () => tab.evaluate(() => [getComputedStyle(document.getElementById('heatmap')!).opacity, document.getElementById('opacity-value')!.textContent]);
    seen.opacityBefore = await opacity();
    await tab.fill('#opacity', '20');
    seen.opacityAfter = await opacity();

    // Two sizes, then a file that is no image: messages, and the page goes on.
    n = await done(tab);
    await drop(tab, '#drop-img', [bytesOf('crop.jpg', 'image/jpeg', crop200.img)]);
    seen.mismatchState = await settled(tab, n);
    seen.mismatch = await message(tab);
    n = await done(tab);
    await drop(tab, '#drop-ref', [{ name: 'notes.txt', type: 'text/plain', base64: Buffer.from('not an image').toString('base64') }]);
    seen.undecodableState = await settled(tab, n);
    seen.undecodable = await message(tab);

    // A good pair after the errors, picked with the file inputs: 100x100, too small for MS-SSIM.
    await tab.setInputFiles('#file-img', { name: 'small.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(crop100.img) });
    n = await done(tab);
    await tab.setInputFiles('#file-ref', { name: 'small.png', mimeType: 'image/png', buffer: Buffer.from(crop100.ref) });
    seen.pickedState = await settled(tab, n);
    seen.picked = await readTable(tab);
    seen.pickedMessage = await message(tab);
    seen.msssimNote = await tab.getAttribute('[data-metric="msssim"] .score', 'title');
  } finally {
    await tab.close();
  }

  // Not isolated: one thread, the reason on the page, the same numbers; both files in one drop.
  const flat = await open(plain.origin);
  try {
    seen.plainStatus = await status(flat);
    const n = await done(flat);
    await drop(flat, '#drop-ref', [sample(SHIPPED.ref), sample(SHIPPED.img)]);
    seen.plainState = await settled(flat, n);
    seen.plain = await readTable(flat);
    // The button: the same pair, fetched by the page.
    const m = await done(flat);
    await flat.click('#sample');
    seen.buttonState = await settled(flat, m);
    seen.button = await readTable(flat);
    seen.buttonNames = await flat.evaluate(() => [document.getElementById('name-ref')!.textContent, document.getElementById('name-img')!.textContent]);
  } finally {
    await flat.close();
  }
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await isolated?.close();
  await plain?.close();
});

describe('the demo page (npm run demo:web)', () => {
  test('build-site bundles the page and its Worker and puts the threaded build and the sample pair beside them', () => {
    const files = built.map((f) => f.file);
    expect(files).toEqual(expect.arrayContaining(['index.html', 'style.css', 'page.js', 'worker.js', 'thread-worker.js',
      'wasm/threads/ssimkit_bg.wasm', 'samples/chelsea.png', 'samples/chelsea-jpeg-q20.png']));
    // The page only talks to the Worker: ssimkit (and its inlined wasm) is in the Worker's bundle alone.
    const size = (f: string) => built.find((b) => b.file === f)!.bytes;
    expect(size('page.js')).toBeLessThan(20_000);
    expect(size('worker.js')).toBeGreaterThan(200_000);
    console.log(`build-site: ${seen.buildMs.toFixed(0)} ms; page.js ${size('page.js')} B, worker.js ${size('worker.js')} B`);
  });

  test('the isolated page runs the threaded build in its Worker and says so', () => {
    expect(seen.status.build).toBe('threads');
    expect(Number(seen.status.threads)).toBeGreaterThan(1);
    expect(seen.status.fallback).toBeUndefined();
    expect(seen.status.text).toMatch(new RegExp(`^ssimkit threads build, ${seen.status.threads} threads `));
    // Every file it asked for was there (the threaded build and the pool worker included).
    expect(isolated.served.filter((r) => r.type === undefined)).toEqual([]);
    expect(isolated.served.map((r) => r.path)).toEqual(expect.arrayContaining(['/wasm/threads/ssimkit_bg.wasm', '/thread-worker.js']));
  });

  test('before any file: the page says what to do; dragged text that is no file: a message, nothing scored', () => {
    expect(seen.initial).toEqual({ text: 'Drop or pick two images of the same size, or try the sample pair.', error: false, results: false });
    expect(seen.noFile).toEqual({ text: 'Only files can be dropped here: a PNG, JPEG or WebP image.', error: true, results: false, state: 'idle' });
  });

  test('one file dropped: the page asks for the other', () => {
    expect(seen.afterOne).toEqual({ text: 'Now drop or pick the distorted image to compare chelsea.png with.', error: false, results: false });
  });

  test("the sample pair, dropped: every score and per-channel score is Node's, bit for bit, and rounded in the text", () => {
    expect(seen.sampleState).toBe('scored');
    expect(unlike(seen.sample, seen.node.want)).toEqual([]);
    expect(seen.sample.find((r: Row) => r.metric === 'ssim').channels).toHaveLength(3);
    console.log(`sample pair in the page: ${seen.sample.map((r: Row) => `${r.metric} ${r.score.text} (${r.time})`).join(', ')}`);
  });

  test("the reference and the heatmap on the canvases are Node's decode() and heatmap(), pixel for pixel", () => {
    const { ref, map } = seen.node;
    const h = heatmap(map);
    expect([seen.heatmap.width, seen.heatmap.height]).toEqual([h.width, h.height]);
    // Where the 11x11 windows reach, opaque; the 5-pixel frame they do not, transparent.
    const opaque = seen.heatmap.data.filter((_: number, i: number) => i % 4 === 3 && seen.heatmap.data[i] > 0).length;
    expect(opaque).toBe(map.mapWidth * map.mapHeight);
    expect(opaque).toBeGreaterThan(0);
    expect(Buffer.from(seen.heatmap.data).equals(Buffer.from(h.data))).toBe(true);
    expect([seen.image.width, seen.image.height, ref.channels]).toEqual([ref.width, ref.height, 3]);
    const rgba = new Uint8Array(ref.width * ref.height * 4);
    for (let p = 0; p < ref.width * ref.height; p++) rgba.set([...ref.data.subarray(p * 3, p * 3 + 3), 255], p * 4);
    expect(Buffer.from(seen.image.data).equals(Buffer.from(rgba))).toBe(true);
    // The legend is heatmap()'s ramp: dark at 0, light at 1.
    expect(seen.legend.width).toBe(256);
    const luma = (i: number) => seen.legend.data[i * 4] + seen.legend.data[i * 4 + 1] + seen.legend.data[i * 4 + 2];
    expect(luma(255)).toBeGreaterThan(luma(0));
  });

  test("the opacity slider sets the heatmap's opacity", () => {
    expect(seen.opacityBefore).toEqual(['0.6', '60%']);
    expect(seen.opacityAfter).toEqual(['0.2', '20%']);
  });

  test("two sizes: the page shows ssimkit's error, as Node raises it", () => {
    expect(seen.nodeMismatch).toMatch(/^ssim: images differ in size/);
    expect(seen.mismatchState).toBe('failed');
    expect(seen.mismatch).toEqual({ text: seen.nodeMismatch, error: true, results: false });
  });

  test('a file that is no image: the page says which file and why', () => {
    expect(seen.undecodableState).toBe('failed');
    expect(seen.undecodable).toEqual({ text: `Reference (notes.txt): ${seen.nodeUndecodable}`, error: true, results: false });
  });

  test("after the errors, a picked pair too small for MS-SSIM scores: Node's numbers, MS-SSIM n/a with the reason", () => {
    expect(seen.pickedState).toBe('scored');
    expect(seen.nodeSmall.want.msssim.score).toBeNull();
    expect(unlike(seen.picked, seen.nodeSmall.want)).toEqual([]);
    expect(seen.msssimNote).toMatch(/^msssim: .*too small/);
    expect(seen.pickedMessage).toMatchObject({ text: expect.stringMatching(/^small\.png against small\.jpg: SSIM /), error: false, results: true });
  });

  test('without cross-origin isolation the page runs one thread, says why, and gives the same numbers', () => {
    expect(seen.plainStatus).toMatchObject({ build: 'simd', threads: '1' });
    expect(seen.plainStatus.fallback).toMatch(/not cross-origin isolated/);
    expect(seen.plainStatus.text).toContain(`Not threaded: ${seen.plainStatus.fallback}`);
    expect(seen.plainState).toBe('scored');
    expect(unlike(seen.plain, seen.node.want)).toEqual([]);
  });

  test('"Try the sample pair" scores the shipped pair: Node\'s numbers', () => {
    expect(seen.buttonState).toBe('scored');
    expect(seen.buttonNames).toEqual([expect.stringMatching(/^chelsea\.png \(/), expect.stringMatching(/^chelsea-jpeg-q20\.png \(/)]);
    expect(unlike(seen.button, seen.node.want)).toEqual([]);
  });

  test('no errors or warnings in the console; the screenshot was saved, under 300 KB', () => {
    expect(errors).toEqual([]);
    expect(seen.shot).toMatchObject({ format: 'png', width: 1200 });
    expect(seen.shot.height).toBeGreaterThan(500);
    expect(seen.shot.bytes).toBeLessThan(300_000);
    console.log(`screenshot: ${seen.shot.width}x${seen.shot.height}, ${seen.shot.bytes} B`);
  });
});

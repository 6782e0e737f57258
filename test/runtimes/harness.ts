// What every runtime suite shares: the packed package, the fixtures, Node's
// reference run and the bit-for-bit comparison.

import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, inject } from 'vitest';
import { runCases, runDecodeCases } from '../shared/cases.mjs';
import { type DecodeResult, decodeList, decodeListFiles } from './decode-cases.js';
import { ensurePackage, type Pkg, projectPkg, ROOT } from './package.js';
import { decode, encode } from './wire.mjs';

export { decode, type Pkg, ROOT };

declare module 'vitest' {
  export interface ProvidedContext {
    /** The project global-setup.ts installed the package into. */
    ssimkitProject?: string;
  }
}

export const CASES_MJS = join(ROOT, 'test/shared/cases.mjs');
export const WIRE_MJS = join(ROOT, 'test/runtimes/wire.mjs');
export const BIN = join(ROOT, 'node_modules/.bin');

export interface Result {
  id: string;
  score?: number;
  channels?: number[];
  mapWidth?: number;
  mapHeight?: number;
  mapDigest?: string;
  error?: string;
}
export interface Fixtures {
  inputs: Record<string, { file: string; dtype: string; width: number; height: number; channels: number }>;
  cases: { id: string; fn: string; ref: string; img: string; options?: object }[];
}

// ---------------------------------------------------------------- fixtures

/** The fixture directory (test/fixtures/make_fixtures.py writes it). */
export function fixturesDir(): string {
  const dir = join(ROOT, 'test/fixtures');
  if (!existsSync(join(dir, 'cases.json'))) throw new Error(`${dir}/cases.json is missing`);
  return dir;
}

export function loadFixtures(dir: string): Fixtures {
  return JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8'));
}

/** Every file a fixture set needs, relative to its directory. */
export function fixtureFiles(fixtures: Fixtures): string[] {
  return [...new Set(Object.values(fixtures.inputs).map((i) => i.file))];
}

// ----------------------------------------------------------------- package

/** For the suites: the global setup's install when it ran, else our own. */
export function testPackage(): Pkg {
  const provided = inject('ssimkitProject');
  return provided ? projectPkg(provided) : ensurePackage();
}

/** A scratch directory inside the project, so bare `ssimkit` resolves there. */
export function scratch(pkg: Pkg): { dir: string; remove(): void } {
  mkdirSync(join(pkg.project, 'runs'), { recursive: true });
  const dir = mkdtempSync(join(pkg.project, 'runs', 'r-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Resolves `import 'ssimkit'` for a set of conditions the way Node's
 * PACKAGE_EXPORTS_RESOLVE does: the first key, in the map's own order, that
 * is 'default' or one of the conditions. Used where no bundler or runtime
 * resolves for us (the browser's import map).
 */
export function resolveExport(manifest: Pkg['manifest'], conditions: string[]): string {
  let target: unknown = manifest.exports['.'] ?? manifest.exports;
  while (target && typeof target === 'object') {
    const key = Object.keys(target).find((k) => k === 'default' || conditions.includes(k));
    if (!key) throw new Error(`no export matches ${conditions.join(', ')}`);
    target = (target as Record<string, unknown>)[key];
  }
  if (typeof target !== 'string') throw new Error('unsupported exports target');
  return target;
}

/**
 * The edge function (worker.mjs) and the two plain files it imports, copied
 * into a scratch directory of the project for a bundler to start from.
 */
export function stageWorker(pkg: Pkg): { dir: string; entry: string; remove(): void } {
  const s = scratch(pkg);
  for (const [from, to] of [[join(ROOT, 'test/runtimes/worker.mjs'), 'worker.mjs'], [CASES_MJS, 'cases.mjs'], [WIRE_MJS, 'wire.mjs']] as const) {
    cpSync(from, join(s.dir, to));
  }
  return { ...s, entry: join(s.dir, 'worker.mjs') };
}

/** The fixtures as one multipart body for the edge function's /run. */
export async function fixtureForm(dir: string): Promise<{ body: ArrayBuffer; contentType: string }> {
  const form = new FormData();
  form.set('cases.json', new Blob([readFileSync(join(dir, 'cases.json'))]));
  for (const file of fixtureFiles(loadFixtures(dir))) form.set(file, new Blob([readFileSync(join(dir, file))]));
  const list = decodeList();
  form.set('decode.json', new Blob([JSON.stringify(list)]));
  for (const file of decodeListFiles(list)) form.set(file, new Blob([readFileSync(join(dir, file))]));
  // Serialised here, so neither runtime's fetch has to accept Node's FormData.
  const encoded = new Response(form);
  return { body: await encoded.arrayBuffer(), contentType: encoded.headers.get('content-type')! };
}

// -------------------------------------------------------- Node's reference

export interface Run {
  info: { runtime: string; simd: boolean; build: string };
  /** What `ssimkit` resolved to, where the runtime can say. */
  resolved?: string;
  results: Result[];
  /** runDecodeCases over decode-cases.ts's list. */
  decode: DecodeResult[];
}

/**
 * The reference: this Node process importing `ssimkit` from the project and
 * running the shared cases. Sent through the same wire encoding as every
 * other runtime's results.
 */
export async function nodeReference(pkg: Pkg, dir: string): Promise<Run> {
  const api = await importPackage(pkg);
  const info = await api.init();
  const fixtures = loadFixtures(dir);
  const read = async (file: string) => readFileSync(join(dir, file));
  const results = await runCases(api, fixtures, read);
  const decoded = await runDecodeCases(api, decodeList(), read);
  return { info, resolved: api.resolved, results: decode(encode(results)), decode: decode(encode(decoded)) };
}

/**
 * The packed ssimkit as this Node process imports it from the project (Vite
 * resolves it with its 'node' condition and leaves the package to Node's own
 * loader), plus `resolved`: the file `ssimkit` resolved to.
 */
export async function importPackage(pkg: Pkg): Promise<any> {
  const s = scratch(pkg);
  try {
    const entry = join(s.dir, 'entry.mjs');
    writeFileSync(entry, "export * from 'ssimkit';\nexport const resolved = import.meta.resolve('ssimkit');\n");
    return await import(/* @vite-ignore */ pathToFileURL(entry).href);
  } finally {
    s.remove();
  }
}

// --------------------------------------------------------------- comparing

/**
 * Every difference between a runtime's results and Node's, as readable
 * lines; [] when they agree. Numbers must be the same double (Object.is:
 * `===`, except that NaN equals NaN and -0 differs from 0); an error is
 * only accepted where Node raised the very same one.
 */
export function differences(node: Result[] = [], other: Result[] = [], expectedCount: number): string[] {
  const out: string[] = [];
  if (node.length !== expectedCount) out.push(`node ran ${node.length} of ${expectedCount} cases`);
  if (other.length !== expectedCount) out.push(`runtime ran ${other.length} of ${expectedCount} cases`);
  // All errors on both sides would "agree": a broken build must not pass.
  if (!node.some((r) => r.error === undefined)) out.push('node: every case raised an error');
  for (let i = 0; i < Math.max(node.length, other.length); i++) {
    const a = node[i], b = other[i];
    const id = a?.id ?? b?.id;
    if (!a || !b || a.id !== b.id) { out.push(`#${i}: case ${a?.id} vs ${b?.id}`); continue; }
    if (a.error !== undefined || b.error !== undefined) {
      if (a.error !== b.error) out.push(`${id}: error ${JSON.stringify(b.error)}, node: ${JSON.stringify(a.error)}`);
      continue;
    }
    const same = (x: unknown, y: unknown) => Object.is(x, y);
    if (!same(a.score, b.score)) out.push(`${id}: score ${b.score}, node ${a.score}`);
    if (typeof b.score !== 'number') out.push(`${id}: score is ${typeof b.score}`);
    const ca = a.channels ?? [], cb = b.channels ?? [];
    if (ca.length !== cb.length || ca.some((v, k) => !same(v, cb[k]))) out.push(`${id}: channels ${JSON.stringify(cb)}, node ${JSON.stringify(ca)}`);
    for (const k of ['mapWidth', 'mapHeight', 'mapDigest'] as const) {
      if (!same(a[k], b[k])) out.push(`${id}: ${k} ${b[k]}, node ${a[k]}`);
    }
  }
  return out;
}

/**
 * A copy with one number moved by one ulp (or one error changed): the
 * comparison must notice, or it proves nothing.
 */
export function tampered(results: Result[]): Result[] {
  const copy: Result[] = structuredClone(results);
  const r = copy.find((c) => typeof c.score === 'number' && Number.isFinite(c.score) && c.score !== 0);
  if (r) {
    const bits = new BigUint64Array(new Float64Array([r.score!]).buffer);
    bits[0]! ^= 1n;
    r.score = new Float64Array(bits.buffer)[0];
  } else if (copy[0]) {
    copy[0].error = `${copy[0].error}!`;
  }
  return copy;
}

/**
 * What both edge runtimes must show: their own entry bundled through its
 * export condition with nothing of the threaded build in it, the simd build
 * loaded, and init({ threads: 2 }) refused with the reason.
 */
export function expectEdgeBundle(name: 'workerd' | 'edge-light', inputs: string[], node: Run, edge: Run & { threads?: string }) {
  expect(inputs.some((f) => new RegExp(`node_modules/ssimkit/dist/${name}\\.js$`).test(f))).toBe(true);
  expect(inputs.filter((f) => /dist\/(wasm\/threads\/|thread-)/.test(f))).toEqual([]);
  expect(node.resolved).toMatch(/\/node_modules\/ssimkit\/dist\/node\.js$/);
  expect(node.info).toMatchObject({ runtime: 'node', simd: true });
  expect(edge.info).toMatchObject({ runtime: name, simd: true, build: 'simd', threads: 1 });
  expect(edge.threads).toBe(`Error: init: threads: 2 cannot be used here: ${name} has no threads`);
}

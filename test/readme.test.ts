// The README's examples are files the tests run: each code block preceded by
// `<!-- example: PATH -->` (or `PATH#NAME`, the lines between `#region NAME`
// and `#endregion` comments) must be that file's text exactly, and PATH
// must be named by a test under test/ (which runs it). So no snippet in the
// README can drift from code that runs.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

interface Block { ref: string; file: string; region?: string; code: string }

function blocks(): Block[] {
  const out: Block[] = [];
  const re = /<!-- example: ([^\s#]+)(?:#([\w-]+))? -->\n```[\w-]*\n([\s\S]*?)```/g;
  for (const m of readme.matchAll(re)) out.push({ ref: m[1]! + (m[2] ? `#${m[2]}` : ''), file: m[1]!, region: m[2], code: m[3]! });
  return out;
}

function source(file: string, region?: string): string {
  const text = readFileSync(join(ROOT, file), 'utf8');
  if (!region) return text;
  const lines = text.split('\n');
  const start = lines.findIndex((l) => new RegExp(`#region ${region}\\b`).test(l));
  const end = lines.findIndex((l, i) => i > start && /#endregion/.test(l));
  if (start < 0 || end < 0) throw new Error(`${file}: no #region ${region} ... #endregion`);
  return lines.slice(start + 1, end).join('\n') + '\n';
}

function testSources(dir = join(ROOT, 'test')): string {
  let all = '';
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) { if (e !== 'fixtures' && e !== '.tmp') all += testSources(p); }
    else if (/\.(ts|mjs|js)$/.test(e)) all += readFileSync(p, 'utf8');
  }
  return all;
}

describe('README examples', () => {
  const found = blocks();
  it('the README shows an example for every runtime it names', () => {
    const files = found.map((b) => b.file).join('\n');
    for (const where of ['examples/node/', 'examples/deno/', 'examples/browser/', 'examples/cloudflare-worker/', 'examples/vercel-edge/', 'examples/tfjs/']) {
      expect(files, where).toContain(where);
    }
  });

  const tests = testSources();
  for (const b of found) {
    it(`${b.ref} is shown exactly as the file holds it, and a test runs the file`, () => {
      expect(b.code).toBe(source(b.file, b.region));
      const base = b.file.split('/').slice(0, 2).join('/'); // examples/<name>
      expect(tests.includes(b.file) || tests.includes(`'${base.split('/')[1]}'`) || tests.includes(base), `${b.file} is not named by any test`).toBe(true);
    });
  }
});

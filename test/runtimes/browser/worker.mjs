// A module Worker of the page. mode=cases: the default init(), then every
// case; mode=scalar: the same on the build without SIMD128 (init({ simd:
// false }), what hosts without SIMD get); mode=threads2: init({ threads: 2 })
// and one small score, or the refusal. Posts its (encoded) report.

import { cases, encode, env, said, stage } from './realm.mjs';

const params = new URL(self.location.href).searchParams;
const mode = params.get('mode');

async function run(ssimkit) {
  if (mode === 'cases' || mode === 'scalar') {
    stage(`${mode} worker: init`);
    const info = await ssimkit.init(mode === 'scalar' ? { simd: false } : undefined);
    stage(`${mode} worker: cases (${info.build}, ${info.threads} threads)`);
    const { results, decode } = await cases(ssimkit);
    // The default init() may resolve with its pool still starting: wait for it.
    await ssimkit.init();
    const used = [ssimkit.threadsUsed(), ssimkit.threadsUsed(), ssimkit.threadsUsed()];
    return { info, env: env(), results, decode, used };
  }
  try {
    const info = await ssimkit.init({ threads: 2 });
    const a = { data: new Uint8Array(96 * 64 * 3).map((_, i) => (i * 7) & 255), width: 96, height: 64 };
    const b = { data: a.data.map((v, i) => v ^ (i % 5)), width: 96, height: 64 };
    ssimkit.ssim(a, b);
    return { info, used: ssimkit.threadsUsed() };
  } catch (e) {
    return { error: said(e) };
  }
}

try {
  postMessage(encode(await run(await import(params.get('entry')))));
} catch (e) {
  postMessage(encode({ fatal: String(e?.stack ?? e) }));
}

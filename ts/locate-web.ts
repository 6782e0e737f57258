// Fetching a build's .wasm in a browser (and Deno served remotely), with
// the errors a user can act on when a bundler left the file behind.
export type Served = 'simd' | 'threads' | 'scalar';

const COPY: Record<Served, string> = {
  simd: 'dist/wasm/simd/ssimkit_bg.wasm',
  threads: 'dist/wasm/threads/ssimkit_bg.wasm',
  scalar: 'dist/wasm/scalar/ssimkit_bg.wasm',
};

/** The response for `url`, or an Error that says what to serve there. */
export async function fetchServed(build: Served, url: URL): Promise<Response> {
  let r: Response;
  try {
    r = await fetch(url);
  } catch (e) {
    throw new Error(`could not fetch the ${build} build's wasm from ${url.href} (${(e as Error)?.message ?? e}); ${remedy(build, url)}`, { cause: e });
  }
  const type = r.headers.get('Content-Type') ?? '';
  if (!r.ok || type.includes('text/html')) {
    const what = r.ok ? 'an HTML page (a dev server\'s fallback?)' : `HTTP ${r.status}`;
    throw new Error(`the ${build} build's wasm is not served at ${url.href} (got ${what}); ${remedy(build, url)}`);
  }
  return r;
}

function remedy(build: Served, url: URL): string {
  const copy = `copy node_modules/ssimkit/${COPY[build]} there`;
  if (build === 'simd') return `${copy}, or pass init({ module }) with the 'ssimkit/simd.wasm' export`;
  return build === 'threads'
    ? `${copy} and node_modules/ssimkit/dist/thread-worker.js to ${new URL('./thread-worker.js', url.href.replace(/wasm\/threads\/[^/]*$/, '')).href} (your bundler did not follow new URL(..., import.meta.url); webpack 5 and vite build do)`
    : `${copy}, or pass init({ module }) with the 'ssimkit/scalar.wasm' export (this host has no SIMD128, so the inlined simd build cannot run)`;
}

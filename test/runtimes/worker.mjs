// The edge function both edge suites bundle (workerd as a module worker,
// edge-runtime behind a fetch listener). It is copied, with cases.mjs and
// wire.mjs, into the throw-away project, so `ssimkit` resolves from the
// installed package through the bundler's export conditions.
import * as ssimkit from 'ssimkit';
import { runCases, runDecodeCases } from './cases.mjs';
import { encode } from './wire.mjs';

export async function handle(request) {
  const { pathname } = new URL(request.url);
  if (pathname === '/run') {
    // A form: 'cases.json', 'decode.json' plus one field per input file, named by its path.
    const form = await request.formData();
    // Edge runtimes have no threads: asking for them is an error, and
    // init() still loads the simd build after it.
    const threads = await ssimkit.init({ threads: 2 }).then(() => 'loaded', (e) => `${e.name}: ${e.message}`);
    // An edge host that cannot compile from bytes hands its module over.
    const info = await ssimkit.init(globalThis.SSIMKIT_INIT);
    const fixtures = JSON.parse(await form.get('cases.json').text());
    const read = async (file) => new Uint8Array(await form.get(file).arrayBuffer());
    const results = await runCases(ssimkit, fixtures, read);
    const decode = await runDecodeCases(ssimkit, JSON.parse(await form.get('decode.json').text()), read);
    return new Response(encode({ info, threads, results, decode }), { headers: { 'content-type': 'application/json' } });
  }
  if (pathname === '/compile-from-bytes') {
    // What a package that fetched or embedded its .wasm would do.
    const bytes = new Uint8Array(await request.arrayBuffer());
    const attempt = async (f) => { try { await f(); return 'compiled'; } catch (e) { return `${e.name}: ${e.message}`; } };
    return Response.json({
      compile: await attempt(() => WebAssembly.compile(bytes)),
      instantiate: await attempt(() => WebAssembly.instantiate(bytes, {})),
      module: await attempt(() => new WebAssembly.Module(bytes)),
    });
  }
  return new Response('not found', { status: 404 });
}

export default { fetch: handle };

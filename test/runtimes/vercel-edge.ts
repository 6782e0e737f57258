// Vercel Edge as Vercel's own edge bundling does it (@vercel/node's
// edge-wasm-plugin): esbuild with the 'edge-light' condition, each
// `import wasm from '…wasm?module'` turned into the global `wasm_<sha1>`, a
// WebAssembly.Module compiled by the host and put on the VM's context. The
// VM is created with wasm code generation off, as Vercel's production Edge
// has it, so nothing can compile from bytes inside.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as esbuild from 'esbuild';
import { EdgeRuntime } from 'edge-runtime';

export interface EdgeBundle {
  /** Every file esbuild read, relative to the working directory. */
  inputs: string[];
  runtime: EdgeRuntime;
}

/**
 * Bundles `code` (resolved from `resolveDir`) into the IIFE a service-worker
 * style edge function is (edge-runtime evaluates a script, not a module) and
 * starts it in a fresh edge-runtime VM.
 */
export async function vercelEdge(code: string, resolveDir: string): Promise<EdgeBundle> {
  const bindings = new Map<string, string>(); // global name -> .wasm file
  const wasmModule: esbuild.Plugin = {
    name: 'wasm-module',
    setup(build) {
      build.onResolve({ filter: /\.wasm\?module$/ }, async (args) => {
        // Through esbuild's own resolution: 'ssimkit/simd.wasm' is an export.
        const r = await build.resolve(args.path.replace(/\?module$/, ''), { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir });
        if (r.errors.length) return { errors: r.errors };
        const file = r.path;
        const name = `wasm_${createHash('sha1').update(readFileSync(file)).digest('hex')}`;
        bindings.set(name, file);
        return { path: name, namespace: 'wasm-module' };
      });
      build.onLoad({ filter: /.*/, namespace: 'wasm-module' }, (args) => ({
        contents: `export default globalThis[${JSON.stringify(args.path)}];`, loader: 'js',
      }));
    },
  };
  const out = await esbuild.build({
    stdin: { contents: code, resolveDir, loader: 'js' },
    bundle: true, write: false, metafile: true,
    format: 'iife', platform: 'neutral', target: 'es2022',
    conditions: ['edge-light', 'worker', 'browser'],
    plugins: [wasmModule], logLevel: 'silent',
  });
  const modules: Record<string, WebAssembly.Module> = {};
  for (const [name, file] of bindings) modules[name] = await WebAssembly.compile(readFileSync(file));
  const runtime = new EdgeRuntime({
    codeGeneration: { strings: false, wasm: false },
    extend: (context) => Object.assign(context, modules),
    initialCode: out.outputFiles[0]!.text,
  });
  return { inputs: Object.keys(out.metafile.inputs), runtime };
}

// Removes wasm-bindgen's default `new URL('ssimkit_bg.wasm', import.meta.url)`
// from a glue file (scripts/build.sh says why). Fails loudly if the glue
// changed shape, so the build cannot silently keep the URL.
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.argv[2];
const src = readFileSync(file, 'utf8');
const from = "module_or_path = new URL('ssimkit_bg.wasm', import.meta.url);";
if (!src.includes(from)) throw new Error(`${file}: wasm-bindgen's default wasm URL not found; update scripts/glue-no-default-url.mjs`);
writeFileSync(file, src.replace(from, "throw new Error('ssimkit: the glue needs its module');"));

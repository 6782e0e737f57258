// Child of test/decode-need.test.ts: a fresh module decodes one file and
// reports how far wasm memory grew and what the module reckoned it needs.
import { readFileSync } from 'node:fs';
import * as api from 'ssimkit';
import { decodeMemoryNeed } from '../../dist/decode.js';

const [threads, path] = [Number(process.argv[2]), process.argv[3]];
const info = await api.init({ threads });
const file = new Uint8Array(readFileSync(path));
const before = api.wasmMemoryBytes();
const d = api.decode(file);
const after = api.wasmMemoryBytes();
// Asked after the decode, so its own copy of the file is not in the growth.
process.stdout.write(JSON.stringify({ build: info.build, before, after, need: decodeMemoryNeed(file), width: d.width, height: d.height, channels: d.channels, bitDepth: d.bitDepth }));

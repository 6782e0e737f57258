#!/usr/bin/env node
// `npm run demo:web`: builds the demo page (scripts/build-site.mjs) and
// serves site/dist/ cross-origin isolated (COOP same-origin, COEP
// require-corp: the headers the threaded build needs, from the browser
// suites' server) until interrupted.
//   --port N / PORT=N   the port (default 8080; 0: any free one)
//   --host H            the interface (default 127.0.0.1)
//   --no-isolation      without those headers: the page then runs one
//                       thread and its status line says why

import { parseArgs } from 'node:util';
import { serveIsolated } from '../test/runtimes/isolated-server.mjs';
import { buildSite, SITE_DIST } from './build-site.mjs';

function fail(message) {
  console.error(`demo:web: ${message}`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    options: { port: { type: 'string' }, host: { type: 'string', default: '127.0.0.1' }, 'no-isolation': { type: 'boolean', default: false } },
  }).values;
} catch (e) {
  fail(e.message);
}
const portText = args.port ?? process.env.PORT ?? '8080';
const port = Number(portText);
if (!/^\d+$/.test(portText) || port > 65535) fail(`the port must be an integer from 0 to 65535, got ${JSON.stringify(portText)}`);

try {
  await buildSite();
} catch (e) {
  fail(e instanceof Error ? e.message : String(e));
}

const isolated = !args['no-isolation'];
let server;
try {
  server = await serveIsolated({ routes: { '/': SITE_DIST }, port, host: args.host, isolated, record: false });
} catch (e) {
  fail(e.code === 'EADDRINUSE' ? `port ${port} is in use: pass another with --port or PORT` : e.message);
}
console.log(`ssimkit demo: ${server.origin}/ (${isolated ? 'cross-origin isolated: threads in the Worker' : 'not isolated: one thread'}); Ctrl-C stops it`);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close().then(() => process.exit(0)));

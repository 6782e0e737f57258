// A service-worker style edge function (Vercel Edge, edge-runtime): GET / answers the report.
import { score } from './score.js';

addEventListener('fetch', (event) => event.respondWith(score().then((r) => new Response(JSON.stringify(r)))));

// Browser page without a Worker (for bundlers that do not follow `new Worker(new URL(...))`).
import { score } from './score.js';

score().then((page) => { window.__result = JSON.stringify({ page, crossOriginIsolated }); });

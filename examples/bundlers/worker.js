// Module Worker: here the threaded build may run (cross-origin isolated page).
import { score } from './score.js';

score().then((r) => postMessage(r));

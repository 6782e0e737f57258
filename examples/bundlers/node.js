// Node (or a single-file server bundle of it): prints the report as JSON.
import { score } from './score.js';

score().then((r) => console.log(JSON.stringify(r)));

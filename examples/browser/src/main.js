import { init } from 'ssimkit';
import { score } from './score.js';
import refUrl from './chelsea.png';
import imgUrl from './chelsea-jpeg-q20.png';

const $ = (id) => document.getElementById(id);
const describe = (who, info, ms) =>
  `${who}: ${info.build} build, ${info.threads} thread(s)${info.fallback ? ` (${info.fallback})` : ''}, ${ms.toFixed(1)} ms`;

function show(where, scores) {
  // String(x) is the shortest text that reads back as the same double.
  for (const [metric, value] of Object.entries(scores)) $(`${where}-${metric}`).textContent = value ?? '–';
}

// The page's main thread may not block: init() loads the single-threaded
// simd build here. The Worker gets the threaded build.
const mainInfo = await init();
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
worker.onmessage = ({ data }) => {
  if (data.error) $('worker-info').textContent = `worker: ${data.error}`;
  else {
    show('worker', data.scores);
    $('worker-info').textContent = describe('worker', data.info, data.ms);
  }
};

async function run(ref, img) {
  const [a, b] = await Promise.all([ref, img].map(async (f) => new Uint8Array(await f.arrayBuffer())));
  try {
    const t0 = performance.now();
    show('main', score(a, b));
    $('main-info').textContent = describe('main thread', mainInfo, performance.now() - t0);
  } catch (e) {
    $('main-info').textContent = `main thread: ${e}`;
  }
  // Scored here already: the bytes move to the Worker without a copy.
  worker.postMessage({ ref: a.buffer, img: b.buffer }, [a.buffer, b.buffer]);
}

const picked = () => $('ref').files[0] && $('img').files[0] && run($('ref').files[0], $('img').files[0]);
$('ref').onchange = picked;
$('img').onchange = picked;
$('sample').onclick = async () => {
  const [ref, img] = await Promise.all([refUrl, imgUrl].map((url) => fetch(url).then((r) => r.blob())));
  await run(ref, img);
};

import { init } from 'ssimkit';
import { score } from './score.js';
import refUrl from './chelsea.png';
import imgUrl from './chelsea-jpeg-q20.png';

const $ = (id) => document.getElementById(id);
const label = { main: 'main thread', worker: 'worker' };

function show(where, { info, scores, ms }) {
  // A number's text is the shortest that reads back as the same double.
  for (const [metric, value] of Object.entries(scores)) $(`${where}-${metric}`).textContent = value ?? '–';
  const why = info.fallback ? ` (${info.fallback})` : '';
  $(`${where}-info`).textContent = `${label[where]}: ${info.build} build, ${info.threads} thread(s)${why}, ${ms.toFixed(1)} ms`;
}

function fail(where, error) {
  for (const cell of document.querySelectorAll(`[id^="${where}-"]`)) cell.textContent = '';
  $(`${where}-info`).textContent = `${label[where]}: ${error}`;
}

// #region readme
// A page's main thread may not block: init() loads the single-threaded simd
// build here. The Worker (src/worker.js) runs the threaded build.
const mainInfo = await init();
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
// #endregion
worker.onmessage = ({ data }) => (data.error ? fail('worker', data.error) : show('worker', data));

async function run(ref, img) {
  const [a, b] = await Promise.all([ref, img].map(async (f) => new Uint8Array(await f.arrayBuffer())));
  try {
    const t0 = performance.now();
    show('main', { info: mainInfo, scores: score(a, b), ms: performance.now() - t0 });
  } catch (e) {
    return fail('main', e);
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

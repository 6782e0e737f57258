// The demo page's UI: two drop zones (each also a file picker), the sample
// pair, and what the Worker (worker.ts) sends back: every score with its
// per-channel parts and time, the SSIM map drawn over the reference, and
// the build ssimkit runs. The page itself computes nothing.

import type { InitInfo } from 'ssimkit';
import { type FromWorker, METRICS, type Metric, type Rgba, type Scored, type ScoreRequest } from './protocol.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const body = document.body;

const NAMES: Record<Metric, [string, string]> = {
  ssim: ['SSIM', '1 = identical'],
  msssim: ['MS-SSIM', '1 = identical'],
  dssim: ['DSSIM', '0 = identical'],
  lwssim: ['LWSSIM', '2 = identical'],
};
const DIGITS = 6;

type Role = 'ref' | 'img';
const files: Record<Role, File | undefined> = { ref: undefined, img: undefined };
const ROLE_NAMES: Record<Role, string> = { ref: 'reference', img: 'distorted image' };

function say(text: string, error = false) {
  $('message').textContent = text;
  $('message').classList.toggle('error', error);
}

// ------------------------------------------------------------ the Worker

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
let ready = false;
let current = 0;
let done = 0;

function settle(state: 'scored' | 'failed') {
  body.dataset.state = state;
  body.dataset.done = String(++done);
}

worker.onerror = (e) => {
  // worker.ts answers every request, so an error event here is a Worker
  // that could not load (or died): nothing more will come from it.
  e.preventDefault();
  if (body.dataset.state === 'busy') body.dataset.done = String(++done);
  body.dataset.state = 'broken';
  $('status').textContent = 'ssimkit could not start: its Worker did not load.';
  say(`The scoring Worker failed: ${e.message || 'it could not be loaded'}. Reload the page to try again.`, true);
};

worker.onmessage = ({ data }: MessageEvent<FromWorker>) => {
  switch (data.kind) {
    case 'ready':
      ready = true;
      showInfo(data.info, data.ms);
      drawLegend(data.legend);
      if (body.dataset.state === 'starting') body.dataset.state = 'idle';
      break;
    case 'init-failed':
      body.dataset.state = 'broken';
      $('status').textContent = `ssimkit could not start: ${data.error}`;
      say(`ssimkit could not start in this browser: ${data.error}`, true);
      break;
    case 'scored':
      if (data.id !== current) return; // a newer pair is on its way
      show(data);
      settle('scored');
      break;
    case 'failed':
      if (data.id !== current) return;
      $('results').hidden = true;
      say(data.error, true);
      settle('failed');
      break;
  }
};

function showInfo(info: InitInfo, ms: number) {
  const status = $('status');
  const threads = `${info.threads} thread${info.threads === 1 ? '' : 's'}`;
  status.textContent = `ssimkit ${info.build} build, ${threads} (${info.features.join(', ')}), started in ${ms.toFixed(0)} ms in a Worker`
    + (info.fallback ? `. Not threaded: ${info.fallback}` : `${crossOriginIsolated ? ', page cross-origin isolated' : ''}.`);
  status.classList.toggle('fallback', info.fallback !== undefined);
  status.dataset.build = info.build;
  status.dataset.threads = String(info.threads);
  if (info.fallback !== undefined) status.dataset.fallback = info.fallback;
}

async function run() {
  const { ref, img } = files;
  if (!ref || !img) {
    const [have, missing] = ref ? ['ref', 'img'] as const : ['img', 'ref'] as const;
    say(files[have] ? `Now drop or pick the ${ROLE_NAMES[missing]} to compare ${files[have]!.name} with.`
      : 'Drop or pick two images of the same size, or try the sample pair.');
    return;
  }
  const id = ++current;
  body.dataset.state = 'busy';
  say(ready ? `Scoring ${ref.name} against ${img.name}…` : `Scoring ${ref.name} against ${img.name} once ssimkit has started…`);
  let request: ScoreRequest;
  try {
    const [a, b] = await Promise.all([ref.arrayBuffer(), img.arrayBuffer()]);
    request = { id, ref: a, img: b, refName: ref.name, imgName: img.name };
  } catch (e) {
    if (id !== current) return;
    say(`The files could not be read: ${e instanceof Error ? e.message : String(e)}`, true);
    settle('failed');
    return;
  }
  // The bytes move to the Worker without a copy.
  if (id === current) worker.postMessage(request, [request.ref, request.img]);
}

// --------------------------------------------------------------- results

function number(cell: HTMLElement, value: number) {
  // data-value: the double itself (it reads back as the same bits); the text, that value rounded.
  cell.dataset.value = String(value);
  cell.textContent = value.toFixed(DIGITS);
}

function cell(tag: 'td' | 'th', className = '', text = ''): HTMLElement {
  const c = document.createElement(tag);
  if (className) c.className = className;
  c.textContent = text;
  return c;
}

function channelNames(n: number): string[] {
  return n === 1 ? ['gray'] : n === 2 ? ['gray', 'alpha'] : ['R', 'G', 'B', 'A'].slice(0, n);
}

function show(r: Scored) {
  const width = Math.max(0, ...METRICS.map((m) => r.scores[m].channels?.length ?? 0));
  const head = $('scores-head');
  head.replaceChildren(cell('th', '', 'metric'), cell('th', '', 'score'),
    ...channelNames(width).map((c) => cell('th', '', c)), cell('th', '', 'time'));
  $('scores-body').replaceChildren(...METRICS.map((m) => {
    const { score, channels, ms, note } = r.scores[m];
    const row = document.createElement('tr');
    row.dataset.metric = m;
    const name = cell('th', '', NAMES[m][0]);
    name.append(Object.assign(document.createElement('small'), { textContent: NAMES[m][1] }));
    const value = cell('td', 'score');
    if (score === null) {
      value.textContent = 'n/a';
      value.classList.add('na');
      value.title = note ?? '';
    } else {
      number(value, score);
    }
    const parts = Array.from({ length: width }, (_, i) => {
      const c = cell('td', 'channel');
      if (channels?.[i] !== undefined) number(c, channels[i]!);
      return c;
    });
    const time = cell('td', 'time', `${ms.toFixed(1)} ms`);
    time.dataset.ms = String(ms);
    row.append(name, value, ...parts, time);
    return row;
  }));
  const total = r.decodeMs + r.heatmapMs + METRICS.reduce((s, m) => s + r.scores[m].ms, 0);
  $('timing').textContent = `${r.width}×${r.height} pixels. Decoding both files ${r.decodeMs.toFixed(1)} ms, `
    + `heatmap ${r.heatmapMs.toFixed(1)} ms; ${total.toFixed(1)} ms in all.`;
  draw($('image'), r.image);
  draw($('heatmap'), r.heatmap);
  $('results').hidden = false;
  say(`${files.ref?.name} against ${files.img?.name}: SSIM ${r.scores.ssim.score!.toFixed(DIGITS)}.`);
}

function draw(canvas: HTMLCanvasElement, { data, width, height }: Rgba) {
  canvas.width = width;
  canvas.height = height;
  canvas.getContext('2d')!.putImageData(new ImageData(data, width, height), 0, 0);
}

function drawLegend(legend: Rgba) {
  draw($('legend'), legend);
}

const opacity = $<HTMLInputElement>('opacity');
function applyOpacity() {
  $('heatmap').style.opacity = String(Number(opacity.value) / 100);
  $('opacity-value').textContent = `${opacity.value}%`;
}
opacity.addEventListener('input', applyOpacity);
applyOpacity();

// ----------------------------------------------------------------- input

function setFile(role: Role, file: File | undefined) {
  files[role] = file;
  const zone = $(`drop-${role}`);
  zone.classList.toggle('filled', file !== undefined);
  $(`name-${role}`).textContent = file ? `${file.name} (${(file.size / 1024).toFixed(1)} KB)` : 'drop an image here, or click to pick one';
}

/** Files dropped on a zone (its role) or elsewhere on the page (no role). */
function dropped(list: FileList | undefined, role?: Role) {
  const all = Array.from(list ?? []);
  if (all.length === 0) {
    say('Only files can be dropped here: a PNG, JPEG or WebP image.', true);
    return;
  }
  // Two files at once are the pair, in the order given.
  if (all.length >= 2) {
    setFile('ref', all[0]);
    setFile('img', all[1]);
  } else {
    setFile(role ?? (files.ref ? 'img' : 'ref'), all[0]);
  }
  void run();
}

for (const role of ['ref', 'img'] as const) {
  const zone = $(`drop-${role}`);
  const input = $<HTMLInputElement>(`file-${role}`);
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', (e) => {
    // Moving onto the zone's own text is no leaving.
    if (!zone.contains(e.relatedTarget as Node | null)) zone.classList.remove('over');
  });
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    e.stopPropagation();
    zone.classList.remove('over');
    dropped(e.dataTransfer?.files, role);
  });
  input.addEventListener('change', () => {
    if (input.files?.[0]) {
      setFile(role, input.files[0]);
      void run();
    }
    input.value = ''; // the same file picked again is a change too
  });
}

// A file dropped beside the zones must not replace the page with the image.
window.addEventListener('dragover', (e) => e.preventDefault());
window.addEventListener('drop', (e) => {
  e.preventDefault();
  dropped(e.dataTransfer?.files);
});

$('sample').addEventListener('click', async () => {
  try {
    const pair = await Promise.all(['chelsea.png', 'chelsea-jpeg-q20.png'].map(async (name) => {
      const response = await fetch(`samples/${name}`);
      if (!response.ok) throw new Error(`samples/${name}: HTTP ${response.status}`);
      return new File([await response.blob()], name, { type: 'image/png' });
    }));
    setFile('ref', pair[0]);
    setFile('img', pair[1]);
    await run();
  } catch (e) {
    say(`The sample pair could not be loaded: ${e instanceof Error ? e.message : String(e)}`, true);
  }
});

say('Drop or pick two images of the same size, or try the sample pair.');
$('status').textContent = 'Starting ssimkit in a Worker…';

// The Python peers' side of bench/run.mjs, kept apart so that it can be
// tested on a stored run (test/bench-python.test.ts): the options, how each
// peer row is set beside ssimkit's 1-thread row of the same case, the rows
// of the loss-batch table, and the targets of issue 12 that involve them.

/** What `--python` and its companions ask for. */
export function pythonOptions(argv) {
  const at = (f) => argv.indexOf(f);
  const given = at('--python-venv') >= 0;
  const venv = given ? argv[at('--python-venv') + 1] : undefined;
  if (given && (!venv || venv.startsWith('--'))) throw new RangeError('bench: --python-venv needs a directory');
  const enabled = argv.includes('--python');
  if (!enabled && (given || argv.includes('--python-recreate'))) throw new RangeError('bench: --python-venv and --python-recreate go with --python');
  return { enabled, recreate: argv.includes('--python-recreate'), venv };
}

/** The ssimkit case each Python peer is measured against. */
export const KIT_CASE = {
  'scikit-image': 'ssim',
  'OpenCV float32': 'ssim',
  'OpenCV float64': 'ssim',
  'pytorch-msssim ssim': 'ssim',
  'pytorch-msssim ms_ssim': 'msssim',
  'torch autograd (pytorch-msssim)': 'ssimLoss-batch+grad',
  'torch forward (pytorch-msssim)': 'ssimLoss-batch',
};

/**
 * Each peer row with `kit` (ssimkit 1-thread's row of the same size and case),
 * `xKit1t` (peer ms / ssimkit ms: how many times slower the peer is) and
 * `absDiff` (|peer value - ssimkit value|). kitRow(threads, size, case) finds a row.
 */
export function annotate(rows, kitRow) {
  return rows.map((r) => {
    const kit = kitRow(1, r.size, KIT_CASE[r.impl] ?? r.case) ?? null;
    return { ...r, kitCase: KIT_CASE[r.impl] ?? r.case, xKit1t: kit ? r.ms / kit.ms : null, absDiff: kit && r.value != null && kit.value != null ? Math.abs(r.value - kit.value) : null };
  });
}

const fmtMs = (ms) => (ms == null ? '—' : ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
const fmtX = (x) => (x == null || !Number.isFinite(x) ? '—' : x >= 100 ? `${x.toFixed(0)}x` : x >= 10 ? `${x.toFixed(1)}x` : `${x.toFixed(2)}x`);
export const fmtDiff = (d) => (d == null ? '—' : d === 0 ? '0' : d.toExponential(1));

/**
 * The loss-batch table: ssimkit per configuration (kitBatch: [{ threads, rows }])
 * and torch, loss alone and loss + gradient, with the ratios to ssimkit 1t.
 */
export function batchLines(pyRows, kitBatch, shape) {
  const size = shape.join('x');
  const out = [];
  out.push(`Loss + gradient on [${shape.join(', ')}] (ssimLoss vs 1 - pytorch_msssim.ssim, data_range 1; the same float32 batch file on both sides)`);
  out.push(`  ${'implementation'.padEnd(34)}${'loss ms'.padStart(9)}${'+grad ms'.padStart(10)}${'ratio'.padStart(8)}${'x kit1t'.padStart(9)}${'loss'.padStart(11)}${'|d loss|'.padStart(10)}${'max|d grad|'.padStart(13)}`);
  const k1 = kitBatch.find((c) => c.threads === 1);
  const kf = (c, kase) => c?.rows?.find((r) => r.size === size && r.case === kase);
  for (const c of kitBatch) {
    if (!c.rows) {
      out.push(`  ${`ssimkit wasm ${c.threads}t`.padEnd(34)}${'unavailable'.padStart(9)}  ${c.reason ?? ''}`);
      continue;
    }
    const a = kf(c, 'ssimLoss-batch'), b = kf(c, 'ssimLoss-batch+grad');
    out.push(`  ${`ssimkit wasm ${c.threads}t`.padEnd(34)}${fmtMs(a?.ms).padStart(9)}${fmtMs(b?.ms).padStart(10)}${(a && b ? fmtX(b.ms / a.ms) : '—').padStart(8)}${(b && kf(k1, 'ssimLoss-batch+grad') ? fmtX(b.ms / kf(k1, 'ssimLoss-batch+grad').ms) : '—').padStart(9)}${(b?.value == null ? '' : b.value.toFixed(7)).padStart(11)}`);
  }
  const fb = pyRows.find((r) => r.size === size && r.case === 'ssimLoss-batch+grad');
  const f = pyRows.find((r) => r.size === size && r.case === 'ssimLoss-batch');
  if (fb || f) {
    out.push(`  ${'torch 1t (pytorch-msssim autograd)'.padEnd(34)}${fmtMs(f?.ms).padStart(9)}${fmtMs(fb?.ms).padStart(10)}${(f && fb ? fmtX(fb.ms / f.ms) : '—').padStart(8)}${fmtX(fb?.xKit1t).padStart(9)}${(fb?.value == null ? '' : fb.value.toFixed(7)).padStart(11)}${fmtDiff(fb?.absDiff).padStart(10)}${fmtDiff(fb?.gradMaxAbsDiff).padStart(13)}`);
    if (fb?.gradMaxAbs != null) out.push(`  (max |grad| ${fb.gradMaxAbs.toExponential(2)}; torch's NCHW gradient transposed to NHWC before the difference; 'x kit1t' of torch = torch ms / ssimkit 1t ms)`);
  }
  return out;
}

/**
 * Issue 12's targets against the Python peers, at size `ref`:
 * [{ name, measured, goal, status: 'MET' | 'MISSED' | 'N/A', note }].
 * `why` is the reason when the Python peers could not run at all.
 */
export function pythonTargets(pyRows, kitRow, ref, batchShape, why = null) {
  const batch = batchShape.join('x');
  const specs = [
    ['OpenCV float32', ref, 'ssim', 1.5, `SSIM ${ref} RGB: OpenCV float32 recipe / ssimkit 1t`],
    ['scikit-image', ref, 'ssim', 5, `SSIM ${ref} RGB: scikit-image / ssimkit 1t`],
    ['pytorch-msssim ssim', ref, 'ssim', 4, `SSIM ${ref} RGB: pytorch-msssim ssim (CPU 1t) / ssimkit 1t`],
    ['pytorch-msssim ms_ssim', ref, 'msssim', 5, `MS-SSIM ${ref}: pytorch-msssim ms_ssim (CPU 1t) / ssimkit 1t`],
    ['torch autograd (pytorch-msssim)', batch, 'ssimLoss-batch+grad', 3, `ssimLoss+grad [${batchShape.join(',')}]: torch autograd 1t / ssimkit 1t`],
  ];
  return specs.map(([impl, size, kase, goal, name]) => {
    const peer = pyRows.find((r) => r.impl === impl && r.size === size);
    const kit = kitRow(1, size, kase);
    const x = peer && kit ? peer.ms / kit.ms : null;
    const note = x != null ? '' : why ? `python peers unavailable: ${why}` : !peer ? `no ${impl} row at ${size}` : `no ssimkit 1t ${kase} row at ${size}`;
    return { name, measured: x == null ? 'n/a' : fmtX(x), goal: `>= ${goal}x`, status: x == null ? 'N/A' : x >= goal ? 'MET' : 'MISSED', note };
  });
}

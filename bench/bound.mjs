// The arithmetic bound of SSIM's native kernel: the least time per output
// sample that its floating-point operations can take on this core, printed
// by `npm run bench` beside the measured ns per output sample (issue 12:
// "natively, within 1.5x of the arithmetic bound of the kernel you chose").
//
// bound = sum over the kernel's parts of (lane operations per output sample)
//         / (peak lane operations per ns of that part's precision),
// the peaks measured in the same run by crate/examples/peak_flops.rs (SSE2
// multiplies and adds on independent registers: every unit busy). Loads,
// stores, shuffles and the division's extra latency count nothing, so no
// kernel can reach the bound; it is a floor, not an estimate.
//
// Operation counts per output sample of one plane, Gaussian window of n taps
// (symmetric, folded: h = (n + 1) / 2 taps), as crate/src/stream.rs runs it:
// - products, per source sample read: 4 signals x, y, x^2 + y^2, xy: 3 mul +
//   1 add; with integer centring, 2 subtractions more; five signals: 3 mul;
// - horizontal filter, per signal per source-row sample: (h - 1) adds folding
//   the mirrored taps, h multiplies, h - 1 adds: 3h - 2;
// - vertical filter, per signal per output: 3h - 2 again;
// - the row kernel (kernels::scalar::lcs4 and row_sums), per output: 29
//   (the means' products 4, l 6 with its clamp, the variance 3, the clamped
//   covariance 6, cs 6, the three sums and l*cs 4; each division counts 1).
// Products and the horizontal filter run on the chunk's halo rows and the
// strip's halo columns too: (1 + (n - 1) / CHUNK) (1 + (n - 1) / STRIP)
// times per output (CHUNK = 64 rows, STRIP = 256 columns).

export const CHUNK = 64;
export const STRIP = 256;

/**
 * Lane operations per output sample of each part of SSIM's kernel.
 * kernel: { n, signals: 4 | 5, centred: boolean, filter: 'f32' | 'f64', row: 'f32' | 'f64' }
 * ow: output width (the strip's halo is counted on the strips it really has).
 */
export function ssimOps({ n = 11, signals = 4, centred = false, filter = 'f64', row = 'f64' } = {}, ow = 1 << 30) {
  const h = (n + 1) / 2;
  const strips = Math.ceil(ow / STRIP);
  const halo = (1 + (n - 1) / CHUNK) * (1 + ((n - 1) * strips) / ow);
  const products = (signals === 4 ? 4 : 3) + (centred ? 2 : 0);
  const tap = 3 * h - 2;
  return [
    { part: 'products + horizontal filter', ops: (products + signals * tap) * halo, precision: filter },
    { part: 'vertical filter', ops: signals * tap, precision: filter },
    { part: 'row kernel (l, cs, sums)', ops: 29, precision: row },
  ];
}

/** ns per output sample the kernel cannot beat, given peak lane ops per ns { f64, f32 }. */
export function boundNs(kernel, peak, ow) {
  const parts = ssimOps(kernel, ow);
  const ns = parts.reduce((s, p) => s + p.ops / peak[p.precision], 0);
  return { ns, ops: parts.reduce((s, p) => s + p.ops, 0), parts };
}

/** What a kernel descriptor says in one line. */
export function describeKernel(k) {
  return `${k.signals} signals, ${k.centred ? 'integer-centred ' : ''}${k.filter} filters, ${k.row} row kernel, ${k.n}-tap Gaussian`;
}

//! Backward passes: gradients of SSIM-family scores with respect to the
//! second plane (the prediction), by the chain rule through the window
//! filters and the down-sampling. Every score is a mean over window
//! positions of F(mu_y, E[y^2], E[xy]) (x fixed; SSIM's F reads E[x^2 + y^2]
//! where it reads E[y^2], the forward's four moments), so each backward pass is:
//! per position, dF/d(moments), streamed chunk by chunk exactly as the
//! forward pass streams (so the value is the forward's, bit for bit); then
//! the adjoint of the window filter, gathered one source row at a time as
//! soon as the rows it reads are held (`grad_stream`): rows, never planes.

use rayon::prelude::*;

use crate::grad_stream::{stream_backward, Ring};
use crate::kernels::scalar::partials_at;
use crate::kernels::{self, Chain, Moments4, Moments5, SsimConsts};
use crate::levels::{centres, chunk_levels, LevelRow};
use crate::lwssim::{c_and_s, dpow, level_value, lwssim_total, pow, LwssimParams, DPOW_FLOOR};
use crate::msssim::{combine, downsample2, downsample2_rows};
use crate::plane::Plane;
use crate::ssim::SsimParams;
use crate::stream::{add3, chunk_moments, join, Filter, Five, Four, PairRows, PlanePair, CHUNK};
use crate::window::Border;

/// Padded rows feeding source row r of a plane h rows high: r itself
/// (valid); under 'same' the row at r + before and its reflections,
/// before - 1 - r above the top and 2h - 1 - r + before below the bottom,
/// where those exist. Sorted.
pub(crate) fn preimage(border: Border, n: usize, h: usize, oh: usize, r: usize) -> ([usize; 3], usize) {
    let before = (n - 1) / 2;
    let padded = oh + n - 1;
    match border {
        Border::Valid => ([r, 0, 0], 1),
        Border::Same => {
            let mut out = [0; 3];
            let mut k = 0;
            for p in [before.checked_sub(r + 1), Some(r + before), Some(2 * h - 1 - r + before)].into_iter().flatten() {
                if p < padded {
                    out[k] = p;
                    k += 1;
                }
            }
            out[..k].sort_unstable();
            (out, k)
        }
    }
}

/// Takes source row r's adjoint rows (one per plane) into its output row;
/// the last slice is scratch of two rows (hot loops must not allocate).
pub type AdjointRow<'a, const K: usize> = dyn Fn(usize, [&[f64]; K], &mut [f64], &mut [f64]) + Sync + 'a;

/// Rows after which the adjoint's running box sum starts afresh; a
/// streamed pass hands over rows in multiples of it (grad_stream).
pub const RESTART: usize = 16;

/// One filter's held output rows for [`adjoint_rows`]: K planes of ow x oh,
/// interleaved by row in `g` (row i of plane s at `(i K + s) ow`), from
/// output row `g0` on.
pub struct Held<'a> {
    pub g: &'a [f64],
    pub g0: usize,
    pub out: (usize, usize),
    pub f: &'a Filter,
}

/// One filter's working rows while a piece of source rows is gathered.
struct Work<const K: usize> {
    vrow: Vec<f64>,
    vpads: [Vec<f64>; K],
    hrows: [Vec<f64>; K],
    colsum: [Vec<f64>; K],
}

/// The adjoint of the separable window filters (`stream::chunk_moments`)
/// of `held`, summed over the filters, gathered per source row: row r of
/// the result sums, over the filters and the padded rows p that read
/// source row r, the window's taps times the rows of `g` that padded row
/// fed; then the same along the row. Zero rows stand in past the edges, so
/// the forward's row kernels serve: the symmetric filter, or for a box
/// plain sums (sliding down the rows where each source row has one padded
/// row, running along the row), scaled by 1/n^2 once. Filters add in their
/// order (fixed bits). Source rows `rows` go in pieces of RESTART from
/// `rows.start`, in parallel; calls `emit(r, [adjoint rows; K], row
/// r - rows.start of out)` once per row, so the caller reads its source row
/// once whatever the number of filters.
pub fn adjoint_rows<const K: usize>(held: &[Held], (w, h): (usize, usize), border: Border, rows: core::ops::Range<usize>,
    out: &mut [f64], emit: &AdjointRow<K>) {
    let zero = vec![0.0; held.iter().map(|x| x.out.0).max().unwrap_or(0)];
    let cols: Vec<Vec<usize>> = held.iter().map(|x| border.source_indices(w, x.f.n())).collect();
    assert_eq!(out.len(), w * rows.len());
    // Pieces of RESTART rows: a band hands over a few dozen rows, and every
    // thread should get some (the running sum restarts there anyway).
    out.par_chunks_mut(RESTART * w).enumerate().for_each(|(c, dst)| {
        let mut work: Vec<Work<K>> = held
            .iter()
            .map(|x| {
                let (n, ow) = (x.f.n(), x.out.0);
                let sliding = matches!(x.f, Filter::Box { .. }) && border == Border::Valid;
                Work {
                    vrow: vec![0.0; ow],
                    vpads: core::array::from_fn(|_| vec![0.0; ow + 2 * (n - 1)]),
                    hrows: core::array::from_fn(|_| vec![0.0; ow + n - 1]),
                    colsum: core::array::from_fn(|_| vec![0.0; if sliding { ow } else { 0 }]),
                }
            })
            .collect();
        let mut acc: [Vec<f64>; K] = core::array::from_fn(|_| vec![0.0; w]);
        let mut scratch = vec![0.0; 2 * w];
        let (r0, r1) = (rows.start + c * RESTART, (rows.start + (c + 1) * RESTART).min(rows.end));
        for r in r0..r1 {
            for (i, (x, wk)) in held.iter().zip(work.iter_mut()).enumerate() {
                let scale = adjoint_row(x, wk, &zero, (w, h), border, r, r0);
                let plen = x.out.0 + x.f.n() - 1;
                if held.len() == 1 && border == Border::Valid && scale == 1.0 {
                    // Padded columns are the source's (plen == w): no gather.
                    emit(r, core::array::from_fn(|s| &wk.hrows[s][..w]), &mut dst[(r - r0) * w..][..w], &mut scratch);
                    break;
                }
                for s in 0..K {
                    let (a, hrow) = (&mut acc[s], &wk.hrows[s]);
                    if border == Border::Valid {
                        // plen == w and the columns are the source's: no gather.
                        let (a, hrow) = (&mut a[..w], &hrow[..w]);
                        if i == 0 {
                            a.iter_mut().zip(hrow).for_each(|(d, v)| *d = v * scale);
                        } else {
                            a.iter_mut().zip(hrow).for_each(|(d, v)| *d += v * scale);
                        }
                        continue;
                    }
                    if i == 0 {
                        a.iter_mut().for_each(|v| *v = 0.0);
                    }
                    if scale == 1.0 {
                        for (q, &c) in cols[i].iter().take(plen).enumerate() {
                            a[c] += hrow[q];
                        }
                    } else {
                        for (q, &c) in cols[i].iter().take(plen).enumerate() {
                            a[c] += hrow[q] * scale;
                        }
                    }
                }
                if i + 1 == held.len() {
                    emit(r, core::array::from_fn(|s| &acc[s][..]), &mut dst[(r - r0) * w..][..w], &mut scratch);
                }
            }
        }
    });
}

/// Source row r's adjoint through one filter, padded columns, into
/// `wk.hrows`; returns the scale still owed (1/n^2 for a box). `r0` is the
/// first row of the piece (where a running sum starts).
fn adjoint_row<const K: usize>(x: &Held, wk: &mut Work<K>, zero: &[f64], (_, h): (usize, usize), border: Border, r: usize, r0: usize) -> f64 {
    let (f, n, (ow, oh)) = (x.f, x.f.n(), x.out);
    let (g, g0) = (x.g, x.g0);
    let row_of = |i: isize, s: usize| -> &[f64] {
        if i >= 0 && (i as usize) < oh { &g[((i as usize - g0) * K + s) * ow..][..ow] } else { &zero[..ow] }
    };
    let sliding = matches!(f, Filter::Box { .. }) && border == Border::Valid;
    let (ps, np) = preimage(border, n, h, oh, r);
    for s in 0..K {
        let v = &mut wk.vpads[s][n - 1..n - 1 + ow];
        if sliding {
            // Output rows r - n + 1 ..= r read padded row r.
            let sum = &mut wk.colsum[s];
            // Restarted every RESTART rows of the plane (not of the
            // call), so the bits do not depend on how rows are split.
            if r == r0 || r % RESTART == 0 {
                kernels::with_rows(n, |k| row_of(r as isize - n as isize + 1 + k as isize, s), |rows| kernels::vbox_init(rows, sum));
                v.copy_from_slice(sum);
            } else {
                kernels::vbox_slide(sum, row_of(r as isize, s), row_of(r as isize - n as isize, s), 1.0, v);
            }
        } else {
            let vrow = &mut wk.vrow;
            for (t, &p) in ps[..np].iter().enumerate() {
                // Output rows i = p - n + 1 + k, k = 0..n, read padded row p.
                kernels::with_rows(n, |k| row_of(p as isize - n as isize + 1 + k as isize, s), |rows| match f {
                    Filter::Symmetric { half } => kernels::vfilter(rows, half, vrow),
                    Filter::Box { .. } => kernels::vbox_init(rows, vrow),
                });
                if t == 0 {
                    v.copy_from_slice(vrow);
                } else {
                    for (d, a) in v.iter_mut().zip(vrow.iter()) {
                        *d += a;
                    }
                }
            }
        }
    }
    // Along the row: K running sums side by side for a box.
    match f {
        Filter::Symmetric { half } => {
            for s in 0..K {
                kernels::hfilter(&wk.vpads[s], half, &mut wk.hrows[s]);
            }
            1.0
        }
        Filter::Box { n } => {
            let mut it = wk.hrows.iter_mut();
            let d: [&mut [f64]; K] = core::array::from_fn(|_| it.next().unwrap().as_mut_slice());
            kernels::hbox_k::<K>(core::array::from_fn(|s| wk.vpads[s].as_slice()), *n, d);
            1.0 / (n * n) as f64
        }
    }
}

/// Which mean a single-scale backward pass differentiates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Objective {
    /// mean of l * cs (SSIM)
    Ssim,
    /// mean of cs (MS-SSIM's finer scales)
    Cs,
}

/// LWSSIM (before the 1/I and lambda weighting: the per-level means) and
/// the gradient of (1/I) sum_i lambda_i LWSSIM_i with respect to y.
///
/// With beta = gamma = 1 the structural term is cs, exactly as the forward
/// pass computes it. Otherwise c and s go through sx sy = sqrt(sxx syy),
/// whose derivative is infinite where a variance is 0: there the
/// subgradient 0 is used, as for a clamped variance or covariance.
/// One row of one LWSSIM level: the moment gradients (times `scale`) into
/// gm, gyy, gxy, and the row's sums exactly as the forward's `level_row`.
fn lwssim_row_grads(m: &Moments5, k: &SsimConsts, p: &LwssimParams, scale: f64, gm: &mut [f64], gyy: &mut [f64], gxy: &mut [f64]) -> [f64; 3] {
    if p.simple() {
        // d(l + cs), two outputs a vector; the forward's sums, bit for bit.
        let len = m.mx.len();
        return kernels::grads_row(m, k, Chain::Sum, scale, &mut gm[..len], &mut gyy[..len], &mut gxy[..len]);
    }
    let unit = p.beta == 1.0 && p.gamma == 1.0;
    let mut sum = 0.0;
    for j in 0..m.mx.len() {
        let d = partials_at(m, k, j);
        let l = d.l;
        // d.dl_dmu is exactly 0 at identity (mx == my, l == 1).
        let f_l = dpow(l, p.alpha);
        let (structural, g_mu, g_yy, g_xy) = if unit {
            (d.cs, d.dcs_dmu, d.dcs_dyy, d.dcs_dxy)
        } else {
            let (mx, my) = (m.mx[j], m.my[j]);
            let t = c_and_s(mx, my, m.xx[j], m.yy[j], m.xy[j], k.c2);
            let (c, s) = (t.c, t.s);
            let (pc, ps_) = (pow(c, p.beta), pow(s, p.gamma));
            // An identical window (same mean, variance and covariance, so
            // y = x under it) is the maximum of c and s over y: derivative
            // exactly 0 there (the sqrt's rounding would leave ~1e-16).
            // Elsewhere the clamps of c and s only guard against rounding:
            // the derivative is the smooth formula's.
            let same = mx == my && m.xx[j] == m.yy[j] && m.xy[j] == m.yy[j];
            let f_c = if same { 0.0 } else { dpow(c, p.beta) * ps_ };
            let f_s = if same { 0.0 } else { pc * dpow(s, p.gamma) };
            let den_c = (t.sxx + t.syy) + k.c2;
            let dc = 2.0 * t.ps + k.c2;
            // d(sqrt(sxx syy))/d(syy) = sqrt(sxx / syy) / 2, unbounded as
            // syy -> 0+: syy is floored at 1e-12 there (documented), and the
            // derivative is 0 where the variance is clamped.
            let on_yy = t.syy_raw > 0.0;
            let dps = if on_yy { 0.5 * (t.sxx / t.syy.max(DPOW_FLOOR)).sqrt() } else { 0.0 };
            let dc_dyy = if on_yy { (2.0 * dps * den_c - dc) / (den_c * den_c) } else { 0.0 };
            let ds_dyy = (0.0 - s) / (t.ps + t.c3) * dps;
            let ds_dxy = 1.0 / (t.ps + t.c3);
            let f_yy = f_c * dc_dyy + f_s * ds_dyy;
            let f_xy = f_s * ds_dxy;
            // sigma_yy = E[y^2] - mu_y^2, sigma_xy = E[xy] - mu_x mu_y.
            (pc * ps_, (0.0 - 2.0 * my) * f_yy - mx * f_xy, f_yy, f_xy)
        };
        sum += pow(l, p.alpha) + structural;
        gm[j] = (f_l * d.dl_dmu + g_mu) * scale;
        gyy[j] = g_yy * scale;
        gxy[j] = g_xy * scale;
    }
    if p.simple() {
        // The forward's sums, bit for bit (see lwssim::level_row).
        kernels::ssim_row(m, k, None)
    } else {
        [sum, 0.0, 0.0]
    }
}


/// The mean SSIM (or cs) of plane `plane` of `src` and its gradient with
/// respect to y, streamed: `emit(first row, rows)`. The mean is the
/// forward pass's, bit for bit.
pub fn ssim_grad_rows(src: &dyn PairRows, plane: usize, p: &SsimParams, obj: Objective, emit: impl FnMut(usize, &[f64])) -> f64 {
    let f = Filter::new(&p.window);
    let k = p.consts(src.range());
    let (ow, oh) = (p.border.output_len(src.width(), f.n()), p.border.output_len(src.height(), f.n()));
    let len = ow * oh;
    let inv = 1.0 / len as f64;
    let chain = match obj {
        Objective::Ssim => Chain::Ssim,
        Objective::Cs => Chain::Cs,
    };
    // Four moments, as the forward streams them: its sums, bit for bit.
    let row = |m: &Moments4, j0: usize, g: &mut [f64]| {
        let (gm, rest) = g.split_at_mut(ow);
        let (gss, gxy) = rest.split_at_mut(ow);
        let len = m.mx.len();
        kernels::grads_row4(m, &k, chain, inv, &mut gm[j0..j0 + len], &mut gss[j0..j0 + len], &mut gxy[j0..j0 + len])
    };
    // One ring; chunks of CHUNK output rows, as the forward streams them.
    let span = |_: usize, c: usize| ((c * CHUNK).min(oh), ((c + 1) * CHUNK).min(oh));
    let fill = |c: usize, bands: &mut [(usize, &mut [f64])]| {
        let (i0, i1) = span(0, c);
        let dst = &mut *bands[0].1;
        let mut acc = [0.0; 3];
        chunk_moments::<Four>(src, plane, &f, p.border, i0, i1, |i, j0, m| {
            add3(&mut acc, row(m, j0, &mut dst[(i - i0) * 3 * ow..][..3 * ow]));
        });
        vec![acc]
    };
    let ring = Ring::new(f.clone(), p.border, src.width(), src.height());
    let parts = stream_backward(src, plane, &mut [ring], oh.div_ceil(CHUNK), &span, &fill, emit);
    let sums = join(parts.iter().map(|p| p[0]));
    let v = match obj {
        Objective::Ssim => sums[0],
        Objective::Cs => sums[1],
    };
    v / len as f64
}

/// Collects streamed gradient rows into a plane.
fn collect(w: usize, h: usize, run: impl FnOnce(&mut dyn FnMut(usize, &[f64])) -> f64) -> (f64, Vec<f64>) {
    let mut grad = vec![0.0; w * h];
    let v = run(&mut |r0, rows| grad[r0 * w..][..rows.len()].copy_from_slice(rows));
    (v, grad)
}

/// [`ssim_grad_rows`] of a plane pair, the gradient as a plane.
pub fn ssim_plane_grad(x: &Plane<f64>, y: &Plane<f64>, p: &SsimParams, obj: Objective) -> (f64, Vec<f64>) {
    collect(x.width, x.height, |emit| ssim_grad_rows(&PlanePair { x, y }, 0, p, obj, emit))
}

/// The adjoint of `downsample2` for one fine row r of a w x h plane: each
/// coarse value spreads a quarter to the four fine samples it averaged
/// (twice to a repeated edge sample), added into `dst`.
fn downsample2_adjoint_row(g: &Plane<f64>, w: usize, h: usize, r: usize, dst: &mut [f64]) {
    let i = r / 2;
    let rows = if (2 * i + 1).min(h - 1) == 2 * i { 2.0 } else { 1.0 };
    let src = g.row(i);
    for (q, d) in dst.iter_mut().enumerate().take(w) {
        let j = q / 2;
        let cols = if (2 * j + 1).min(w - 1) == 2 * j { 2.0 } else { 1.0 };
        *d += src[j] * 0.25 * rows * cols;
    }
}

/// Per scale, d(MS-SSIM)/d(term): w_s v_s^(w_s - 1) prod_{t != s} v_t^w_t
/// where v_s > 0, with v_s floored at 1e-12 in that power (unbounded as
/// v_s -> 0+ for w_s < 1; documented); where the relu clamps (v_s = 0) the
/// subgradient 0: never NaN or infinite. `terms` are already clamped.
fn msssim_coefs(terms: &[f64], weights: &[f64]) -> Vec<f64> {
    let powered: Vec<f64> = terms.iter().zip(weights).map(|(v, w)| v.powf(*w)).collect();
    (0..terms.len())
        .map(|s| {
            if terms[s] > 0.0 && weights[s] != 0.0 {
                let others: f64 = powered.iter().enumerate().filter(|(t, _)| *t != s).map(|(_, p)| *p).product();
                weights[s] * terms[s].max(DPOW_FLOOR).powf(weights[s] - 1.0) * others
            } else {
                0.0
            }
        })
        .collect()
}

/// The largest half-resolution scale (x and y, f64) an MS-SSIM backward
/// holds rather than reads on demand: 512x512 of them.
pub const HOLD_HALF_BYTES: usize = 4 << 20;

/// Scale `times` of MS-SSIM's pyramid over `src`, read on demand: each row
/// the 2x2 average of two rows of the scale below (`downsample2`'s
/// arithmetic, edge samples repeated), never held. Reading a whole scale
/// costs about one pass over the source, whatever the scale.
struct Halved<'a> {
    src: &'a dyn PairRows,
    /// Width and height of every scale from the source's on.
    sizes: Vec<(usize, usize)>,
}

impl Halved<'_> {
    fn level_row(&self, t: usize, plane: usize, r: usize, c0: usize, x: &mut [f64], y: &mut [f64]) {
        if t == 0 {
            return self.src.row(plane, r, c0, x, y);
        }
        let (w, h) = self.sizes[t - 1];
        let len = x.len();
        let s0 = 2 * c0;
        let n = (2 * (c0 + len)).min(w) - s0;
        let mut buf = vec![0.0; 4 * n];
        let (xa, rest) = buf.split_at_mut(n);
        let (ya, rest) = rest.split_at_mut(n);
        let (xb, yb) = rest.split_at_mut(n);
        self.level_row(t - 1, plane, 2 * r, s0, xa, ya);
        self.level_row(t - 1, plane, (2 * r + 1).min(h - 1), s0, xb, yb);
        for j in 0..len {
            let (a, b) = (2 * j, (2 * j + 1).min(n - 1));
            x[j] = ((xa[a] + xa[b]) + (xb[a] + xb[b])) * 0.25;
            y[j] = ((ya[a] + ya[b]) + (yb[a] + yb[b])) * 0.25;
        }
    }
}

/// One scale of a [`Halved`] pyramid as a pair of planes to read.
struct Scale<'a> {
    pyramid: &'a Halved<'a>,
    t: usize,
}

impl PairRows for Scale<'_> {
    fn width(&self) -> usize {
        self.pyramid.sizes[self.t].0
    }
    fn height(&self) -> usize {
        self.pyramid.sizes[self.t].1
    }
    fn planes(&self) -> usize {
        self.pyramid.src.planes()
    }
    fn range(&self) -> f64 {
        self.pyramid.src.range()
    }
    fn row(&self, plane: usize, r: usize, c0: usize, x: &mut [f64], y: &mut [f64]) {
        self.pyramid.level_row(self.t, plane, r, c0, x, y)
    }
}

/// What an MS-SSIM backward pass leaves for its last step: the per-scale
/// values (clamped: the forward's terms, bit for bit) and what turns a row
/// of the finest scale's own gradient into a row of d(MS-SSIM)/dy.
pub struct MsssimBackward {
    pub terms: Vec<f64>,
    coef0: f64,
    /// The coarser scales' gradient at half resolution, coefficients in.
    coarse: Option<Plane<f64>>,
    w: usize,
    h: usize,
}

impl MsssimBackward {
    /// Row r of d(MS-SSIM)/dy from row r of d(term 0)/dy, in place.
    pub fn finish_row(&self, r: usize, row: &mut [f64]) {
        for d in row.iter_mut() {
            *d *= self.coef0;
        }
        if let Some(c) = &self.coarse {
            downsample2_adjoint_row(c, self.w, self.h, r, row);
        }
    }
}

/// The backward pass of MS-SSIM on plane `plane` of `src`, with no forward
/// pass first: each scale's gradient is scaled by every scale's value, so
/// the finest scale's own gradient streams out raw (`emit(first row,
/// rows)`), the coarser ones are held unscaled, and the returned
/// [`MsssimBackward`] finishes the rows once all values are known.
///
/// The half-resolution scale is read on demand from the source
/// ([`Halved`]) unless it is small, the coarser ones held (4/3 bytes per
/// source pixel, let go as they are done); the coarser scales' gradients are
/// planes, a third of the pixels (8/3 bytes per source pixel).
pub fn msssim_grad_rows(src: &dyn PairRows, plane: usize, p: &SsimParams, weights: &[f64],
    emit: impl FnMut(usize, &[f64])) -> MsssimBackward {
    msssim_grad_rows_holding(src, plane, p, weights, HOLD_HALF_BYTES, emit)
}

/// [`msssim_grad_rows`] holding the half-resolution scale up to `hold`
/// bytes (tests read it on demand at any size: the same bits).
#[doc(hidden)]
pub fn msssim_grad_rows_holding(src: &dyn PairRows, plane: usize, p: &SsimParams, weights: &[f64], hold: usize,
    emit: impl FnMut(usize, &[f64])) -> MsssimBackward {
    let scales = weights.len();
    let obj = |s: usize| if s + 1 == scales { Objective::Ssim } else { Objective::Cs };
    let (w, h) = (src.width(), src.height());
    let mut sizes = vec![(w, h)];
    for _ in 1..scales {
        let (sw, sh) = *sizes.last().unwrap();
        sizes.push((sw.div_ceil(2), sh.div_ceil(2)));
    }
    let pyramid = Halved { src, sizes };
    let half = Scale { pyramid: &pyramid, t: 1 };
    // Scales 2.. are held (a twelfth of the pixels, x and y): read on demand
    // each would cost a pass over the source, for 1/16 of its pixels. The
    // half-resolution scale too where it is small (the same values).
    let mut held: Vec<(Plane<f64>, Plane<f64>)> = Vec::new();
    let hold_half = scales > 1 && 16 * pyramid.sizes[1].0 * pyramid.sizes[1].1 <= hold;
    let first = if hold_half { 1 } else { 2 };
    for t in first..scales {
        let (pw, ph) = pyramid.sizes[t - 1];
        let next = match held.last() {
            None => {
                // The scale below, read in place: the source or the half.
                let below: &dyn PairRows = if t == 1 { src } else { &half };
                let mut other = vec![0.0; pw];
                let xs = downsample2_rows(pw, ph, |r, out| below.row(plane, r, 0, out, &mut other));
                let ys = downsample2_rows(pw, ph, |r, out| below.row(plane, r, 0, &mut other, out));
                (xs, ys)
            }
            Some((x, y)) => (downsample2(x), downsample2(y)),
        };
        held.push(next);
    }
    // The coarser scales' own gradients, coarsest first, and every value.
    let mut values = vec![0.0; scales];
    let mut own: Vec<Plane<f64>> = Vec::with_capacity(scales.saturating_sub(1));
    for s in (1..scales).rev() {
        let (sw, sh) = pyramid.sizes[s];
        let mut g = vec![0.0; sw * sh];
        let at: &dyn PairRows = if s < first { &half } else { &PlanePair { x: &held[s - first].0, y: &held[s - first].1 } };
        values[s] = ssim_grad_rows(at, plane, p, obj(s), |r0, rows| g[r0 * sw..][..rows.len()].copy_from_slice(rows));
        own.push(Plane::new(sw, sh, g));
        if s >= first {
            held.pop();
        }
    }
    values[0] = ssim_grad_rows(src, plane, p, obj(0), emit);
    let terms: Vec<f64> = values.iter().map(|v| v.max(0.0)).collect();
    let coefs = msssim_coefs(&terms, weights);
    // G_s = coef_s A_s + U(G_{s+1}), coarsest first, in place.
    let mut coarse: Option<Plane<f64>> = None;
    for (i, mut g) in own.into_iter().enumerate() {
        let s = scales - 1 - i;
        let (sw, sh) = (g.width, g.height);
        for (r, row) in g.data.chunks_mut(sw).enumerate() {
            for d in row.iter_mut() {
                *d *= coefs[s];
            }
            if let Some(c) = &coarse {
                downsample2_adjoint_row(c, sw, sh, r, row);
            }
        }
        coarse = Some(g);
    }
    MsssimBackward { terms, coef0: coefs[0], coarse, w, h }
}

/// MS-SSIM of a plane pair and its gradient with respect to y.
pub fn msssim_plane_grad(x: &Plane<f64>, y: &Plane<f64>, p: &SsimParams, weights: &[f64]) -> (f64, Vec<f64>) {
    msssim_plane_grad_holding(x, y, p, weights, HOLD_HALF_BYTES)
}

/// [`msssim_plane_grad`] holding the half-resolution scale up to `hold` bytes.
#[doc(hidden)]
pub fn msssim_plane_grad_holding(x: &Plane<f64>, y: &Plane<f64>, p: &SsimParams, weights: &[f64], hold: usize) -> (f64, Vec<f64>) {
    let w = x.width;
    let mut grad = vec![0.0; w * x.height];
    let back = msssim_grad_rows_holding(&PlanePair { x, y }, 0, p, weights, hold, |r0, rows| grad[r0 * w..][..rows.len()].copy_from_slice(rows));
    for (r, row) in grad.chunks_mut(w).enumerate() {
        back.finish_row(r, row);
    }
    (combine(&back.terms, weights), grad)
}

/// LWSSIM of plane `plane` of `src` (the forward's value, bit for bit) and
/// the gradient of (1/I) sum_i lambda_i LWSSIM_i with respect to y,
/// streamed: `emit(first row, rows)`. Every level's ring fills in the same
/// pass: box windows through the forward's fused pass over centre rows,
/// other windows each by its own moments, chunk by chunk.
pub fn lwssim_grad_rows(src: &dyn PairRows, plane: usize, p: &LwssimParams, emit: impl FnMut(usize, &[f64])) -> f64 {
    let levels = p.levels.len() as f64;
    let k = p.consts(src.range());
    let (w, h) = (src.width(), src.height());
    let filters: Vec<Filter> = p.levels.iter().map(|(win, _)| Filter::new(win)).collect();
    let mut rings: Vec<Ring> = filters.iter().map(|f| Ring::new(f.clone(), p.border, w, h)).collect();
    let sizes: Vec<(usize, usize)> = rings.iter().map(Ring::output).collect();
    let scales: Vec<f64> = p.levels.iter().zip(&sizes).map(|((_, lambda), (ow, oh))| lambda / levels / (ow * oh) as f64).collect();
    let grads = |l: usize, m: &Moments5, j: usize, row: &mut [f64]| {
        let ow = sizes[l].0;
        let (gm, rest) = row.split_at_mut(ow);
        let (gyy, gxy) = rest.split_at_mut(ow);
        lwssim_row_grads(m, &k, p, scales[l], &mut gm[j..], &mut gyy[j..], &mut gxy[j..])
    };
    let parts = if let Some(halves) = p.box_halves() {
        // Each chunk of centre rows owns a band of output rows of every level.
        let shift = |hc: usize| if p.border == Border::Valid { hc } else { 0 };
        let span = |l: usize, c: usize| {
            let (lo, hi) = centres(p.border, h, halves[l]);
            let (r0, r1) = ((c * CHUNK).min(h), ((c + 1) * CHUNK).min(h));
            let (a, b) = (r0.max(lo), r1.min(hi).max(r0.max(lo)));
            (a - shift(halves[l]), b - shift(halves[l]))
        };
        let fill = |c: usize, bands: &mut [(usize, &mut [f64])]| {
            let (r0, r1) = (c * CHUNK, ((c + 1) * CHUNK).min(h));
            let mut acc = vec![[0.0; 3]; halves.len()];
            chunk_levels(src, plane, &halves, p.border, r0, r1, None, |l, r, c0, row| {
                let LevelRow::Moments(m) = row else { unreachable!("no scores asked for") };
                let (hc, ow) = (halves[l], sizes[l].0);
                let (i, j) = (r - shift(hc), c0 - shift(hc));
                let (first, buf) = &mut bands[l];
                add3(&mut acc[l], grads(l, m, j, &mut buf[(i - *first) * 3 * ow..][..3 * ow]));
            });
            acc
        };
        stream_backward(src, plane, &mut rings, h.div_ceil(CHUNK), &span, &fill, emit)
    } else {
        let chunks = sizes.iter().map(|(_, oh)| oh.div_ceil(CHUNK)).max().unwrap_or(0);
        let span = |l: usize, c: usize| {
            let oh = sizes[l].1;
            ((c * CHUNK).min(oh), ((c + 1) * CHUNK).min(oh))
        };
        let fill = |c: usize, bands: &mut [(usize, &mut [f64])]| {
            (0..filters.len())
                .map(|l| {
                    let (i0, i1) = span(l, c);
                    let ow = sizes[l].0;
                    let dst = &mut *bands[l].1;
                    let mut acc = [0.0; 3];
                    if i0 < i1 {
                        chunk_moments::<Five>(src, plane, &filters[l], p.border, i0, i1, |i, j0, m| {
                            add3(&mut acc, grads(l, m, j0, &mut dst[(i - i0) * 3 * ow..][..3 * ow]));
                        });
                    }
                    acc
                })
                .collect()
        };
        stream_backward(src, plane, &mut rings, chunks, &span, &fill, emit)
    };
    let per_level: Vec<f64> = (0..sizes.len())
        .map(|l| {
            let (ow, oh) = sizes[l];
            level_value(join(parts.iter().map(|acc| acc[l])), (ow * oh) as f64, p)
        })
        .collect();
    lwssim_total(&per_level, p)
}

/// LWSSIM of a plane pair and its gradient with respect to y (see
/// [`lwssim_grad_rows`]).
pub fn lwssim_plane_grad(x: &Plane<f64>, y: &Plane<f64>, p: &LwssimParams) -> (f64, Vec<f64>) {
    collect(x.width, x.height, |emit| lwssim_grad_rows(&PlanePair { x, y }, 0, p, emit))
}

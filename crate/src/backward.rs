//! Backward passes: gradients of SSIM-family scores with respect to the
//! second plane (the prediction), by the chain rule through the window
//! filters and the down-sampling. Every score is a mean over window
//! positions of F(mu_y, E[y^2], E[xy]) (x fixed), so each backward pass is:
//! per position, dF/d(moments), streamed chunk by chunk exactly as the
//! forward pass streams (so the value is the forward's, bit for bit); then
//! the adjoint of the window filter, gathered one source row at a time.

use rayon::prelude::*;

use crate::kernels::{self, Chain, Moments5, SsimConsts};
use crate::levels::{centres, chunk_levels, LevelRow};
use crate::lwssim::{c_and_s, dpow, level_value, lwssim_total, pow, LwssimParams, DPOW_FLOOR};
use crate::msssim::downsample2;
use crate::plane::Plane;
use crate::kernels::scalar::partials_at;
use crate::ssim::SsimParams;
use crate::stream::{add3, chunk_moments, join, output_size, Filter, PlanePair, CHUNK};
use crate::window::{Border, Window};

/// Per output row: d(objective)/d(mu_y, E[y^2], E[xy]) into `g` (three
/// rows of ow: mu | yy | xy) and the row's value sums (the forward's).
/// `j0` is the first output column of the strip `m` holds.
type GradRow<'f> = dyn Fn(&Moments5, usize, &mut [f64]) -> [f64; 3] + Sync + 'f;

/// Streams the moments of a plane pair chunk by chunk and stores each
/// row's moment gradients: (per-chunk-reduced value sums, ow x oh x 3).
fn moment_grads(x: &Plane<f64>, y: &Plane<f64>, f: &Filter, border: Border, row: &GradRow) -> ([f64; 3], Vec<f64>) {
    let src = PlanePair { x, y };
    let (ow, oh) = output_size(&src, f, border);
    let mut g = vec![0.0; 3 * ow * oh];
    let parts: Vec<[f64; 3]> = g
        .par_chunks_mut(CHUNK * 3 * ow)
        .enumerate()
        .map(|(c, dst)| {
            let (i0, i1) = (c * CHUNK, ((c + 1) * CHUNK).min(oh));
            let mut acc = [0.0; 3];
            chunk_moments(&src, 0, f, border, i0, i1, |i, j0, m| {
                let r = row(m, j0, &mut dst[(i - i0) * 3 * ow..][..3 * ow]);
                add3(&mut acc, r);
            });
            acc
        })
        .collect();
    (join(parts), g)
}

/// The adjoint of the separable window filter (`stream::chunk_moments`) for
/// K planes of ow x oh, interleaved by row in `g` (row i of plane s at
/// `(i K + s) ow`), gathered per source row: row r of the result sums, over
/// the padded rows p that read source row r, the window's taps times the
/// rows of `g` that padded row fed; then the same along the row. Zero rows
/// stand in past the edges, so the forward's row kernels serve: the
/// symmetric filter, or for a box plain sums (sliding down the rows where
/// each source row has one padded row, running along the row), scaled by
/// 1/n^2 once. Source rows go in chunks of CHUNK, in parallel; calls
/// `emit(r, [adjoint rows; K], row r of out)` for every source row.
pub fn adjoint_rows<const K: usize>(g: &[f64], (ow, oh): (usize, usize), (w, h): (usize, usize), f: &Filter, border: Border,
    out: &mut [f64], emit: &(dyn Fn(usize, [&[f64]; K], &mut [f64]) + Sync)) {
    let n = f.n();
    let before = (n - 1) / 2;
    let padded = oh + n - 1;
    // Padded rows feeding source row r: r itself (valid); under 'same' the
    // row at r + before and its reflections, before - 1 - r above the top
    // and 2h - 1 - r + before below the bottom, where those exist.
    let preimage = |r: usize| -> ([usize; 3], usize) {
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
    };
    let cols = border.source_indices(w, n);
    let plen = ow + n - 1;
    let zero = vec![0.0; ow];
    let row_of = |i: isize, s: usize| -> &[f64] {
        if i >= 0 && (i as usize) < oh { &g[(i as usize * K + s) * ow..][..ow] } else { &zero[..] }
    };
    let inv_area = 1.0 / (n * n) as f64;
    let sliding = matches!(f, Filter::Box { .. }) && border == Border::Valid;
    assert_eq!(out.len(), w * h);
    out.par_chunks_mut(CHUNK * w).enumerate().for_each(|(c, dst)| {
        let mut vrow = vec![0.0; ow];
        let mut vpads = vec![vec![0.0; ow + 2 * (n - 1)]; K];
        let mut hrows = vec![vec![0.0; plen]; K];
        let mut outs = vec![vec![0.0; w]; K];
        let mut colsum = vec![vec![0.0; ow]; if sliding { K } else { 0 }];
        let (r0, r1) = (c * CHUNK, ((c + 1) * CHUNK).min(h));
        for r in r0..r1 {
            let (ps, np) = preimage(r);
            for s in 0..K {
                let v = &mut vpads[s][n - 1..n - 1 + ow];
                if sliding {
                    // Output rows r - n + 1 ..= r read padded row r.
                    let sum = &mut colsum[s];
                    if r == r0 {
                        kernels::with_rows(n, |k| row_of(r as isize - n as isize + 1 + k as isize, s), |rows| kernels::vbox_init(rows, sum));
                        v.copy_from_slice(sum);
                    } else {
                        kernels::vbox_slide(sum, row_of(r as isize, s), row_of(r as isize - n as isize, s), 1.0, v);
                    }
                } else {
                    for (t, &p) in ps[..np].iter().enumerate() {
                        // Output rows i = p - n + 1 + k, k = 0..n, read padded row p.
                        kernels::with_rows(n, |k| row_of(p as isize - n as isize + 1 + k as isize, s), |rows| match f {
                            Filter::Symmetric { half } => kernels::vfilter(rows, half, &mut vrow),
                            Filter::Box { .. } => kernels::vbox_init(rows, &mut vrow),
                        });
                        if t == 0 {
                            v.copy_from_slice(&vrow);
                        } else {
                            for (d, a) in v.iter_mut().zip(vrow.iter()) {
                                *d += a;
                            }
                        }
                    }
                }
            }
            // Along the row: K running sums side by side for a box.
            let scale = match f {
                Filter::Symmetric { half } => {
                    for s in 0..K {
                        kernels::hfilter(&vpads[s], half, &mut hrows[s]);
                    }
                    1.0
                }
                Filter::Box { n } => {
                    let mut it = hrows.iter_mut();
                    let d: [&mut [f64]; K] = core::array::from_fn(|_| it.next().unwrap().as_mut_slice());
                    kernels::hbox_k::<K>(core::array::from_fn(|s| vpads[s].as_slice()), *n, d);
                    inv_area
                }
            };
            for s in 0..K {
                let (out, hrow) = (&mut outs[s], &hrows[s]);
                out.iter_mut().for_each(|v| *v = 0.0);
                if scale == 1.0 {
                    for (q, &c) in cols.iter().take(plen).enumerate() {
                        out[c] += hrow[q];
                    }
                } else {
                    for (q, &c) in cols.iter().take(plen).enumerate() {
                        out[c] += hrow[q] * scale;
                    }
                }
            }
            emit(r, core::array::from_fn(|s| &outs[s][..]), &mut dst[(r - r0) * w..][..w]);
        }
    });
}

/// The adjoint of the window filter on whole planes (see [`adjoint_rows`]).
pub fn filter_adjoint(plane: &[f64], out: (usize, usize), (w, h): (usize, usize), window: &Window, border: Border) -> Vec<f64> {
    let mut res = vec![0.0; w * h];
    adjoint_rows::<1>(plane, out, (w, h), &Filter::new(window), border, &mut res, &|_, [a], dst| dst.copy_from_slice(a));
    res
}

/// Moment gradients (three rows per output row, see [`GradRow`]) back to
/// the gradient with respect to y: A(g_mu) + 2 y A(g_yy) + x A(g_xy), A the
/// filter's adjoint, added into `grad`.
fn moments_backward(x: &Plane<f64>, y: &Plane<f64>, f: &Filter, border: Border, g: &[f64], grad: &mut [f64]) {
    let (w, h) = (x.width, x.height);
    let (ow, oh) = (border.output_len(w, f.n()), border.output_len(h, f.n()));
    adjoint_rows::<3>(g, (ow, oh), (w, h), f, border, grad, &|r, [a_mu, a_yy, a_xy], dst| {
        let (xr, yr) = (x.row(r), y.row(r));
        for q in 0..w {
            dst[q] += a_mu[q] + 2.0 * yr[q] * a_yy[q] + xr[q] * a_xy[q];
        }
    });
}

/// Which mean a single-scale backward pass differentiates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Objective {
    /// mean of l * cs (SSIM)
    Ssim,
    /// mean of cs (MS-SSIM's finer scales)
    Cs,
}

/// The mean SSIM (or cs) of a plane pair and its gradient with respect to y.
/// The mean is bit-identical to the forward pass's.
pub fn ssim_plane_grad(x: &Plane<f64>, y: &Plane<f64>, p: &SsimParams, obj: Objective) -> (f64, Vec<f64>) {
    let f = Filter::new(&p.window);
    let k = p.consts(1.0);
    let (ow, oh) = (p.border.output_len(x.width, f.n()), p.border.output_len(x.height, f.n()));
    let len = ow * oh;
    let inv = 1.0 / len as f64;
    let chain = match obj {
        Objective::Ssim => Chain::Ssim,
        Objective::Cs => Chain::Cs,
    };
    let row = |m: &Moments5, j0: usize, g: &mut [f64]| {
        let (gm, rest) = g.split_at_mut(ow);
        let (gyy, gxy) = rest.split_at_mut(ow);
        let len = m.mx.len();
        kernels::grads_row(m, &k, chain, inv, &mut gm[j0..j0 + len], &mut gyy[j0..j0 + len], &mut gxy[j0..j0 + len]);
        kernels::ssim_row(m, &k, None)
    };
    let (sums, g) = moment_grads(x, y, &f, p.border, &row);
    let mut grad = vec![0.0; x.data.len()];
    moments_backward(x, y, &f, p.border, &g, &mut grad);
    let v = match obj {
        Objective::Ssim => sums[0],
        Objective::Cs => sums[1],
    };
    (v / len as f64, grad)
}

/// The adjoint of `downsample2`: each coarse value spreads a quarter to the
/// four fine samples it averaged (twice to a repeated edge sample).
pub fn downsample2_adjoint(g: &Plane<f64>, w: usize, h: usize) -> Vec<f64> {
    let quarter = 0.25;
    let mut out = vec![0.0; w * h];
    for i in 0..g.height {
        let (r0, r1) = (2 * i, (2 * i + 1).min(h - 1));
        for j in 0..g.width {
            let (c0, c1) = (2 * j, (2 * j + 1).min(w - 1));
            let v = g.at(j, i) * quarter;
            out[r0 * w + c0] += v;
            out[r0 * w + c1] += v;
            out[r1 * w + c0] += v;
            out[r1 * w + c1] += v;
        }
    }
    out
}

/// MS-SSIM of a plane pair and its gradient with respect to y.
///
/// MS = prod v_s^w_s with v_s = max(mean, 0). dMS/dv_s = w_s v_s^(w_s - 1)
/// prod_{t != s} v_t^w_t where v_s > 0, with v_s floored at 1e-12 in that
/// power (unbounded as v_s -> 0+ for w_s < 1; documented); where the relu
/// clamps (v_s = 0) the subgradient 0 is used: never NaN or infinite.
/// The pyramid is built from borrowed scale-0 planes (no copy of them).
pub fn msssim_plane_grad(x: &Plane<f64>, y: &Plane<f64>, p: &SsimParams, weights: &[f64]) -> (f64, Vec<f64>) {
    let scales = weights.len();
    // Scales 1.. (owned), scale 0 borrowed.
    let (mut xs, mut ys): (Vec<Plane<f64>>, Vec<Plane<f64>>) = (Vec::new(), Vec::new());
    for s in 1..scales {
        let (nx, ny) = if s == 1 { (downsample2(x), downsample2(y)) } else { (downsample2(&xs[s - 2]), downsample2(&ys[s - 2])) };
        xs.push(nx);
        ys.push(ny);
    }
    let at = |s: usize| -> (&Plane<f64>, &Plane<f64>) { if s == 0 { (x, y) } else { (&xs[s - 1], &ys[s - 1]) } };
    let per_scale: Vec<(f64, Vec<f64>)> = (0..scales)
        .map(|s| {
            let (a, b) = at(s);
            ssim_plane_grad(a, b, p, if s + 1 == scales { Objective::Ssim } else { Objective::Cs })
        })
        .collect();
    let v: Vec<f64> = per_scale.iter().map(|(m, _)| m.max(0.0)).collect();
    let powered: Vec<f64> = v.iter().zip(weights).map(|(v, w)| v.powf(*w)).collect();
    let ms: f64 = powered.iter().product();
    let mut grad: Option<Vec<f64>> = None;
    for (s, (_, g_s)) in per_scale.into_iter().enumerate().rev() {
        let coef = if v[s] > 0.0 && weights[s] != 0.0 {
            let others: f64 = powered.iter().enumerate().filter(|(t, _)| *t != s).map(|(_, p)| *p).product();
            weights[s] * v[s].max(DPOW_FLOOR).powf(weights[s] - 1.0) * others
        } else {
            0.0
        };
        let mut g = g_s;
        for d in g.iter_mut() {
            *d *= coef;
        }
        if let Some(coarse) = grad.take() {
            let (fine, coarser) = (at(s).1, at(s + 1).1);
            let c = Plane::new(coarser.width, coarser.height, coarse);
            for (d, u) in g.iter_mut().zip(downsample2_adjoint(&c, fine.width, fine.height)) {
                *d += u;
            }
        }
        grad = Some(g);
    }
    (ms, grad.unwrap_or_default())
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
        kernels::grads_row(m, k, Chain::Sum, scale, &mut gm[..len], &mut gyy[..len], &mut gxy[..len]);
        return kernels::ssim_row(m, k, None);
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

pub fn lwssim_plane_grad(x: &Plane<f64>, y: &Plane<f64>, p: &LwssimParams) -> (f64, Vec<f64>) {
    let levels = p.levels.len() as f64;
    let k = p.consts(1.0);
    let sizes: Vec<(usize, usize)> =
        p.levels.iter().map(|(w, _)| (p.border.output_len(x.width, w.size()), p.border.output_len(x.height, w.size()))).collect();
    let scales: Vec<f64> = p.levels.iter().zip(&sizes).map(|((_, lambda), (ow, oh))| lambda / levels / (ow * oh) as f64).collect();
    let mut per_level = Vec::with_capacity(p.levels.len());
    let mut grad = vec![0.0; x.data.len()];
    if let Some(halves) = p.box_halves() {
        // The forward's fused pass over centre rows, keeping each level's
        // moment gradients: same chunks, same sums, same bits.
        let src = PlanePair { x, y };
        let h = x.height;
        let chunks = h.div_ceil(CHUNK);
        let shift = |hc: usize| if p.border == Border::Valid { hc } else { 0 };
        // Each chunk of centre rows owns a band of output rows of every
        // level: the levels' gradient planes, cut into those bands.
        let mut gs: Vec<Vec<f64>> = sizes.iter().map(|&(ow, oh)| vec![0.0; 3 * ow * oh]).collect();
        let mut bands: Vec<Vec<(usize, &mut [f64])>> = (0..chunks).map(|_| Vec::with_capacity(halves.len())).collect();
        for (l, g) in gs.iter_mut().enumerate() {
            let (hc, ow) = (halves[l], sizes[l].0);
            let (lo, hi) = centres(p.border, h, hc);
            let mut rest: &mut [f64] = g;
            for (c, band) in bands.iter_mut().enumerate() {
                let (r0, r1) = (c * CHUNK, ((c + 1) * CHUNK).min(h));
                let (a, b) = (r0.max(lo), r1.min(hi).max(r0.max(lo)));
                let (mine, more) = core::mem::take(&mut rest).split_at_mut((b - a) * 3 * ow);
                band.push((a - shift(hc), mine));
                rest = more;
            }
        }
        let parts: Vec<Vec<[f64; 3]>> = bands
            .into_par_iter()
            .enumerate()
            .map(|(c, mut band)| {
                let (r0, r1) = (c * CHUNK, ((c + 1) * CHUNK).min(h));
                let mut acc = vec![[0.0; 3]; halves.len()];
                chunk_levels(&src, 0, &halves, p.border, r0, r1, None, |l, r, c0, row| {
                    let LevelRow::Moments(m) = row else { unreachable!("no scores asked for") };
                    let (hc, ow) = (halves[l], sizes[l].0);
                    let (i, j) = (r - shift(hc), c0 - shift(hc));
                    let (first, buf) = &mut band[l];
                    let row = &mut buf[(i - *first) * 3 * ow..][..3 * ow];
                    let (gm, rest) = row.split_at_mut(ow);
                    let (gyy, gxy) = rest.split_at_mut(ow);
                    let r = lwssim_row_grads(m, &k, p, scales[l], &mut gm[j..], &mut gyy[j..], &mut gxy[j..]);
                    add3(&mut acc[l], r);
                });
                acc
            })
            .collect();
        for (l, (w, _)) in p.levels.iter().enumerate() {
            let (ow, oh) = sizes[l];
            per_level.push(level_value(join(parts.iter().map(|acc| acc[l])), (ow * oh) as f64, p));
            moments_backward(x, y, &Filter::new(w), p.border, &gs[l], &mut grad);
        }
        return (lwssim_total(&per_level, p), grad);
    }
    for (l, &(window, _)) in p.levels.iter().enumerate() {
        let f = Filter::new(&window);
        let (ow, oh) = sizes[l];
        let row = |m: &Moments5, j0: usize, g: &mut [f64]| -> [f64; 3] {
            let (gm, rest) = g.split_at_mut(ow);
            let (gyy, gxy) = rest.split_at_mut(ow);
            lwssim_row_grads(m, &k, p, scales[l], &mut gm[j0..], &mut gyy[j0..], &mut gxy[j0..])
        };
        let (sums, g) = moment_grads(x, y, &f, p.border, &row);
        per_level.push(level_value(sums, (ow * oh) as f64, p));
        moments_backward(x, y, &f, p.border, &g, &mut grad);
    }
    (lwssim_total(&per_level, p), grad)
}

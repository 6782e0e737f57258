//! Structural losses over batches, and their gradients with respect to the
//! prediction in the prediction's own layout.
//!
//! Per sample the structural score is the mean over its channels; the batch
//! loss is the mean over samples; pixels are divided by the data range L
//! before anything else, so the gradient is scaled by 1/L on the way out.

use rayon::prelude::*;

use crate::backward::{lwssim_grad_rows, msssim_grad_rows, ssim_grad_rows, MsssimBackward, Objective};
use crate::domain;
use crate::error::{range, Error};
use crate::image::Pixels;
use crate::lwssim::{lwssim_levels_of, lwssim_total, LwssimParams};
use crate::msssim::{combine, max_scales};
use crate::pyramid::Pyramid;
use crate::ssim::{ssim_planes, SsimParams};
use crate::stream::PairRows;
use crate::window::Border;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// [n, h, w, c]: TensorFlow(.js) order.
    Nhwc,
    /// [n, c, h, w]: PyTorch / ONNX order.
    Nchw,
}

/// A batch of float images. `n, h, w, c` are the logical sizes whatever the layout.
#[derive(Clone, Copy, Debug)]
pub struct Batch<'a> {
    pub data: &'a [f32],
    pub n: usize,
    pub h: usize,
    pub w: usize,
    pub c: usize,
    pub layout: Layout,
}

impl<'a> Batch<'a> {
    pub fn new(data: &'a [f32], n: usize, h: usize, w: usize, c: usize, layout: Layout) -> Result<Self, Error> {
        let want = [n, h, w, c].iter().try_fold(1usize, |a, &b| a.checked_mul(b));
        if n == 0 || h == 0 || w == 0 || c == 0 || want != Some(data.len()) {
            return Err(Error::Mismatch(format!("a batch of {n}x{h}x{w}x{c} does not match {} values", data.len())));
        }
        Ok(Batch { data, n, h, w, c, layout })
    }

    /// Where pixel i (= row * w + col) of channel k of sample s lives.
    #[inline(always)]
    fn index(&self, s: usize, k: usize, i: usize) -> usize {
        let hw = self.h * self.w;
        match self.layout {
            Layout::Nhwc => (s * hw + i) * self.c + k,
            Layout::Nchw => (s * self.c + k) * hw + i,
        }
    }
}

/// One sample of a target / prediction pair read in place, each channel a
/// plane, divided by L, without copying the planes.
struct SamplePair<'a> {
    target: &'a Batch<'a>,
    pred: &'a Batch<'a>,
    s: usize,
    range: f64,
}

impl PairRows for SamplePair<'_> {
    fn width(&self) -> usize {
        self.target.w
    }
    fn height(&self) -> usize {
        self.target.h
    }
    fn planes(&self) -> usize {
        self.target.c
    }
    fn range(&self) -> f64 {
        1.0
    }
    fn row(&self, plane: usize, r: usize, c0: usize, x: &mut [f64], y: &mut [f64]) {
        let i0 = r * self.target.w + c0;
        // A row of a channel is a run with a stride: c (NHWC) or 1 (NCHW).
        let stride = match self.target.layout {
            Layout::Nhwc => self.target.c,
            Layout::Nchw => 1,
        };
        // 1/L exact (L a power of two, 1 the common case): v / L is v (1/L),
        // the same correctly rounded quotient, without a division a sample.
        let inv = 1.0 / self.range;
        let exact = inv * self.range == 1.0 && (inv.to_bits() & ((1u64 << 52) - 1)) == 0;
        for (b, out) in [(self.target, x), (self.pred, y)] {
            let first = b.index(self.s, plane, i0);
            let run = &b.data[first..first + (out.len() - 1) * stride + 1];
            if exact {
                for (d, v) in out.iter_mut().zip(run.iter().step_by(stride)) {
                    *d = *v as f64 * inv;
                }
            } else {
                for (d, v) in out.iter_mut().zip(run.iter().step_by(stride)) {
                    *d = *v as f64 / self.range;
                }
            }
        }
    }
}

/// The L1 term of channel k of sample s: sum over pixels of weight times
/// |pred - target| / L (the same sum, in the same order, with or without
/// the gradient).
fn weighted_mae(pred: &Batch, target: &Batch, s: usize, k: usize, l: f64, l1w: &L1Weights) -> f64 {
    (0..pred.h * pred.w)
        .map(|q| {
            let (x, y) = (target.data[target.index(s, k, q)] as f64 / l, pred.data[pred.index(s, k, q)] as f64 / l);
            l1w.at(q) * (y - x).abs()
        })
        .sum()
}

/// Per channel of one sample read in place: SSIM, or MS-SSIM with these weights.
fn structural_values(pair: &SamplePair, st: &Structure, p: &SsimParams) -> Vec<f64> {
    match st {
        Structure::Ssim => ssim_planes(pair, p, false).0.into_iter().map(|v| v.0).collect(),
        Structure::Msssim(w) => Pyramid::terms_of(pair, p, w.len()).iter().map(|t| combine(t, w)).collect(),
    }
}

/// Without a gradient, every loss reads the batch in place, holding only
/// the rows its windows need (MS-SSIM: and its coarser scales' rows, see
/// `pyramid`): per sample, the loss the planes give, to the bit.
fn in_place_losses(pred: &Batch, target: &Batch, spec: &LossSpec, l1w: &L1Weights) -> Vec<f64> {
    let (c, l) = (pred.c as f64, spec.data_range);
    let structural = |pair: &SamplePair, st: &Structure| structural_values(pair, st, &spec.ssim);
    let per_sample = (0..pred.n).map(|s| {
        let pair = SamplePair { target, pred, s, range: l };
        let values: Vec<f64> = match &spec.kind {
            LossKind::Structural(st) => structural(&pair, st).into_iter().map(|v| (1.0 - v) / c).collect(),
            LossKind::Lwssim(lp) => lwssim_levels_of(&pair, lp).iter().map(|v| (1.0 - lwssim_total(v, lp) / 2.0) / c).collect(),
            LossKind::DssimMae { structure: st, alpha, beta, .. } => structural(&pair, st)
                .into_iter()
                .enumerate()
                .map(|(k, v)| {
                    let mae = weighted_mae(pred, target, s, k, l, l1w);
                    (alpha * (1.0 - v) + beta * mae) / c
                })
                .collect(),
        };
        // Channel by channel, as `loss` adds them.
        values.into_iter().fold(0.0, |acc, v| acc + v)
    });
    per_sample.collect()
}

/// The structural term of a loss.
#[derive(Clone, Debug, PartialEq)]
pub enum Structure {
    Ssim,
    /// MS-SSIM with one weight per scale.
    Msssim(Vec<f64>),
}

/// The L1 term of DSSIM+MAE.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum L1 {
    /// Mean absolute error over every pixel and channel.
    Plain,
    /// |pred - target| filtered with the structural term's window, averaged
    /// over the window positions (Zhao, Gallo, Frosio, Kautz 2017).
    Gaussian,
}

#[derive(Clone, Debug, PartialEq)]
pub enum LossKind {
    /// 1 - SSIM (or 1 - MS-SSIM).
    Structural(Structure),
    /// alpha (1 - S) + beta L1 / L.
    DssimMae { structure: Structure, alpha: f64, beta: f64, l1: L1 },
    /// 1 - LWSSIM / 2.
    Lwssim(LwssimParams),
}

#[derive(Clone, Debug, PartialEq)]
pub struct LossSpec {
    pub kind: LossKind,
    /// Window, constants and border of the SSIM / MS-SSIM terms.
    pub ssim: SsimParams,
    pub data_range: f64,
}

#[derive(Clone, Debug)]
pub struct LossResult {
    pub loss: f64,
    pub per_sample: Vec<f64>,
    /// d(batch loss)/d(pred), in pred's layout.
    pub grad: Option<Vec<f32>>,
}

/// Per-pixel weights of the L1 term: 1/N for the plain mean, and for the
/// Gaussian-weighted one the filter's adjoint applied to 1/positions, since
/// mean_p (W * |d|)(p) = sum_q a_q |d_q|. The window is an outer product of
/// 1-D taps, and so is its adjoint on a constant: a row factor times a
/// column factor, two vectors rather than a plane. The same weights give the
/// value and the gradient (a_q sign(d_q)); they depend on the shape alone.
enum L1Weights {
    Uniform(f64),
    Separable { rows: Vec<f64>, cols: Vec<f64> },
}

/// The 1-D window's adjoint on ones: how much each of `len` samples weighs
/// in the sum of the filtered signal over its output positions.
fn adjoint_on_ones(taps: &[f64], len: usize, border: Border) -> Vec<f64> {
    let n = taps.len();
    let source = border.source_indices(len, n);
    let mut a = vec![0.0; len];
    for i in 0..border.output_len(len, n) {
        for (t, k) in taps.iter().enumerate() {
            a[source[i + t]] += k;
        }
    }
    a
}

impl L1Weights {
    fn new(l1: L1, p: &SsimParams, w: usize, h: usize) -> Self {
        match l1 {
            L1::Plain => L1Weights::Uniform(1.0 / (w * h) as f64),
            L1::Gaussian => {
                let (taps, n) = (p.window.taps(), p.window.size());
                let positions = (p.border.output_len(w, n) * p.border.output_len(h, n)) as f64;
                let rows = adjoint_on_ones(&taps, h, p.border).into_iter().map(|v| v / positions).collect();
                L1Weights::Separable { rows, cols: adjoint_on_ones(&taps, w, p.border) }
            }
        }
    }
    #[inline(always)]
    fn at(&self, q: usize) -> f64 {
        match self {
            L1Weights::Uniform(a) => *a,
            L1Weights::Separable { rows, cols } => rows[q / cols.len()] * cols[q % cols.len()],
        }
    }
}

fn check(pred: &Batch, target: &Batch, spec: &LossSpec) -> Result<(), Error> {
    if (pred.n, pred.h, pred.w, pred.c, pred.layout) != (target.n, target.h, target.w, target.c, target.layout) {
        return Err(Error::Mismatch("prediction and target differ in shape or layout".into()));
    }
    domain::check_size(pred.w, pred.h)?;
    domain::check_data_range(spec.data_range)?;
    let structure = match &spec.kind {
        LossKind::Structural(s) => Some(s),
        LossKind::DssimMae { structure: s, alpha, beta, .. } => {
            domain::check_dssim_mae(*alpha, *beta)?;
            Some(s)
        }
        LossKind::Lwssim(p) => {
            domain::check_lwssim_params(p, pred.w, pred.h)?;
            None
        }
    };
    if let Some(s) = structure {
        domain::check_ssim_params(&spec.ssim, pred.w, pred.h)?;
        if let Structure::Msssim(w) = s {
            domain::check_msssim_weights(w)?;
            let fit = max_scales(pred.w, pred.h, spec.ssim.window.size());
            if w.len() > fit {
                let n = spec.ssim.window.size();
                return range(format!(
                    "{}x{} images are too small for {} MS-SSIM scales with a {n}x{n} window (they fit {fit})",
                    pred.w,
                    pred.h,
                    w.len()
                ));
            }
        }
    }
    domain::check_loss_pixels("the prediction", pred.data)?;
    domain::check_loss_pixels("the target", target.data)?;
    if let LossKind::Lwssim(p) = &spec.kind {
        if domain::lwssim_needs_nonnegative(p) {
            domain::check_nonnegative("the prediction", &Pixels::F32(pred.data), p.alpha)?;
            domain::check_nonnegative("the target", &Pixels::F32(target.data), p.alpha)?;
        }
    }
    Ok(())
}

/// A gradient element as f32: finite always. Pixels far outside the data
/// range can make the f64 gradient exceed f32's range (values up to
/// 3.4e38 / 1e-6 meet 1 / C2 up to 1e12); it saturates at +-f32::MAX
/// instead of becoming infinite (documented).
#[inline]
fn to_f32(v: f64) -> f32 {
    const MAX: f64 = f32::MAX as f64;
    if v.is_nan() {
        0.0
    } else {
        v.clamp(-MAX, MAX) as f32
    }
}

/// Turns d(structural score)/d(pred) at pixel q into d(this channel's
/// share of the loss)/d(pred): `(a d + l1(q)) / div`, the L1 term's
/// `l1(q)` only for DSSIM+MAE.
#[derive(Clone, Copy)]
struct Finish<'a> {
    a: f64,
    div: f64,
    l1: Option<&'a (dyn Fn(usize) -> f64 + Sync)>,
}

/// Output rows a task of [`Rows::put`] writes, at least.
const PUT_ROWS: usize = 16;

/// Where streamed gradient rows of channel k of one sample go: that
/// sample's block of the output (samples are contiguous in both layouts),
/// finished and scaled to raw pixels and the batch mean.
struct Rows<'a> {
    out: &'a mut [f32],
    pred: &'a Batch<'a>,
    k: usize,
    scale: f64,
}

impl Rows<'_> {
    /// Where pixel q's value goes in the sample's block, and the step to q + 1.
    #[inline(always)]
    fn at(&self, q: usize) -> (usize, usize) {
        match self.pred.layout {
            Layout::Nhwc => (q * self.pred.c + self.k, self.pred.c),
            Layout::Nchw => (self.k * self.pred.h * self.pred.w + q, 1),
        }
    }

    fn put(&mut self, finish: Finish, r0: usize, rows: &[f64]) {
        let w = self.pred.w;
        let q0 = r0 * w;
        let (first, step) = self.at(q0);
        // Whole rows only: the streamed pass hands over rows of the source's width.
        debug_assert_eq!(rows.len() % w, 0, "a partial row");
        let n = rows.len() / w;
        if n == 0 {
            return;
        }
        // Row i of the block starts w * step values after row i - 1: rows
        // in parallel (a band's rows were written on one thread while the
        // others waited).
        let region = &mut self.out[first..first + ((n - 1) * w + (w - 1)) * step + 1];
        let scale = self.scale;
        let put_rows = |(i, (o, d)): (usize, (&mut [f32], &[f64]))| {
            let o = o.iter_mut().step_by(step);
            match finish.l1 {
                // One product a pixel: the factors folded once (a few ulps of
                // f64 from dividing each, far below the f32 output's).
                None => {
                    let f = finish.a / finish.div * scale;
                    for (o, d) in o.zip(d) {
                        *o = to_f32(d * f);
                    }
                }
                Some(l1) => {
                    let q = q0 + i * w;
                    for (j, (o, d)) in o.zip(d).enumerate() {
                        *o = to_f32((finish.a * d + l1(q + j)) / finish.div * scale);
                    }
                }
            }
        };
        region.par_chunks_mut(w * step).zip(rows.par_chunks(w)).enumerate().with_min_len(PUT_ROWS).for_each(put_rows);
    }

    /// Rows to be finished later ([`Rows::refinish`]): kept as f32, the
    /// precision of the output they become.
    fn put_raw(&mut self, r0: usize, rows: &[f64]) {
        let (first, step) = self.at(r0 * self.pred.w);
        for (o, d) in self.out[first..].iter_mut().step_by(step).zip(rows) {
            *o = to_f32(*d);
        }
    }

    fn refinish(&mut self, finish: Finish, back: &MsssimBackward) {
        let w = self.pred.w;
        let mut row = vec![0.0; w];
        for r in 0..self.pred.h {
            let (first, step) = self.at(r * w);
            for (d, o) in row.iter_mut().zip(self.out[first..].iter().step_by(step)) {
                *d = *o as f64;
            }
            back.finish_row(r, &mut row);
            self.put(finish, r, &row);
        }
    }
}

pub fn loss(pred: &Batch, target: &Batch, spec: &LossSpec, want_grad: bool) -> Result<LossResult, Error> {
    check(pred, target, spec)?;
    let (n, c, l) = (pred.n, pred.c, spec.data_range);
    let p = &spec.ssim;
    let mut grad = want_grad.then(|| vec![0.0f32; pred.data.len()]);
    // d(batch mean)/d(sample), and normalised pixels back to raw ones.
    let out_scale = 1.0 / (n as f64 * l);
    let l1w = match &spec.kind {
        LossKind::DssimMae { l1, .. } => L1Weights::new(*l1, p, pred.w, pred.h),
        _ => L1Weights::Uniform(0.0),
    };
    if !want_grad {
        let per_sample = in_place_losses(pred, target, spec, &l1w);
        let loss = per_sample.iter().sum::<f64>() / n as f64;
        return Ok(LossResult { loss, per_sample, grad: None });
    }
    let out = grad.as_mut().expect("asked for");
    let cf = c as f64;
    // Samples run in parallel, each into its own block of the output (a
    // sample's gradient and value do not depend on which thread runs it,
    // nor on how many run: the same bits); within a sample, the passes'
    // chunks and rows are parallel too. A batch of small images is
    // mostly this: 8 samples of 256 x 256 are only 4 chunks each.
    let per_sample: Vec<f64> = out
        .par_chunks_mut(pred.h * pred.w * c)
        .enumerate()
        .map(|(s, out)| {
            let pair = SamplePair { target, pred, s, range: l };
            let mut sample_loss = 0.0;
            // DSSIM+MAE with alpha 0: the structural values without gradients,
            // every channel's in one forward pass.
            let mut forward: Option<Vec<f64>> = None;
            for k in 0..c {
                let mut store = Rows { out: &mut out[..], pred, k, scale: out_scale };
                let structural = |st: &Structure, finish: Finish, store: &mut Rows| -> f64 {
                    match st {
                        Structure::Ssim => ssim_grad_rows(&pair, k, p, Objective::Ssim, |r0, rows| store.put(finish, r0, rows)),
                        Structure::Msssim(w) => {
                            // Raw rows wait in the output until every scale's
                            // value is known.
                            let back = msssim_grad_rows(&pair, k, p, w, |r0, rows| store.put_raw(r0, rows));
                            store.refinish(finish, &back);
                            combine(&back.terms, w)
                        }
                    }
                };
                let value = match &spec.kind {
                    LossKind::Structural(st) => (1.0 - structural(st, Finish { a: -1.0, div: cf, l1: None }, &mut store)) / cf,
                    LossKind::Lwssim(lp) => {
                        let finish = Finish { a: -1.0, div: 2.0 * cf, l1: None };
                        let v = lwssim_grad_rows(&pair, k, lp, |r0, rows| store.put(finish, r0, rows));
                        (1.0 - v / 2.0) / cf
                    }
                    LossKind::DssimMae { structure: st, alpha, beta, .. } => {
                        let (alpha, beta, a) = (*alpha, *beta, &l1w);
                        let (x_at, y_at) = (|q: usize| target.data[target.index(s, k, q)] as f64 / l, |q: usize| pred.data[pred.index(s, k, q)] as f64 / l);
                        let l1 = |q: usize| {
                            // sign(0) = 0: the subgradient of |d| at d = 0.
                            let d = y_at(q) - x_at(q);
                            let sign = if d > 0.0 { 1.0 } else if d < 0.0 { -1.0 } else { 0.0 };
                            beta * sign * a.at(q)
                        };
                        let v = if alpha != 0.0 {
                            structural(st, Finish { a: -alpha, div: cf, l1: Some(&l1) }, &mut store)
                        } else {
                            // No structural gradient: the L1 term's alone, the
                            // structural value from the forward.
                            let zero = vec![0.0; pred.w];
                            for r in 0..pred.h {
                                store.put(Finish { a: 0.0, div: cf, l1: Some(&l1) }, r, &zero);
                            }
                            forward.get_or_insert_with(|| structural_values(&pair, st, p))[k]
                        };
                        let mae = weighted_mae(pred, target, s, k, l, a);
                        (alpha * (1.0 - v) + beta * mae) / cf
                    }
                };
                sample_loss += value;
            }
            sample_loss
        })
        .collect();
    let loss = per_sample.iter().sum::<f64>() / n as f64;
    Ok(LossResult { loss, per_sample, grad })
}

//! Structural losses over batches, and their gradients with respect to the
//! prediction in the prediction's own layout.
//!
//! Per sample the structural score is the mean over its channels; the batch
//! loss is the mean over samples; pixels are divided by the data range L
//! before anything else, so the gradient is scaled by 1/L on the way out.

use crate::backward::{filter_adjoint, lwssim_plane_grad, msssim_plane_grad, ssim_plane_grad, Objective};
use crate::domain;
use crate::error::{range, Error};
use crate::image::Pixels;
use crate::lwssim::{lwssim_levels_of, lwssim_plane, lwssim_total, LwssimParams};
use crate::msssim::{combine, max_scales, msssim_plane};
use crate::pyramid::Pyramid;
use crate::plane::Plane;
use crate::ssim::{ssim_plane, ssim_planes, SsimParams};
use crate::stream::PairRows;

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

    fn plane(&self, s: usize, k: usize, range: f64) -> Plane<f64> {
        let data = (0..self.h * self.w).map(|i| self.data[self.index(s, k, i)] as f64 / range).collect();
        Plane::new(self.w, self.h, data)
    }
}

/// One sample of a target / prediction pair read in place, each channel a
/// plane, divided by L: the same samples as [`Batch::plane`]'s, so the
/// same bits, without copying the planes.
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
        for (b, out) in [(self.target, x), (self.pred, y)] {
            for (j, d) in out.iter_mut().enumerate() {
                *d = b.data[b.index(self.s, plane, i0 + j)] as f64 / self.range;
            }
        }
    }
}

/// Without a gradient, every loss reads the batch in place, holding only
/// the rows its windows need (MS-SSIM: and its coarser scales' rows, see
/// `pyramid`): per sample, the loss the planes give, to the bit.
fn in_place_losses(pred: &Batch, target: &Batch, spec: &LossSpec, l1w: &L1Weights) -> Vec<f64> {
    let (c, l) = (pred.c as f64, spec.data_range);
    let p = &spec.ssim;
    // Per channel: SSIM, or MS-SSIM with these weights.
    let structural = |pair: &SamplePair, st: &Structure| -> Vec<f64> {
        match st {
            Structure::Ssim => ssim_planes(pair, p, false).0.into_iter().map(|v| v.0).collect(),
            Structure::Msssim(w) => Pyramid::terms_of(pair, p, w.len()).iter().map(|t| combine(t, w)).collect(),
        }
    };
    let per_sample = (0..pred.n).map(|s| {
        let pair = SamplePair { target, pred, s, range: l };
        let values: Vec<f64> = match &spec.kind {
            LossKind::Structural(st) => structural(&pair, st).into_iter().map(|v| (1.0 - v) / c).collect(),
            LossKind::Lwssim(lp) => lwssim_levels_of(&pair, lp).iter().map(|v| (1.0 - lwssim_total(v, lp) / 2.0) / c).collect(),
            LossKind::DssimMae { structure: st, alpha, beta, .. } => structural(&pair, st)
                .into_iter()
                .enumerate()
                .map(|(k, v)| {
                    let mae: f64 = (0..pred.h * pred.w)
                        .map(|q| {
                            let (x, y) = (target.data[target.index(s, k, q)] as f64 / l, pred.data[pred.index(s, k, q)] as f64 / l);
                            l1w.at(q) * (y - x).abs()
                        })
                        .sum();
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

/// A structural score of one plane pair (x target, y prediction) and, on
/// request, its gradient with respect to y.
fn structural(x: &Plane<f64>, y: &Plane<f64>, s: &Structure, p: &SsimParams, want: bool) -> (f64, Option<Vec<f64>>) {
    match (s, want) {
        (Structure::Ssim, false) => (ssim_plane(x, y, p, false).ssim, None),
        (Structure::Ssim, true) => {
            let (v, g) = ssim_plane_grad(x, y, p, Objective::Ssim);
            (v, Some(g))
        }
        (Structure::Msssim(w), false) => (msssim_plane(x, y, p, w), None),
        (Structure::Msssim(w), true) => {
            let (v, g) = msssim_plane_grad(x, y, p, w);
            (v, Some(g))
        }
    }
}

/// Per-pixel weights of the L1 term: 1/N for the plain mean (one number,
/// not a plane), and for the Gaussian-weighted one the filter's adjoint
/// applied to 1/positions, since mean_p (W * |d|)(p) = sum_q a_q |d_q|. The
/// same weights give the value and the gradient (a_q sign(d_q)); they depend
/// on the shape alone, so one call computes them once.
enum L1Weights {
    Uniform(f64),
    PerPixel(Vec<f64>),
}

impl L1Weights {
    fn new(l1: L1, p: &SsimParams, w: usize, h: usize) -> Self {
        match l1 {
            L1::Plain => L1Weights::Uniform(1.0 / (w * h) as f64),
            L1::Gaussian => {
                let n = p.window.size();
                let (ow, oh) = (p.border.output_len(w, n), p.border.output_len(h, n));
                let ones = vec![1.0 / (ow * oh) as f64; ow * oh];
                L1Weights::PerPixel(filter_adjoint(&ones, (ow, oh), (w, h), &p.window, p.border))
            }
        }
    }
    #[inline(always)]
    fn at(&self, q: usize) -> f64 {
        match self {
            L1Weights::Uniform(a) => *a,
            L1Weights::PerPixel(a) => a[q],
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

pub fn loss(pred: &Batch, target: &Batch, spec: &LossSpec, want_grad: bool) -> Result<LossResult, Error> {
    check(pred, target, spec)?;
    let (n, c, l) = (pred.n, pred.c, spec.data_range);
    let p = &spec.ssim;
    let mut grad = want_grad.then(|| vec![0.0f32; pred.data.len()]);
    let mut per_sample = Vec::with_capacity(n);
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
    for s in 0..n {
        let mut sample_loss = 0.0;
        for k in 0..c {
            let (x, y) = (target.plane(s, k, l), pred.plane(s, k, l));
            // value of this channel's share of the loss, and its gradient
            let (value, g): (f64, Option<Vec<f64>>) = match &spec.kind {
                LossKind::Structural(st) => {
                    let (v, g) = structural(&x, &y, st, p, want_grad);
                    ((1.0 - v) / c as f64, g.map(|g| g.into_iter().map(|d| -d / c as f64).collect()))
                }
                LossKind::Lwssim(lp) => {
                    let (v, g) = if want_grad {
                        let (v, g) = lwssim_plane_grad(&x, &y, lp);
                        (v, Some(g))
                    } else {
                        (lwssim_plane(&x, &y, lp), None)
                    };
                    ((1.0 - v / 2.0) / c as f64, g.map(|g| g.into_iter().map(|d| -d / (2.0 * c as f64)).collect()))
                }
                LossKind::DssimMae { structure: st, alpha, beta, .. } => {
                    let (v, gs) = structural(&x, &y, st, p, want_grad && *alpha != 0.0);
                    let a = &l1w;
                    let mae: f64 = x.data.iter().zip(&y.data).enumerate().map(|(q, (x, y))| a.at(q) * (y - x).abs()).sum();
                    let value = (alpha * (1.0 - v) + beta * mae) / c as f64;
                    let g = want_grad.then(|| {
                        // The structural gradient's buffer is reused when there is one.
                        let mut g = gs.unwrap_or_default();
                        let st = !g.is_empty();
                        g.resize(x.data.len(), 0.0);
                        for (q, out) in g.iter_mut().enumerate() {
                            // sign(0) = 0: the subgradient of |d| at d = 0.
                            let d = y.data[q] - x.data[q];
                            let sign = if d > 0.0 { 1.0 } else if d < 0.0 { -1.0 } else { 0.0 };
                            let s = if st { -alpha * *out } else { 0.0 };
                            *out = (s + beta * sign * a.at(q)) / c as f64;
                        }
                        g
                    });
                    (value, g)
                }
            };
            sample_loss += value;
            if let (Some(out), Some(g)) = (grad.as_mut(), g) {
                for (i, d) in g.into_iter().enumerate() {
                    out[pred.index(s, k, i)] = to_f32(d * out_scale);
                }
            }
        }
        per_sample.push(sample_loss);
    }
    let loss = per_sample.iter().sum::<f64>() / n as f64;
    Ok(LossResult { loss, per_sample, grad })
}

//! Property tests of issue 8's contract (see /work/issue8-spec.md and
//! tests/PROPERTIES.md), on the Rust entry points: random sizes (1xN, Nx1,
//! window 1, windows as large as the image), channel counts 1..4, pixel
//! types u8/u16/f32, magnitudes from tiny to 64 L for metrics and to 3e38
//! for losses, options drawn from the documented domains with their
//! extremes. For every accepted input:
//! - every score is finite and within its bounds (SSIM score, channels and
//!   map in [-1, 1]; MS-SSIM in [0, 1]; LWSSIM in [-2 mean(l), 2 mean(l)]);
//! - identical images give exactly SSIM 1, MS-SSIM 1, LWSSIM 2 mean(lambda),
//!   losses 0 (LWSSIM's: 1 - mean(lambda)) and a gradient of exact zeros;
//! - metric(a, b) and metric(b, a) are the same bits, and so are the losses;
//! - every loss and gradient element is finite;
//! - the streaming scorer gives the bits of the whole-image call;
//! and inputs outside the domains are errors, never panics or NaN.
//!
//! `cargo test --release` runs a few dozen cases a property (a few
//! seconds); `PROPTEST_CASES=N` runs N a property (the long runs of
//! tests/PROPERTIES.md).

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError};

use ssimkit::api::{self, Channels, Scales};
use ssimkit::loss::{self, Batch, Layout, LossKind, LossSpec, Structure, L1};
use ssimkit::scorer::{Metric, Scorer};
use ssimkit::{Border, Color, Error, Image, LwssimParams, Pixels, SsimParams, Window};

fn cases(default: u32) -> Config {
    let n = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    // No regression files written from the long runs; failures print their input.
    Config { cases: n, failure_persistence: None, max_shrink_iters: 2000, ..Config::default() }
}

// ---------------------------------------------------------------- strategies

/// Log-uniform in [lo, hi], with both ends drawn often.
fn log_range(lo: f64, hi: f64) -> impl Strategy<Value = f64> {
    prop_oneof![
        1 => Just(lo),
        1 => Just(hi),
        4 => (lo.ln()..=hi.ln()).prop_map(move |v| v.exp().clamp(lo, hi)),
    ]
}

/// Uniform in [lo, hi] with both ends and the integers drawn often.
fn lin_range(lo: f64, hi: f64) -> impl Strategy<Value = f64> {
    prop_oneof![
        1 => Just(lo),
        1 => Just(hi),
        2 => (lo as i64..=hi as i64).prop_map(|v| v as f64),
        3 => lo..=hi,
    ]
}

/// width x height: small, and the thin 1xN / Nx1 shapes.
fn shape() -> impl Strategy<Value = (usize, usize)> {
    prop_oneof![
        4 => (1usize..=14, 1usize..=14),
        1 => (Just(1usize), 1usize..=40),
        1 => (1usize..=40, Just(1usize)),
        1 => (15usize..=70, 15usize..=70),
    ]
}

/// An odd window size that fits min(w, h): 1, the largest, or any.
fn odd_size(m: usize) -> impl Strategy<Value = usize> {
    let top = if m % 2 == 1 { m } else { m - 1 };
    prop_oneof![Just(1usize), Just(top), (0..=(top - 1) / 2).prop_map(|k| 2 * k + 1)]
}

fn window(m: usize) -> impl Strategy<Value = Window> {
    (odd_size(m), any::<bool>(), log_range(1e-3, 1e3))
        .prop_map(|(size, gaussian, sigma)| if gaussian { Window::Gaussian { size, sigma } } else { Window::Box { size } })
}

fn border() -> impl Strategy<Value = Border> {
    prop_oneof![Just(Border::Valid), Just(Border::Same)]
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    U8,
    U16,
    F32,
}

#[derive(Clone, Debug)]
enum Data {
    U8(Vec<u8>),
    U16(Vec<u16>),
    F32(Vec<f32>),
}

impl Data {
    fn pixels(&self) -> Pixels<'_> {
        match self {
            Data::U8(v) => Pixels::U8(v),
            Data::U16(v) => Pixels::U16(v),
            Data::F32(v) => Pixels::F32(v),
        }
    }
    fn rows(&self, a: usize, b: usize) -> Pixels<'_> {
        match self {
            Data::U8(v) => Pixels::U8(&v[a..b]),
            Data::U16(v) => Pixels::U16(&v[a..b]),
            Data::F32(v) => Pixels::F32(&v[a..b]),
        }
    }
}

/// How an image's samples are laid out before scaling: noise, flat, a
/// large offset with small noise (cancellation in E[x^2] - mu^2), steps
/// (huge and tiny neighbours in one running sum), a few spikes.
#[derive(Clone, Copy, Debug)]
enum Style {
    Noise,
    Flat,
    Offset,
    Steps,
    Spikes,
}

fn style() -> impl Strategy<Value = Style> {
    prop_oneof![Just(Style::Noise), Just(Style::Flat), Just(Style::Offset), Just(Style::Steps), Just(Style::Spikes)]
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// n samples in [-1, 1] (in [0, 1] when `nonneg`).
fn unit_samples(n: usize, style: Style, seed: u64, nonneg: bool) -> Vec<f64> {
    let mut r = Rng(seed | 1);
    let level = 2.0 * r.next() - 1.0;
    let v: Vec<f64> = (0..n)
        .map(|i| match style {
            Style::Noise => 2.0 * r.next() - 1.0,
            Style::Flat => level,
            Style::Offset => (level.signum() * 0.999 + 1e-4 * (r.next() - 0.5)).clamp(-1.0, 1.0),
            Style::Steps => {
                if (i / 3) % 2 == 0 { level } else { 1e-7 * (r.next() - 0.5) }
            }
            Style::Spikes => {
                if r.next() < 0.1 { level.signum() } else { 1e-6 * r.next() }
            }
        })
        .collect();
    if nonneg { v.into_iter().map(f64::abs).collect() } else { v }
}

/// A metric's image: samples within +-scale (scale <= 64 L), per type.
fn metric_data(kind: Kind, n: usize, style: Style, seed: u64, scale: f64, l: f64) -> Data {
    let limit = 64.0 * l;
    let u = unit_samples(n, style, seed, true);
    match kind {
        Kind::U8 => {
            let top = limit.min(255.0).floor();
            Data::U8(u.iter().map(|v| (v * top).floor().clamp(0.0, top) as u8).collect())
        }
        Kind::U16 => {
            let top = limit.min(65535.0).floor();
            Data::U16(u.iter().map(|v| (v * top).floor().clamp(0.0, top) as u16).collect())
        }
        Kind::F32 => {
            let signed = unit_samples(n, style, seed, false);
            Data::F32(
                signed
                    .iter()
                    .map(|v| {
                        let mut f = (v * scale) as f32;
                        while (f as f64).abs() > limit {
                            f *= 1.0 - 1.0 / 1048576.0;
                        }
                        f
                    })
                    .collect(),
            )
        }
    }
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![Just(Kind::U8), Just(Kind::U16), Just(Kind::F32)]
}

/// Everything a metric call needs: two images of one shape and type.
#[derive(Clone, Debug)]
struct Pair {
    w: usize,
    h: usize,
    c: usize,
    x: Data,
    y: Data,
    ch: Channels,
}

/// `nonneg`: every pixel >= 0 (LWSSIM with a non-integer alpha).
fn pair(nonneg: bool) -> impl Strategy<Value = Pair> {
    (shape(), 1usize..=4, kind(), prop::option::weighted(0.8, log_range(1e-6, 1e12)), any::<bool>(), any::<bool>())
        .prop_flat_map(move |((w, h), c, kind, range, luma, alpha)| {
            let l = range.unwrap_or(match kind {
                Kind::U8 => 255.0,
                Kind::U16 => 65535.0,
                Kind::F32 => 1.0,
            });
            (Just((w, h, c, kind, range, l, luma, alpha)), style(), style(), any::<u64>(), any::<u64>(), log_range(1e-6, 64.0), any::<bool>())
        })
        .prop_map(move |((w, h, c, kind, range, l, luma, alpha), sa, sb, ea, eb, frac, similar)| {
            let n = w * h * c;
            let x = metric_data(kind, n, sa, ea, frac * l, l);
            // Half the time y is x plus a little: scores near 1, not only noise.
            let y = if similar {
                match (&x, metric_data(kind, n, sb, eb, frac * l * 1e-3, l)) {
                    (Data::F32(a), Data::F32(d)) => Data::F32(
                        a.iter()
                            .zip(&d)
                            .map(|(p, q)| {
                                let v = p + q;
                                let v = if nonneg { v.abs() } else { v };
                                if (v as f64).abs() <= 64.0 * l { v } else { *p }
                            })
                            .collect(),
                    ),
                    _ => metric_data(kind, n, sb, eb, frac * l, l),
                }
            } else {
                metric_data(kind, n, sb, eb, frac * l, l)
            };
            let fix = |d: Data| match d {
                Data::F32(v) if nonneg => Data::F32(v.into_iter().map(f32::abs).collect()),
                d => d,
            };
            let ch = Channels { color: if luma { Color::Luma } else { Color::Rgb }, alpha, data_range: range };
            Pair { w, h, c, x: fix(x), y: fix(y), ch }
        })
}

fn ssim_params(m: usize) -> impl Strategy<Value = SsimParams> {
    (window(m), log_range(1e-6, 1e6), log_range(1e-6, 1e6), border(), any::<bool>()).prop_map(|(window, k1, k2, border, sample)| SsimParams {
        window,
        k1,
        k2,
        border,
        sample_covariance: sample && window.size() > 1,
    })
}

fn lwssim_params(m: usize, integer_alpha: bool) -> impl Strategy<Value = LwssimParams> {
    let levels = prop_oneof![
        6 => prop::collection::vec((window(m), log_range(1e-6, 1e6)), 1..=5),
        1 => prop::collection::vec((window(m), prop_oneof![Just(0.0), Just(1.0), Just(1e6)]), 32..=32),
    ];
    (levels, lin_range(0.0, 64.0), lin_range(0.0, 64.0), 0u32..=64, log_range(1e-6, 1e6), log_range(1e-6, 1e6), border(), prop::bool::weighted(0.3))
        .prop_map(move |(mut levels, alpha, beta, gamma, k1, k2, border, unit)| {
            if levels.iter().all(|(_, w)| *w == 0.0) {
                levels[0].1 = 1.0;
            }
            let alpha = if integer_alpha { alpha.round() } else { alpha };
            let (alpha, beta, gamma) = if unit { (1.0, 1.0, 1.0) } else { (alpha, beta, gamma as f64) };
            LwssimParams { levels, alpha, beta, gamma, k1, k2, border }
        })
}

fn image<'a>(d: &'a Data, p: &Pair) -> Image<'a> {
    Image::new(d.pixels(), p.w, p.h, p.c).expect("a valid shape")
}

fn same_bits(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits()
}

fn bounded(what: &str, v: f64, lo: f64, hi: f64) -> Result<(), TestCaseError> {
    prop_assert!(v.is_finite() && v >= lo && v <= hi, "{what} = {v} outside [{lo}, {hi}]");
    Ok(())
}

/// The scorer fed in bands of `band` rows.
fn banded(metric: Metric, p: &Pair, band: usize) -> Result<api::Score, Error> {
    let empty = match &p.x {
        Data::U8(_) => Pixels::U8(&[]),
        Data::U16(_) => Pixels::U16(&[]),
        Data::F32(_) => Pixels::F32(&[]),
    };
    let mut s = Scorer::new(metric, empty, p.w, p.h, p.c, p.ch)?;
    let row = p.w * p.c;
    for r0 in (0..p.h).step_by(band.max(1)) {
        let r1 = (r0 + band.max(1)).min(p.h);
        s.feed(p.x.rows(r0 * row, r1 * row), p.y.rows(r0 * row, r1 * row))?;
    }
    s.finish()
}

// ---------------------------------------------------------------- metrics

fn ssim_case() -> impl Strategy<Value = (Pair, SsimParams, bool, bool, usize)> {
    pair(false).prop_flat_map(|p| {
        let m = p.w.min(p.h);
        (Just(p), ssim_params(m), any::<bool>(), prop::bool::weighted(0.1), 1usize..=80)
    })
}

proptest! {
    #![proptest_config(cases(48))]

    #[test]
    fn ssim_is_bounded_symmetric_and_exact_at_identity((p, sp, want_map, matlab, band) in ssim_case()) {
        let (x, y) = (image(&p.x, &p), image(&p.y, &p));
        let run = |a: &Image, b: &Image| if matlab { api::ssim_matlab(a, b, &sp, p.ch.data_range, want_map) } else { api::ssim(a, b, &sp, &p.ch, want_map) };
        let r = match run(&x, &y) {
            Ok(r) => r,
            // The matlab preset down-samples first: the window may not fit.
            Err(Error::Range(m)) if matlab && m.contains("does not fit") => return Ok(()),
            Err(e) => return Err(TestCaseError::fail(format!("rejected an accepted input: {e}"))),
        };
        bounded("ssim", r.score, -1.0, 1.0)?;
        for v in &r.channels {
            bounded("ssim channel", *v, -1.0, 1.0)?;
        }
        if let Some(m) = &r.map {
            prop_assert!(m.data.iter().all(|v| v.is_finite() && (-1.0..=1.0).contains(v)), "map outside [-1, 1]");
        }
        let s = run(&y, &x).unwrap();
        prop_assert!(same_bits(r.score, s.score), "ssim(a, b) = {} but ssim(b, a) = {}", r.score, s.score);
        prop_assert!(r.channels.iter().zip(&s.channels).all(|(a, b)| same_bits(*a, *b)));
        if let (Some(a), Some(b)) = (&r.map, &s.map) {
            prop_assert!(a.data.iter().zip(&b.data).all(|(a, b)| a.to_bits() == b.to_bits()), "maps differ");
        }
        let i = run(&x, &x).unwrap();
        prop_assert_eq!(i.score, 1.0);
        prop_assert!(i.channels.iter().all(|v| *v == 1.0));
        if let Some(m) = &i.map {
            prop_assert!(m.data.iter().all(|v| *v == 1.0), "identity map not all 1");
        }
        if !matlab {
            let b = banded(Metric::Ssim(sp), &p, band).unwrap();
            prop_assert!(same_bits(b.score, r.score), "scorer {} vs ssim {}", b.score, r.score);
        }
    }

    #[test]
    fn msssim_is_bounded_symmetric_and_exact_at_identity((p, sp, weights) in pair(false).prop_flat_map(|p| {
        let m = p.w.min(p.h);
        (Just(p), ssim_params(m))
    }).prop_flat_map(|(p, sp)| {
        let fit = ssimkit::msssim::max_scales(p.w, p.h, sp.window.size());
        prop_assert_fit(fit);
        let weights = prop_oneof![
            1 => Just(None),
            3 => prop::collection::vec(lin_range(0.0, 64.0), 1..=fit.min(16)).prop_map(|mut w| {
                if w.iter().all(|v| *v == 0.0) { w[0] = 1.0; }
                Some(w)
            }),
        ];
        (Just(p), Just(sp), weights)
    })) {
        let (x, y) = (image(&p.x, &p), image(&p.y, &p));
        let scales = match weights {
            None => Scales::Auto,
            Some(w) => Scales::Weights(w),
        };
        let r = api::msssim(&x, &y, &sp, &p.ch, &scales).map_err(|e| TestCaseError::fail(format!("rejected: {e}")))?;
        bounded("msssim", r.score, 0.0, 1.0)?;
        let s = api::msssim(&y, &x, &sp, &p.ch, &scales).unwrap();
        prop_assert!(same_bits(r.score, s.score), "msssim(a, b) = {} but msssim(b, a) = {}", r.score, s.score);
        prop_assert_eq!(api::msssim(&x, &x, &sp, &p.ch, &scales).unwrap().score, 1.0);
    }

    #[test]
    fn lwssim_is_bounded_symmetric_and_exact_at_identity((p, lp, band) in any::<bool>().prop_flat_map(|integer| {
        pair(!integer).prop_flat_map(move |p| {
            let m = p.w.min(p.h);
            (Just(p), lwssim_params(m, integer), 1usize..=80)
        })
    })) {
        let (x, y) = (image(&p.x, &p), image(&p.y, &p));
        let r = api::lwssim(&x, &y, &lp, &p.ch).map_err(|e| TestCaseError::fail(format!("rejected: {e}")))?;
        let sum: f64 = lp.levels.iter().map(|(_, w)| *w).sum();
        let mean = sum / lp.levels.len() as f64;
        bounded("lwssim", r.score, -2.0 * mean, 2.0 * mean)?;
        for v in &r.channels {
            bounded("lwssim channel", *v, -2.0 * mean, 2.0 * mean)?;
        }
        let s = api::lwssim(&y, &x, &lp, &p.ch).unwrap();
        prop_assert!(same_bits(r.score, s.score), "lwssim(a, b) = {} but lwssim(b, a) = {}", r.score, s.score);
        let i = api::lwssim(&x, &x, &lp, &p.ch).unwrap();
        prop_assert!(same_bits(i.score, 2.0 * mean), "identity gives {} not 2 mean(lambda) = {}", i.score, 2.0 * mean);
        let b = banded(Metric::Lwssim(lp.clone()), &p, band).unwrap();
        prop_assert!(same_bits(b.score, r.score), "scorer {} vs lwssim {}", b.score, r.score);
    }
}

fn prop_assert_fit(fit: usize) {
    // An odd window that fits the image fits scale 0 at least.
    assert!((1..=16).contains(&fit), "max_scales gave {fit}");
}

// ---------------------------------------------------------------- losses

#[derive(Clone, Debug)]
struct LossCase {
    n: usize,
    h: usize,
    w: usize,
    c: usize,
    layout: Layout,
    pred: Vec<f32>,
    target: Vec<f32>,
    spec: LossSpec,
    grad: bool,
}

fn loss_data(len: usize, style: Style, seed: u64, scale: f64, nonneg: bool) -> Vec<f32> {
    unit_samples(len, style, seed, nonneg).into_iter().map(|v| ((v * scale) as f32).clamp(-f32::MAX, f32::MAX)).collect()
}

fn structure(w: usize, h: usize, size: usize) -> impl Strategy<Value = Structure> {
    let fit = ssimkit::msssim::max_scales(w, h, size).min(16);
    prop_oneof![
        Just(Structure::Ssim),
        prop::collection::vec(lin_range(0.0, 64.0), 1..=fit).prop_map(|mut v| {
            if v.iter().all(|x| *x == 0.0) {
                v[0] = 1.0;
            }
            Structure::Msssim(v)
        }),
    ]
}

fn loss_case() -> impl Strategy<Value = LossCase> {
    (1usize..=3, shape(), 1usize..=4, any::<bool>(), any::<bool>(), log_range(1e-6, 1e12))
        .prop_flat_map(|(n, (w, h), c, nchw, grad, l)| {
            let m = w.min(h);
            (Just((n, w, h, c, nchw, grad, l)), ssim_params(m), 0u8..3, any::<bool>())
        })
        .prop_flat_map(|((n, w, h, c, nchw, grad, l), sp, which, integer)| {
            let kind = match which {
                0 => structure(w, h, sp.window.size()).prop_map(LossKind::Structural).boxed(),
                1 => (structure(w, h, sp.window.size()), lin_range(0.0, 1e6), lin_range(0.0, 1e6), any::<bool>())
                    .prop_map(|(structure, alpha, beta, g)| {
                        let (alpha, beta) = if alpha == 0.0 && beta == 0.0 { (0.8, 0.2) } else { (alpha, beta) };
                        LossKind::DssimMae { structure, alpha, beta, l1: if g { L1::Gaussian } else { L1::Plain } }
                    })
                    .boxed(),
                _ => lwssim_params(w.min(h), integer).prop_map(LossKind::Lwssim).boxed(),
            };
            let nonneg = which == 2 && !integer;
            (Just((n, w, h, c, nchw, grad, l, sp, nonneg)), kind, style(), style(), any::<u64>(), any::<u64>(), log_range(1e-30, 3e38), any::<bool>())
        })
        .prop_map(|((n, w, h, c, nchw, grad, l, sp, nonneg), kind, sa, sb, ea, eb, scale, similar)| {
            let len = n * w * h * c;
            let target = loss_data(len, sa, ea, scale, nonneg);
            let pred = if similar {
                let d = loss_data(len, sb, eb, scale * 1e-2, false);
                target.iter().zip(&d).map(|(t, d)| {
                    let v = t + d;
                    let v = if nonneg { v.abs() } else { v };
                    if v.is_finite() { v } else { *t }
                }).collect()
            } else {
                loss_data(len, sb, eb, scale, nonneg)
            };
            LossCase { n, h, w, c, layout: if nchw { Layout::Nchw } else { Layout::Nhwc }, pred, target, spec: LossSpec { kind, ssim: sp, data_range: l }, grad }
        })
}

proptest! {
    #![proptest_config(cases(48))]

    #[test]
    fn losses_and_gradients_are_finite_symmetric_and_zero_at_identity(t in loss_case()) {
        let pred = Batch::new(&t.pred, t.n, t.h, t.w, t.c, t.layout).unwrap();
        let target = Batch::new(&t.target, t.n, t.h, t.w, t.c, t.layout).unwrap();
        let r = loss::loss(&pred, &target, &t.spec, t.grad).map_err(|e| TestCaseError::fail(format!("rejected: {e}")))?;
        prop_assert!(r.loss.is_finite(), "loss {}", r.loss);
        prop_assert!(r.per_sample.iter().all(|v| v.is_finite()));
        let lambda_mean = match &t.spec.kind {
            LossKind::Lwssim(p) => p.levels.iter().map(|(_, w)| *w).sum::<f64>() / p.levels.len() as f64,
            _ => 1.0,
        };
        match &t.spec.kind {
            LossKind::Structural(_) => bounded("structural loss", r.loss, 0.0, 2.0)?,
            LossKind::Lwssim(_) => bounded("lwssim loss", r.loss, 1.0 - lambda_mean - 1e-9 * lambda_mean, 1.0 + lambda_mean + 1e-9 * lambda_mean)?,
            LossKind::DssimMae { .. } => prop_assert!(r.loss >= 0.0),
        }
        if let Some(g) = &r.grad {
            prop_assert_eq!(g.len(), t.pred.len());
            prop_assert!(g.iter().all(|v| v.is_finite()), "a non-finite gradient element");
        }
        // The same path both ways: with the gradient the value comes from
        // the backward passes (five moment signals), without it from the
        // forward (four), equal to rounding only.
        let s = loss::loss(&target, &pred, &t.spec, t.grad).unwrap();
        prop_assert!(same_bits(r.loss, s.loss), "loss(a, b) = {} but loss(b, a) = {}", r.loss, s.loss);
        let i = loss::loss(&target, &target, &t.spec, true).unwrap();
        if lambda_mean == 1.0 {
            prop_assert_eq!(i.loss, 0.0);
        }
        let g = i.grad.unwrap();
        prop_assert!(g.iter().all(|v| *v == 0.0), "identity gradient not all zeros: {:?}", g.iter().find(|v| **v != 0.0));
    }
}

// ---------------------------------------------------------------- rejection

/// Any f64, weighted to the values that broke things: NaN, infinities,
/// zero, negatives, 1e-300, 1e300, just outside each range.
fn wild() -> impl Strategy<Value = f64> {
    prop_oneof![
        // Mostly valid, so that a fair share of calls (each reads 3 to 6
        // of these) is accepted and checked against the contract.
        // (1e-2..64 is inside every field's domain: L, k1, k2, sigma,
        // weights, exponents.)
        60 => log_range(1e-2, 64.0),
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => Just(0.0),
        1 => Just(-1.0),
        1 => Just(1e-300),
        1 => Just(1e300),
        1 => Just(65.0),
        1 => Just(0.5),
        1 => Just(1.5),
        1 => Just(1e-7),
        1 => Just(2e6),
        1 => Just(2e12),
        1 => any::<f64>(),
    ]
}

fn wild_size() -> impl Strategy<Value = usize> {
    prop_oneof![8 => prop_oneof![Just(1usize), Just(3)], 1 => Just(0usize), 1 => Just(2), 1 => Just(5), 1 => Just(9), 1 => Just(64), 1 => Just(usize::MAX), 1 => 0usize..100]
}

#[derive(Clone, Debug)]
struct Wild {
    w: usize,
    h: usize,
    c: usize,
    x: Vec<f32>,
    y: Vec<f32>,
    size: usize,
    gaussian: bool,
    f: [f64; 8],
    levels: usize,
    which: u8,
}

fn wild_case() -> impl Strategy<Value = Wild> {
    (1usize..=9, 1usize..=9, 1usize..=4, wild_size(), any::<bool>(), [wild(), wild(), wild(), wild(), wild(), wild(), wild(), wild()], prop_oneof![1 => Just(0usize), 6 => 1usize..=4, 1 => Just(33)], 0u8..6, any::<u64>(), any::<u64>(), wild())
        .prop_map(|(w, h, c, size, gaussian, f, levels, which, ea, eb, spike)| {
            let n = w * h * c;
            let mut x: Vec<f32> = unit_samples(n, Style::Noise, ea, false).into_iter().map(|v| v as f32).collect();
            let y: Vec<f32> = unit_samples(n, Style::Noise, eb, false).into_iter().map(|v| v as f32).collect();
            if spike.is_nan() || spike.is_infinite() || spike.abs() > 1.0 {
                x[0] = spike as f32;
            }
            Wild { w, h, c, x, y, size, gaussian, f, levels, which }
        })
}

static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static ACCEPTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Counts the wild calls and how many were accepted; prints the totals
/// every 100,000 calls (the long runs' record of how many calls were
/// checked against the contract rather than rejected).
fn tally(ok: bool) {
    use std::sync::atomic::Ordering::Relaxed;
    let n = CALLS.fetch_add(1, Relaxed) + 1;
    let a = ACCEPTED.fetch_add(ok as usize, Relaxed) + ok as usize;
    if n % 100_000 == 0 {
        eprintln!("wild calls: {n}, accepted: {a}");
    }
}

proptest! {
    #![proptest_config(cases(96))]

    /// Options anywhere (mostly outside the domains): an error or a result
    /// within the contract, never a panic, a hang or a NaN.
    #[test]
    fn any_options_give_a_contract_result_or_an_error(t in wild_case()) {
        let win = |size: usize, sigma: f64| if t.gaussian { Window::Gaussian { size, sigma } } else { Window::Box { size } };
        let f = t.f;
        let sp = SsimParams { window: win(t.size, f[0]), k1: f[1], k2: f[2], border: Border::Valid, sample_covariance: f[7] > 32.0 };
        let ch = Channels { data_range: Some(f[3]), ..Channels::default() };
        let lp = LwssimParams {
            levels: (0..t.levels).map(|i| (win(if i == 0 { t.size } else { 2 * i + 1 }, f[0]), f[4])).collect(),
            alpha: f[5],
            beta: f[6],
            // gamma must be an integer: a valid draw is rounded, a wild one kept.
            gamma: if (1e-2..=64.0).contains(&f[7]) { f[7].round() } else { f[7] },
            k1: f[1],
            k2: f[2],
            border: Border::Same,
        };
        let x = Image::new(Pixels::F32(&t.x), t.w, t.h, t.c).unwrap();
        let y = Image::new(Pixels::F32(&t.y), t.w, t.h, t.c).unwrap();
        let check = |r: Result<f64, Error>, lo: f64, hi: f64| -> Result<(), TestCaseError> {
            tally(r.is_ok());
            match r {
                Ok(v) => bounded("accepted", v, lo, hi),
                Err(Error::Range(m)) | Err(Error::Mismatch(m)) => {
                    prop_assert!(!m.is_empty());
                    Ok(())
                }
            }
        };
        match t.which {
            0 => check(api::ssim(&x, &y, &sp, &ch, true).map(|r| r.score), -1.0, 1.0)?,
            1 => check(api::msssim(&x, &y, &sp, &ch, &Scales::Weights(vec![f[4]; t.levels])).map(|r| r.score), 0.0, 1.0)?,
            2 => check(api::lwssim(&x, &y, &lp, &ch).map(|r| r.score), -2e6, 2e6)?,
            3 => check(api::ssim_matlab(&x, &y, &sp, Some(f[3]), false).map(|r| r.score), -1.0, 1.0)?,
            4 => {
                let s = Scorer::new(Metric::Lwssim(lp.clone()), Pixels::F32(&[]), t.w, t.h, t.c, ch)
                    .and_then(|mut s| s.feed(Pixels::F32(&t.x), Pixels::F32(&t.y)).and_then(|_| s.finish()));
                check(s.map(|r| r.score), -2e6, 2e6)?
            }
            _ => {
                let kinds = [
                    LossKind::Structural(Structure::Msssim(vec![f[4]; t.levels])),
                    LossKind::DssimMae { structure: Structure::Ssim, alpha: f[5], beta: f[6], l1: L1::Gaussian },
                    LossKind::Lwssim(lp.clone()),
                ];
                for kind in kinds {
                    let spec = LossSpec { kind, ssim: sp, data_range: f[3] };
                    let (p, q) = (Batch::new(&t.x, 1, t.h, t.w, t.c, Layout::Nhwc).unwrap(), Batch::new(&t.y, 1, t.h, t.w, t.c, Layout::Nhwc).unwrap());
                    let r = loss::loss(&p, &q, &spec, true);
                    tally(r.is_ok());
                    match r {
                        Ok(r) => {
                            prop_assert!(r.loss.is_finite());
                            prop_assert!(r.grad.unwrap().iter().all(|v| v.is_finite()));
                        }
                        Err(e) => prop_assert!(!e.to_string().is_empty()),
                    }
                }
            }
        }
    }
}

#[test]
fn window_one_on_one_pixel_terminates_with_sixteen_scales_at_most() {
    assert_eq!(ssimkit::msssim::max_scales(1, 1, 1), 16);
    assert_eq!(ssimkit::msssim::max_scales(1, 100000, 1), 16);
    let a = [0.5f32];
    let x = Image::new(Pixels::F32(&a), 1, 1, 1).unwrap();
    let p = SsimParams { window: Window::Box { size: 1 }, ..Default::default() };
    assert_eq!(api::msssim(&x, &x, &p, &Channels::default(), &Scales::Auto).unwrap().score, 1.0);
    assert!(api::msssim(&x, &x, &p, &Channels::default(), &Scales::Weights(vec![1.0; 16])).is_ok());
    let e = api::msssim(&x, &x, &p, &Channels::default(), &Scales::Weights(vec![1.0; 17])).unwrap_err();
    assert!(e.to_string().contains("1 to 16"), "{e}");
}

#[test]
fn identical_images_give_an_exact_zero_gradient_for_any_exponents() {
    // Issue 8: with beta or gamma != 1 the gradient at identical images was
    // ~1e-16 instead of 0.
    let (w, h) = (23, 17);
    let d: Vec<f32> = (0..w * h * 3).map(|i| ((i * 7919) % 257) as f32 / 256.0).collect();
    let b = Batch::new(&d, 1, h, w, 3, Layout::Nhwc).unwrap();
    for (alpha, beta, gamma) in [(1.0, 2.0, 1.0), (1.0, 1.0, 3.0), (0.5, 0.25, 0.0), (64.0, 64.0, 64.0), (0.0, 0.0, 0.0), (2.5, 1.5, 2.0)] {
        for levels in [LwssimParams::default().levels, vec![(Window::Gaussian { size: 7, sigma: 1.5 }, 1.0)]] {
            let lp = LwssimParams { levels, alpha, beta, gamma, ..Default::default() };
            let spec = LossSpec { kind: LossKind::Lwssim(lp), ssim: SsimParams::default(), data_range: 1.0 };
            let r = loss::loss(&b, &b, &spec, true).unwrap();
            assert_eq!(r.loss, 0.0);
            assert!(r.grad.unwrap().iter().all(|g| *g == 0.0), "alpha {alpha} beta {beta} gamma {gamma}");
        }
    }
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    // Several chunks of rows, data that activates the clamps (steps of huge
    // and tiny values), every metric and a loss with its gradient.
    let (w, h, c) = (67, 203, 3);
    let x = unit_samples(w * h * c, Style::Steps, 11, false).into_iter().map(|v| (v * 60.0) as f32).collect::<Vec<_>>();
    let y = unit_samples(w * h * c, Style::Spikes, 12, false).into_iter().map(|v| (v * 60.0) as f32).collect::<Vec<_>>();
    let run = || {
        let (a, b) = (Image::new(Pixels::F32(&x), w, h, c).unwrap(), Image::new(Pixels::F32(&y), w, h, c).unwrap());
        let ch = Channels::default();
        let boxed = SsimParams { window: Window::Box { size: 7 }, ..Default::default() };
        let lp = LwssimParams { beta: 2.0, gamma: 3.0, ..Default::default() };
        let spec = LossSpec { kind: LossKind::Lwssim(LwssimParams::default()), ssim: SsimParams::default(), data_range: 1.0 };
        let (p, t) = (Batch::new(&y, 1, h, w, c, Layout::Nhwc).unwrap(), Batch::new(&x, 1, h, w, c, Layout::Nhwc).unwrap());
        let l = loss::loss(&p, &t, &spec, true).unwrap();
        (
            api::ssim(&a, &b, &boxed, &ch, true).unwrap().map.unwrap().data,
            api::msssim(&a, &b, &SsimParams::default(), &ch, &Scales::Auto).unwrap().score,
            api::lwssim(&a, &b, &lp, &ch).unwrap().score,
            l.loss,
            l.grad.unwrap(),
        )
    };
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap().install(run);
    let three = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap().install(run);
    assert!(one.0.iter().zip(&three.0).all(|(a, b)| a.to_bits() == b.to_bits()));
    assert_eq!((one.1.to_bits(), one.2.to_bits(), one.3.to_bits()), (three.1.to_bits(), three.2.to_bits(), three.3.to_bits()));
    assert!(one.4.iter().zip(&three.4).all(|(a, b)| a.to_bits() == b.to_bits()));
}

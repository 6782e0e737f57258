//! Losses over batches: the wiring around the per-plane backward passes
//! (layouts, channel and batch means, the 1/L scaling, the L1 terms),
//! checked by finite differences on the f32 inputs a user passes.

use ssimkit::loss::{loss, Batch, Layout, LossKind, LossSpec, Structure, L1};
use ssimkit::{LwssimParams, SsimParams, Window};

fn batch_data(n: usize, h: usize, w: usize, c: usize, seed: u64, range: f32) -> Vec<f32> {
    let mut s = seed.wrapping_mul(0x9E3779B97F4A7C15) | 1;
    (0..n * h * w * c)
        .map(|i| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let v = 0.5 + 0.3 * ((i as f32) * 0.013 + seed as f32).sin() + ((s % 1000) as f32 / 1000.0 - 0.5) * 0.3;
            v.clamp(0.0, 1.0) * range
        })
        .collect()
}

fn nhwc_to_nchw(d: &[f32], n: usize, h: usize, w: usize, c: usize) -> Vec<f32> {
    let mut out = vec![0.0; d.len()];
    for s in 0..n {
        for k in 0..c {
            for i in 0..h * w {
                out[(s * c + k) * h * w + i] = d[(s * h * w + i) * c + k];
            }
        }
    }
    out
}

fn specs() -> Vec<(&'static str, LossSpec)> {
    let small = SsimParams { window: Window::Gaussian { size: 5, sigma: 1.0 }, ..Default::default() };
    let lw = LwssimParams { levels: vec![(Window::Box { size: 3 }, 1.0), (Window::Box { size: 5 }, 0.5)], ..Default::default() };
    vec![
        ("ssim", LossSpec { kind: LossKind::Structural(Structure::Ssim), ssim: small, data_range: 1.0 }),
        ("msssim", LossSpec { kind: LossKind::Structural(Structure::Msssim(vec![0.4, 0.6])), ssim: small, data_range: 1.0 }),
        ("dssim+mae 0.8/0.2", LossSpec {
            kind: LossKind::DssimMae { structure: Structure::Ssim, alpha: 0.8, beta: 0.2, l1: L1::Plain },
            ssim: small,
            data_range: 1.0,
        }),
        ("ms-ssim+gaussian l1 (Zhao)", LossSpec {
            kind: LossKind::DssimMae { structure: Structure::Msssim(vec![0.4, 0.6]), alpha: 0.84, beta: 0.16, l1: L1::Gaussian },
            ssim: small,
            data_range: 1.0,
        }),
        ("dssim+mae 8-bit 0.5/0.5", LossSpec {
            kind: LossKind::DssimMae { structure: Structure::Ssim, alpha: 0.5, beta: 0.5, l1: L1::Plain },
            ssim: small,
            data_range: 255.0,
        }),
        ("lwssim", LossSpec { kind: LossKind::Lwssim(lw), ssim: small, data_range: 1.0 }),
    ]
}

#[test]
fn batch_gradients_match_finite_differences() {
    let (n, h, w, c) = (2, 14, 13, 3);
    for (name, spec) in specs() {
        let r = spec.data_range as f32;
        let (pred, target) = (batch_data(n, h, w, c, 1, r), batch_data(n, h, w, c, 2, r));
        let b = |d: &[f32]| -> f64 { loss(&Batch::new(d, n, h, w, c, Layout::Nhwc).unwrap(), &Batch::new(&target, n, h, w, c, Layout::Nhwc).unwrap(), &spec, false).unwrap().loss };
        let res = loss(&Batch::new(&pred, n, h, w, c, Layout::Nhwc).unwrap(), &Batch::new(&target, n, h, w, c, Layout::Nhwc).unwrap(), &spec, true).unwrap();
        let g = res.grad.unwrap();
        assert_eq!(res.loss, b(&pred), "{name}: loss with and without the gradient");
        assert!((res.loss - res.per_sample.iter().sum::<f64>() / n as f64).abs() < 1e-15);
        let scale = g.iter().fold(0.0f32, |a, v| a.max(v.abs())) as f64;
        for q in (0..pred.len()).step_by(37).chain([0, pred.len() - 1]) {
            let step = 1e-3 * r;
            let (mut a, mut bb) = (pred.clone(), pred.clone());
            a[q] += step;
            bb[q] -= step;
            // The step actually taken, after f32 rounding.
            let taken = (a[q] as f64) - (bb[q] as f64);
            let numeric = (b(&a) - b(&bb)) / taken;
            assert!((numeric - g[q] as f64).abs() <= 2e-4 * scale + 1e-9, "{name} at {q}: analytic {} vs numeric {numeric}", g[q]);
        }
    }
}

#[test]
fn nchw_is_nhwc_transposed() {
    let (n, h, w, c) = (2, 12, 11, 3);
    let (pred, target) = (batch_data(n, h, w, c, 3, 1.0), batch_data(n, h, w, c, 4, 1.0));
    let (p2, t2) = (nhwc_to_nchw(&pred, n, h, w, c), nhwc_to_nchw(&target, n, h, w, c));
    for (name, spec) in specs() {
        if spec.data_range != 1.0 {
            continue;
        }
        let a = loss(&Batch::new(&pred, n, h, w, c, Layout::Nhwc).unwrap(), &Batch::new(&target, n, h, w, c, Layout::Nhwc).unwrap(), &spec, true).unwrap();
        let b = loss(&Batch::new(&p2, n, h, w, c, Layout::Nchw).unwrap(), &Batch::new(&t2, n, h, w, c, Layout::Nchw).unwrap(), &spec, true).unwrap();
        assert_eq!(a.loss, b.loss, "{name}");
        assert_eq!(nhwc_to_nchw(a.grad.as_ref().unwrap(), n, h, w, c), b.grad.unwrap(), "{name}");
    }
}

#[test]
fn identical_batches_lose_nothing_and_get_zero_gradients() {
    let (n, h, w, c) = (1, 12, 12, 2);
    let x = batch_data(n, h, w, c, 5, 1.0);
    for (name, spec) in specs() {
        let r = spec.data_range as f32;
        let xs: Vec<f32> = x.iter().map(|v| v * r).collect();
        let b = Batch::new(&xs, n, h, w, c, Layout::Nhwc).unwrap();
        let res = loss(&b, &b, &spec, true).unwrap();
        // 1 - LWSSIM/2 is 0 at equality only when the lambdas average 1
        // (the paper's (1/I) sum lambda_i); otherwise its floor is 1 - mean(lambda).
        let floor = match &spec.kind {
            LossKind::Lwssim(p) => 1.0 - p.levels.iter().map(|(_, l)| l).sum::<f64>() / p.levels.len() as f64,
            _ => 0.0,
        };
        assert_eq!(res.loss, floor, "{name}");
        assert!(res.grad.unwrap().iter().all(|g| *g == 0.0), "{name}: gradient at the minimum");
    }
}

#[test]
fn shape_and_size_errors() {
    let d = vec![0.5f32; 2 * 8 * 8];
    assert!(Batch::new(&d, 2, 8, 8, 1, Layout::Nhwc).is_ok());
    assert!(Batch::new(&d, 3, 8, 8, 1, Layout::Nhwc).is_err());
    let b = Batch::new(&d, 2, 8, 8, 1, Layout::Nhwc).unwrap();
    let spec = LossSpec { kind: LossKind::Structural(Structure::Ssim), ssim: SsimParams::default(), data_range: 1.0 };
    assert!(loss(&b, &b, &spec, false).unwrap_err().to_string().contains("window"));
}

/// Channel `k` of sample `s` of an NHWC batch as an f64 plane divided by `l`.
fn plane_of(d: &[f32], s: usize, k: usize, (h, w, c): (usize, usize, usize), l: f64) -> ssimkit::Plane<f64> {
    ssimkit::Plane::new(w, h, (0..h * w).map(|i| d[(s * h * w + i) * c + k] as f64 / l).collect())
}

#[test]
fn losses_without_a_gradient_read_the_batch_in_place_and_give_the_plane_bits() {
    // Tall enough for several steps of rows at every scale.
    let (n, h, w, c) = (2, 301, 29, 3);
    for (name, spec) in specs() {
        let l = spec.data_range as f32;
        let (pd, td) = (batch_data(n, h, w, c, 3, l), batch_data(n, h, w, c, 4, l));
        let (pc, tc) = (nhwc_to_nchw(&pd, n, h, w, c), nhwc_to_nchw(&td, n, h, w, c));
        let run = |p: &[f32], t: &[f32], layout| {
            loss(&Batch::new(p, n, h, w, c, layout).unwrap(), &Batch::new(t, n, h, w, c, layout).unwrap(), &spec, false).unwrap()
        };
        let (a, b) = (run(&pd, &td, Layout::Nhwc), run(&pc, &tc, Layout::Nchw));
        assert_eq!((a.loss, &a.per_sample), (b.loss, &b.per_sample), "{name}: layouts differ");
        // The value with the gradient comes from the backward passes: for
        // SSIM, MS-SSIM and DSSIM the forward's four moments in its chunks,
        // so the same bits; LWSSIM's the same formula summed in another order.
        let g = loss(&Batch::new(&pd, n, h, w, c, Layout::Nhwc).unwrap(), &Batch::new(&td, n, h, w, c, Layout::Nhwc).unwrap(), &spec, true).unwrap();
        if matches!(spec.kind, LossKind::Lwssim(_)) {
            assert!((g.loss - a.loss).abs() <= 1e-12 * a.loss.abs().max(1e-3), "{name}: {} with the gradient, {} without", g.loss, a.loss);
        } else {
            assert_eq!((g.loss.to_bits(), &g.per_sample), (a.loss.to_bits(), &a.per_sample), "{name}: the value changed with the gradient");
        }
        // The plane-by-plane formula, as the loss computed it before it read in place.
        let lf = spec.data_range;
        let want: Option<Vec<f64>> = (0..n)
            .map(|s| {
                (0..c).try_fold(0.0, |acc, k| {
                    let (x, y) = (plane_of(&td, s, k, (h, w, c), lf), plane_of(&pd, s, k, (h, w, c), lf));
                    let v = match &spec.kind {
                        LossKind::Structural(Structure::Ssim) => (1.0 - ssimkit::ssim::ssim_plane(&x, &y, &spec.ssim, false).ssim) / c as f64,
                        LossKind::Lwssim(lp) => (1.0 - ssimkit::lwssim::lwssim_plane(&x, &y, lp) / 2.0) / c as f64,
                        LossKind::Structural(Structure::Msssim(wt)) => (1.0 - ssimkit::msssim::msssim_plane(&x, &y, &spec.ssim, wt)) / c as f64,
                        LossKind::DssimMae { structure: Structure::Ssim, alpha, beta, l1: L1::Plain } => {
                            let a = 1.0 / (w * h) as f64;
                            let mae: f64 = x.data.iter().zip(&y.data).map(|(x, y)| a * (y - x).abs()).sum();
                            (alpha * (1.0 - ssimkit::ssim::ssim_plane(&x, &y, &spec.ssim, false).ssim) + beta * mae) / c as f64
                        }
                        _ => return None,
                    };
                    Some(acc + v)
                })
            })
            .collect();
        if let Some(want) = want {
            assert_eq!(a.per_sample, want, "{name}");
        }
    }
}

#[test]
fn batch_gradients_have_the_same_bits_on_any_thread_count() {
    // Samples run in parallel, each into its own block of the output.
    let (n, h, w, c) = (5, 70, 23, 3);
    let (pd, td) = (batch_data(n, h, w, c, 21, 1.0), batch_data(n, h, w, c, 22, 1.0));
    for (name, spec) in specs() {
        for layout in [Layout::Nhwc, Layout::Nchw] {
            let run = || loss(&Batch::new(&pd, n, h, w, c, layout).unwrap(), &Batch::new(&td, n, h, w, c, layout).unwrap(), &spec, true).unwrap();
            let on = |t: usize| rayon::ThreadPoolBuilder::new().num_threads(t).build().unwrap().install(run);
            let one = on(1);
            for t in [2, 3] {
                let other = on(t);
                assert_eq!((one.loss.to_bits(), &one.per_sample), (other.loss.to_bits(), &other.per_sample), "{name} {layout:?}: {t} threads");
                let (a, b) = (one.grad.as_ref().unwrap(), other.grad.as_ref().unwrap());
                assert!(a.iter().zip(b).all(|(p, q)| p.to_bits() == q.to_bits()), "{name} {layout:?}: {t} threads changed the gradient");
            }
            // Without the gradient (chunks and planes in parallel): the same bits.
            let fwd = |t: usize| {
                let run = || loss(&Batch::new(&pd, n, h, w, c, layout).unwrap(), &Batch::new(&td, n, h, w, c, layout).unwrap(), &spec, false).unwrap();
                rayon::ThreadPoolBuilder::new().num_threads(t).build().unwrap().install(run)
            };
            let f1 = fwd(1);
            for t in [2, 3] {
                let other = fwd(t);
                assert_eq!((f1.loss.to_bits(), &f1.per_sample), (other.loss.to_bits(), &other.per_sample), "{name} {layout:?}: {t} threads, no gradient");
            }
            // Every sample's block was written.
            let g = one.grad.unwrap();
            assert!(g.chunks(h * w * c).all(|b| b.iter().any(|v| *v != 0.0)), "{name} {layout:?}: a sample without a gradient");
        }
    }
}

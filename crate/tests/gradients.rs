//! Every backward pass against central finite differences in f64, on
//! textured planes, odd sizes, both borders, an active MS-SSIM relu, and the
//! degenerate inputs where users of other libraries get NaN.

use ssimkit::backward::{lwssim_plane_grad, msssim_plane_grad, msssim_plane_grad_holding, ssim_plane_grad, Objective};
use ssimkit::lwssim::lwssim_plane;
use ssimkit::msssim::msssim_plane;
use ssimkit::ssim::ssim_plane;
use ssimkit::{Border, LwssimParams, Plane, SsimParams, Window};

fn plane(w: usize, h: usize, seed: u64) -> Plane<f64> {
    let mut s = seed.wrapping_mul(0x9E3779B97F4A7C15) | 1;
    let data = (0..w * h)
        .map(|i| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let (x, y) = ((i % w) as f64, (i / w) as f64);
            0.5 + 0.3 * (x * 0.37 + seed as f64).sin() * (y * 0.23).cos() + ((s % 1000) as f64 / 1000.0 - 0.5) * 0.2
        })
        .collect();
    Plane::new(w, h, data)
}

/// Compares the analytic gradient with central differences at pixels `probes`,
/// to within `floor` + 1e-5 of the largest |gradient|.
fn check_at(name: &str, y: &Plane<f64>, f: &dyn Fn(&Plane<f64>) -> f64, grad: &[f64], probes: &[usize], floor: f64) {
    assert!(grad.iter().all(|g| g.is_finite()), "{name}: non-finite gradient");
    let scale = grad.iter().fold(0.0f64, |a, g| a.max(g.abs()));
    let h = 1e-6;
    for &q in probes {
        let (mut a, mut b) = (y.clone(), y.clone());
        a.data[q] += h;
        b.data[q] -= h;
        let numeric = (f(&a) - f(&b)) / (2.0 * h);
        let err = (numeric - grad[q]).abs();
        let (r, c) = (q / y.width, q % y.width);
        assert!(err <= floor + 1e-5 * scale, "{name} at row {r} col {c}: analytic {} vs numeric {numeric} (max |g| {scale})", grad[q]);
    }
}

/// Central differences at positions spread over the plane, corners and
/// edges included.
fn check(name: &str, y: &Plane<f64>, f: &dyn Fn(&Plane<f64>) -> f64, grad: &[f64]) {
    let n = y.data.len();
    let mut probes: Vec<usize> = vec![0, y.width - 1, n - y.width, n - 1, n / 2];
    probes.extend((0..25).map(|k| (k * 7919 + 13) % n));
    check_at(name, y, f, grad, &probes, 1e-8);
}

/// The backward pass's value against the forward's: SSIM's and MS-SSIM's
/// stream the same four moment signals in the same chunks, so the same bits.
fn same_as_forward(backward: f64, forward: f64) {
    assert_eq!(backward.to_bits(), forward.to_bits(), "backward value {backward}, forward {forward}");
}

/// LWSSIM's backward streams its five signals in its own passes: the
/// forward's value to rounding.
fn close_to_forward(backward: f64, forward: f64) {
    assert!((backward - forward).abs() <= 1e-14, "backward value {backward}, forward {forward}");
}

#[test]
fn ssim_and_cs_gradients() {
    for (w, h) in [(19, 17), (24, 20)] {
        let (x, y) = (plane(w, h, 1), plane(w, h, 2));
        for window in [Window::Gaussian { size: 7, sigma: 1.2 }, Window::Box { size: 5 }, Window::Gaussian { size: 11, sigma: 1.5 }] {
            for border in [Border::Valid, Border::Same] {
                for sample in [false, true] {
                    let p = SsimParams { window, border, sample_covariance: sample, ..Default::default() };
                    for obj in [Objective::Ssim, Objective::Cs] {
                        let (v, g) = ssim_plane_grad(&x, &y, &p, obj);
                        let f = |y: &Plane<f64>| {
                            let r = ssim_plane(&x, y, &p, false);
                            if obj == Objective::Ssim { r.ssim } else { r.cs }
                        };
                        same_as_forward(v, f(&y));
                        check(&format!("{w}x{h} {window:?} {border:?} sample={sample} {obj:?}"), &y, &f, &g);
                    }
                }
            }
        }
    }
}

#[test]
fn msssim_gradient_through_odd_downsampling() {
    // 45x39 -> 23x20 -> 12x10: odd sides at every step.
    let (x, y) = (plane(45, 39, 3), plane(45, 39, 4));
    let p = SsimParams { window: Window::Gaussian { size: 5, sigma: 1.0 }, ..Default::default() };
    let weights = [0.3, 0.3, 0.4];
    let (v, g) = msssim_plane_grad(&x, &y, &p, &weights);
    let f = |y: &Plane<f64>| msssim_plane(&x, y, &p, &weights);
    same_as_forward(v, f(&y));
    check("msssim", &y, &f, &g);
}

#[test]
fn msssim_relu_active_gives_the_zero_subgradient_not_nan() {
    // An inverted image: cs < 0 at the finest scale, so MS-SSIM is 0.
    let x = plane(40, 36, 5);
    let y = Plane::new(40, 36, x.data.iter().map(|v| 1.0 - v).collect());
    let p = SsimParams { window: Window::Gaussian { size: 5, sigma: 1.0 }, ..Default::default() };
    let cs = ssim_plane(&x, &y, &p, false).cs;
    assert!(cs < 0.0, "the case must activate the relu (cs = {cs})");
    let (v, g) = msssim_plane_grad(&x, &y, &p, &[0.5, 0.5]);
    assert_eq!(v, 0.0);
    assert!(g.iter().all(|d| *d == 0.0));
}

#[test]
fn lwssim_gradients_unit_and_general_exponents() {
    let (x, y) = (plane(23, 21, 6), plane(23, 21, 7));
    // Box levels alone take the fused pass (crate::levels); a Gaussian level
    // makes every level its own pass.
    let mixed = vec![(Window::Box { size: 3 }, 1.0), (Window::Box { size: 7 }, 0.5), (Window::Gaussian { size: 5, sigma: 0.7 }, 2.0)];
    let boxes = vec![(Window::Box { size: 3 }, 1.0), (Window::Box { size: 9 }, 0.5), (Window::Box { size: 5 }, 2.0)];
    for (alpha, beta, gamma) in [(1.0, 1.0, 1.0), (2.0, 1.0, 1.0), (1.0, 0.5, 3.0), (0.5, 2.0, 2.0)] {
        for (border, levels) in [Border::Valid, Border::Same].into_iter().flat_map(|b| [(b, mixed.clone()), (b, boxes.clone())]) {
            let p = LwssimParams {
                levels,
                alpha,
                beta,
                gamma,
                border,
                ..Default::default()
            };
            let (v, g) = lwssim_plane_grad(&x, &y, &p);
            let f = |y: &Plane<f64>| lwssim_plane(&x, y, &p);
            close_to_forward(v, f(&y));
            check(&format!("lwssim a{alpha} b{beta} g{gamma} {border:?}"), &y, &f, &g);
        }
    }
}

#[test]
fn identical_flat_and_zero_inputs_give_finite_gradients() {
    let x = plane(20, 18, 8);
    let flat = Plane::new(20, 18, vec![0.25; 360]);
    let zero = Plane::new(20, 18, vec![0.0; 360]);
    let p = SsimParams { window: Window::Gaussian { size: 7, sigma: 1.5 }, ..Default::default() };
    // At identical images SSIM is at its maximum: the gradient is exactly 0.
    let (v, g) = ssim_plane_grad(&x, &x, &p, Objective::Ssim);
    assert_eq!(v, 1.0);
    assert!(g.iter().all(|d| *d == 0.0), "gradient at identical images must be exactly 0");
    let lw = LwssimParams { alpha: 1.0, beta: 0.5, gamma: 3.0, ..Default::default() };
    for (a, b) in [(&flat, &flat), (&zero, &zero), (&x, &flat), (&flat, &x), (&zero, &x), (&x, &zero)] {
        assert!(ssim_plane_grad(a, b, &p, Objective::Ssim).1.iter().all(|d| d.is_finite()));
        assert!(msssim_plane_grad(a, b, &p, &[0.5, 0.5]).1.iter().all(|d| d.is_finite()));
        assert!(lwssim_plane_grad(a, b, &lw).1.iter().all(|d| d.is_finite()));
        assert!(lwssim_plane_grad(a, b, &LwssimParams::default()).1.iter().all(|d| d.is_finite()));
    }
}

/// Central differences at the rows where the streamed backward pass hands
/// over from one band of chunks to the next (CHUNK = 64 rows; a band is at
/// least two chunks), on a plane tall enough for several bands.
fn check_rows(name: &str, y: &Plane<f64>, f: &dyn Fn(&Plane<f64>) -> f64, grad: &[f64]) {
    let w = y.width;
    let rows = [0, 5, 63, 64, 65, 118, 127, 128, 129, 191, 192, 250, 255, 256, 257, y.height - 6, y.height - 1];
    let probes: Vec<usize> = rows.iter().flat_map(|r| [0, 3, w / 2, w - 1].map(|c| r * w + c)).collect();
    check_at(name, y, f, grad, &probes, 1e-9);
}

/// The same gradient, to the bit, whatever the number of threads (which
/// sets how many chunks a band holds).
fn same_bits_on(threads: &[usize], run: &(dyn Fn() -> (f64, Vec<f64>) + Sync)) -> (f64, Vec<f64>) {
    let results: Vec<(f64, Vec<f64>)> = threads
        .iter()
        .map(|&t| rayon::ThreadPoolBuilder::new().num_threads(t).build().unwrap().install(run))
        .collect();
    for (t, r) in threads.iter().zip(&results).skip(1) {
        assert!(r.0 == results[0].0 && r.1 == results[0].1, "{t} threads gave other bits than {}", threads[0]);
    }
    results.into_iter().next().unwrap()
}

#[test]
fn streamed_backward_across_bands() {
    let (w, h) = (29, 301);
    let (x, y) = (plane(w, h, 11), plane(w, h, 12));
    for window in [Window::Gaussian { size: 11, sigma: 1.5 }, Window::Box { size: 7 }] {
        for border in [Border::Valid, Border::Same] {
            let p = SsimParams { window, border, ..Default::default() };
            let (v, g) = same_bits_on(&[1, 2, 3], &|| ssim_plane_grad(&x, &y, &p, Objective::Ssim));
            let f = |y: &Plane<f64>| ssim_plane(&x, y, &p, false).ssim;
            same_as_forward(v, f(&y));
            check_rows(&format!("ssim {window:?} {border:?}"), &y, &f, &g);
        }
    }
    let p = SsimParams { window: Window::Gaussian { size: 5, sigma: 1.0 }, ..Default::default() };
    let weights = [0.3, 0.3, 0.4];
    let (v, g) = same_bits_on(&[1, 2, 3], &|| msssim_plane_grad(&x, &y, &p, &weights));
    let f = |y: &Plane<f64>| msssim_plane(&x, y, &p, &weights);
    same_as_forward(v, f(&y));
    check_rows("msssim", &y, &f, &g);
    // The half-resolution scale read on demand (as for large images) gives
    // the bits of holding it.
    let (_, on_demand) = msssim_plane_grad_holding(&x, &y, &p, &weights, 0);
    assert!(on_demand == g, "reading the half-resolution scale on demand changed the gradient's bits");
    let mixed = vec![(Window::Box { size: 3 }, 1.0), (Window::Gaussian { size: 5, sigma: 0.7 }, 2.0), (Window::Box { size: 11 }, 0.5)];
    for border in [Border::Valid, Border::Same] {
        for levels in [LwssimParams::default().levels, mixed.clone()] {
            let p = LwssimParams { levels, border, ..Default::default() };
            let (v, g) = same_bits_on(&[1, 2, 3], &|| lwssim_plane_grad(&x, &y, &p));
            let f = |y: &Plane<f64>| lwssim_plane(&x, y, &p);
            close_to_forward(v, f(&y));
            check_rows(&format!("lwssim {border:?}"), &y, &f, &g);
        }
    }
}

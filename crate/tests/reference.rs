//! The kernels against an independent float64 reference: direct 2-D window
//! sums written from the definitions, sharing no code with the crate.

use ssimkit::api::{self, Channels, Scales};
use ssimkit::{Border, Color, Image, LwssimParams, Pixels, SsimParams, Window};

/// Deterministic test images: a smooth pattern plus xorshift noise.
fn image(w: usize, h: usize, c: usize, seed: u64) -> Vec<u8> {
    let mut s = seed.wrapping_mul(0x9E3779B97F4A7C15) | 1;
    let mut out = Vec::with_capacity(w * h * c);
    for y in 0..h {
        for x in 0..w {
            for ch in 0..c {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                let base = 128.0 + 60.0 * ((x as f64 * 0.21 + ch as f64).sin() * (y as f64 * 0.13).cos());
                let noise = (s % 61) as f64 - 30.0;
                out.push((base + noise).clamp(0.0, 255.0) as u8);
            }
        }
    }
    out
}

fn taps2d(window: Window) -> Vec<Vec<f64>> {
    let n = window.size();
    let t: Vec<f64> = match window {
        Window::Box { .. } => vec![1.0; n],
        Window::Gaussian { sigma, .. } => {
            let c = (n as f64 - 1.0) / 2.0;
            (0..n).map(|i| (-((i as f64 - c).powi(2)) / (2.0 * sigma * sigma)).exp()).collect()
        }
    };
    let total: f64 = t.iter().flat_map(|a| t.iter().map(move |b| a * b)).sum();
    (0..n).map(|i| (0..n).map(|j| t[i] * t[j] / total).collect()).collect()
}

/// Reads (x, y) of a plane with half-sample symmetric reflection.
fn at(p: &[f64], w: usize, h: usize, x: isize, y: isize) -> f64 {
    let r = |i: isize, n: usize| if i < 0 { (-i - 1) as usize } else if i as usize >= n { 2 * n - 1 - i as usize } else { i as usize };
    p[r(y, h) * w + r(x, w)]
}

struct Stats { mx: f64, my: f64, vx: f64, vy: f64, cxy: f64 }

fn window_stats(a: &[f64], b: &[f64], w: usize, h: usize, k: &[Vec<f64>], x0: isize, y0: isize, sample: bool) -> Stats {
    let n = k.len();
    let (mut mx, mut my, mut xx, mut yy, mut xy) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for i in 0..n {
        for j in 0..n {
            let (p, q) = (at(a, w, h, x0 + j as isize, y0 + i as isize), at(b, w, h, x0 + j as isize, y0 + i as isize));
            let t = k[i][j];
            mx += t * p;
            my += t * q;
            xx += t * p * p;
            yy += t * q * q;
            xy += t * p * q;
        }
    }
    let f = if sample { (n * n) as f64 / ((n * n) as f64 - 1.0) } else { 1.0 };
    Stats { mx, my, vx: (xx - mx * mx) * f, vy: (yy - my * my) * f, cxy: (xy - mx * my) * f }
}

/// Visits every window position of the border mode.
fn positions(w: usize, h: usize, n: usize, border: Border) -> Vec<(isize, isize)> {
    let half = ((n - 1) / 2) as isize;
    let (ow, oh, off) = match border {
        Border::Valid => (w + 1 - n, h + 1 - n, 0),
        Border::Same => (w, h, -half),
    };
    (0..oh).flat_map(|i| (0..ow).map(move |j| (j as isize + off, i as isize + off))).collect()
}

fn ref_ssim(a: &[f64], b: &[f64], w: usize, h: usize, window: Window, border: Border, sample: bool, l: f64) -> (f64, f64) {
    let k = taps2d(window);
    let (c1, c2) = ((0.01 * l).powi(2), (0.03 * l).powi(2));
    let pos = positions(w, h, window.size(), border);
    let (mut s, mut cs_sum) = (0.0, 0.0);
    for &(x0, y0) in &pos {
        let st = window_stats(a, b, w, h, &k, x0, y0, sample);
        let lum = (2.0 * st.mx * st.my + c1) / (st.mx * st.mx + st.my * st.my + c1);
        let cs = (2.0 * st.cxy + c2) / (st.vx + st.vy + c2);
        s += lum * cs;
        cs_sum += cs;
    }
    (s / pos.len() as f64, cs_sum / pos.len() as f64)
}

fn ref_lwssim(a: &[f64], b: &[f64], w: usize, h: usize, levels: &[(usize, f64)], alpha: f64, beta: f64, gamma: f64, l: f64) -> f64 {
    let (c1, c2) = ((0.01 * l).powi(2), (0.03 * l).powi(2));
    let c3 = c2 / 2.0;
    let mut total = 0.0;
    for &(n, lambda) in levels {
        let k = taps2d(Window::Box { size: n });
        let pos = positions(w, h, n, Border::Valid);
        let mut s = 0.0;
        for &(x0, y0) in &pos {
            let st = window_stats(a, b, w, h, &k, x0, y0, false);
            let (sx, sy) = (st.vx.max(0.0).sqrt(), st.vy.max(0.0).sqrt());
            let lum = (2.0 * st.mx * st.my + c1) / (st.mx * st.mx + st.my * st.my + c1);
            let c = (2.0 * sx * sy + c2) / (st.vx + st.vy + c2);
            let sv = (st.cxy + c3) / (sx * sy + c3);
            s += lum.powf(alpha) + c.powf(beta) * sv.powf(gamma);
        }
        total += lambda * s / pos.len() as f64;
    }
    total / levels.len() as f64
}

fn channel(v: &[u8], c: usize, ch: usize) -> Vec<f64> {
    v.iter().skip(ch).step_by(c).map(|&p| p as f64).collect()
}

fn close(a: f64, b: f64, tol: f64, what: &str) {
    assert!((a - b).abs() <= tol, "{what}: {a} vs {b} (diff {:e} > {tol:e})", (a - b).abs());
}

/// Every path computes in f64: held to 1e-12 of the reference.
const TOL: f64 = 1e-12;

const CASES: [(usize, usize); 3] = [(32, 24), (23, 19), (11, 13)];

#[test]
fn ssim_matches_the_reference_in_every_mode() {
    for &(w, h) in &CASES {
        let (xa, ya) = (image(w, h, 3, 1), image(w, h, 3, 2));
        let (x, y) = (Image::new(Pixels::U8(&xa), w, h, 3).unwrap(), Image::new(Pixels::U8(&ya), w, h, 3).unwrap());
        for window in [Window::Gaussian { size: 11, sigma: 1.5 }, Window::Box { size: 7 }, Window::Gaussian { size: 5, sigma: 0.8 }] {
            for border in [Border::Valid, Border::Same] {
                for sample in [false, true] {
                    let p = SsimParams { window, border, sample_covariance: sample, ..Default::default() };
                    let r64 = api::ssim(&x, &y, &p, &Channels::default(), false).unwrap();
                    // Asking for the map must not change a bit of the scores.
                    let with_map = api::ssim(&x, &y, &p, &Channels::default(), true).unwrap();
                    assert_eq!(with_map.channels, r64.channels);
                    let map = with_map.map.unwrap();
                    let map_mean = map.data.iter().map(|&v| v as f64).sum::<f64>() / map.data.len() as f64;
                    close(map_mean, r64.score, 1e-6, "map mean");
                    for ch in 0..3 {
                        let (want, _) = ref_ssim(&channel(&xa, 3, ch), &channel(&ya, 3, ch), w, h, window, border, sample, 255.0);
                        let what = format!("{w}x{h} {window:?} {border:?} sample={sample} ch{ch}");
                        let tol = TOL;
                        close(r64.channels[ch], want, tol, &what);
                    }
                }
            }
        }
    }
}

#[test]
fn identical_images_score_exactly_one_and_two() {
    let (w, h) = (41, 37);
    let xa = image(w, h, 4, 7);
    let x = Image::new(Pixels::U8(&xa), w, h, 4).unwrap();
    let p = SsimParams::default();
    assert_eq!(api::ssim(&x, &x, &p, &Channels::default(), false).unwrap().score, 1.0);
    assert_eq!(api::ssim(&x, &x, &SsimParams { border: Border::Same, ..p }, &Channels::default(), false).unwrap().score, 1.0);
    let small = SsimParams { window: Window::Gaussian { size: 3, sigma: 1.5 }, ..p };
    assert_eq!(api::msssim(&x, &x, &small, &Channels::default(), &Scales::Weights(ssimkit::msssim::WEIGHTS.to_vec())).unwrap().score, 1.0);
    let lw = LwssimParams::default();
    assert_eq!(api::lwssim(&x, &x, &lw, &Channels::default()).unwrap().score, 2.0);
    let lw2 = LwssimParams { alpha: 2.0, beta: 0.5, gamma: 3.0, ..LwssimParams::default() };
    assert_eq!(api::lwssim(&x, &x, &lw2, &Channels::default()).unwrap().score, 2.0);
}

#[test]
fn ssim_is_symmetric_bit_for_bit() {
    let (w, h) = (30, 27);
    let (xa, ya) = (image(w, h, 1, 3), image(w, h, 1, 4));
    let (x, y) = (Image::new(Pixels::U8(&xa), w, h, 1).unwrap(), Image::new(Pixels::U8(&ya), w, h, 1).unwrap());
    let p = SsimParams::default();
    let a = api::ssim(&x, &y, &p, &Channels::default(), false).unwrap().score;
    let b = api::ssim(&y, &x, &p, &Channels::default(), false).unwrap().score;
    assert_eq!(a, b);
    assert!(a < 1.0 && a > 0.0);
}

#[test]
fn lwssim_matches_the_reference() {
    let (w, h) = (29, 24);
    let (xa, ya) = (image(w, h, 1, 5), image(w, h, 1, 6));
    let (x, y) = (Image::new(Pixels::U8(&xa), w, h, 1).unwrap(), Image::new(Pixels::U8(&ya), w, h, 1).unwrap());
    let (a, b) = (channel(&xa, 1, 0), channel(&ya, 1, 0));
    for (levels, alpha, beta, gamma) in [
        (vec![(3, 1.0), (5, 1.0), (7, 1.0), (9, 1.0), (11, 1.0)], 1.0, 1.0, 1.0),
        (vec![(3, 0.25), (7, 1.5)], 1.0, 1.0, 1.0),
        (vec![(5, 1.0), (9, 2.0)], 2.0, 0.5, 3.0),
    ] {
        let p = LwssimParams {
            levels: levels.iter().map(|&(n, l)| (Window::Box { size: n }, l)).collect(),
            alpha,
            beta,
            gamma,
            ..Default::default()
        };
        let want = ref_lwssim(&a, &b, w, h, &levels, alpha, beta, gamma, 255.0);
        close(api::lwssim(&x, &y, &p, &Channels::default()).unwrap().score, want, 1e-12, "lwssim f64");
        close(api::lwssim(&x, &y, &p, &Channels::default()).unwrap().score, want, 4e-6, "lwssim f32");
    }
}

#[test]
fn msssim_is_the_weighted_product_of_reference_terms() {
    // 48x40 with a 5-tap window fits 4 scales: 48x40, 24x20, 12x10, 6x5.
    let (w, h) = (48, 40);
    let (xa, ya) = (image(w, h, 1, 8), image(w, h, 1, 9));
    let (x, y) = (Image::new(Pixels::U8(&xa), w, h, 1).unwrap(), Image::new(Pixels::U8(&ya), w, h, 1).unwrap());
    let window = Window::Gaussian { size: 5, sigma: 1.0 };
    let p = SsimParams { window, ..Default::default() };
    assert_eq!(ssimkit::msssim::max_scales(w, h, 5), 4);
    let weights = [0.1, 0.2, 0.3, 0.4];
    let got = api::msssim(&x, &y, &p, &Channels::default(), &Scales::Weights(weights.to_vec())).unwrap().score;
    let (mut a, mut b, mut cw, mut ch) = (channel(&xa, 1, 0), channel(&ya, 1, 0), w, h);
    let mut want = 1.0;
    for (s, wt) in weights.iter().enumerate() {
        let (ss, cs) = ref_ssim(&a, &b, cw, ch, window, Border::Valid, false, 255.0);
        want *= if s + 1 == weights.len() { ss.max(0.0) } else { cs.max(0.0) }.powf(*wt);
        // 2x2 means; these sizes are even at every scale used.
        let half = |v: &[f64]| -> Vec<f64> {
            (0..ch / 2).flat_map(|i| (0..cw / 2).map(move |j| (i, j))).map(|(i, j)| {
                (v[2 * i * cw + 2 * j] + v[2 * i * cw + 2 * j + 1] + v[(2 * i + 1) * cw + 2 * j] + v[(2 * i + 1) * cw + 2 * j + 1]) / 4.0
            }).collect()
        };
        a = half(&a);
        b = half(&b);
        cw /= 2;
        ch /= 2;
    }
    // The full-resolution scale reads the 8-bit images: the f32 path.
    close(got, want, TOL, "msssim");
}

#[test]
fn odd_sizes_pad_by_repeating_the_last_sample() {
    let p = ssimkit::Plane::new(3, 3, vec![1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]);
    let d = ssimkit::msssim::downsample2(&p);
    assert_eq!((d.width, d.height), (2, 2));
    assert_eq!(d.data, vec![3.0, 4.5, 7.5, 9.0]);
}

#[test]
fn too_small_for_five_scales_is_an_error_and_auto_uses_fewer() {
    let (w, h) = (100, 90);
    let xa = image(w, h, 1, 1);
    let ya = image(w, h, 1, 2);
    let (x, y) = (Image::new(Pixels::U8(&xa), w, h, 1).unwrap(), Image::new(Pixels::U8(&ya), w, h, 1).unwrap());
    let p = SsimParams::default();
    let err = api::msssim(&x, &y, &p, &Channels::default(), &Scales::Weights(ssimkit::msssim::WEIGHTS.to_vec())).unwrap_err();
    assert!(err.to_string().contains("too small"), "{err}");
    // 100x90 -> 50x45 -> 25x23 -> 13x12: 4 scales hold an 11x11 window.
    let auto = api::msssim(&x, &y, &p, &Channels::default(), &Scales::Auto).unwrap().score;
    let four = api::msssim(&x, &y, &p, &Channels::default(), &Scales::Weights(ssimkit::msssim::standard_weights(4))).unwrap().score;
    assert_eq!(auto, four);
}

#[test]
fn auto_on_an_image_that_holds_five_scales_is_the_default_call() {
    // 176x176 -> 88 -> 44 -> 22 -> 11: the fifth scale just holds the window.
    let (w, h) = (176, 176);
    let xa = image(w, h, 3, 5);
    // y: x with some noise, so every scale's cs stays well above 0.
    let ya: Vec<u8> = xa.iter().zip(image(w, h, 3, 6)).map(|(a, n)| a.saturating_add(n / 8)).collect();
    let (x, y) = (Image::new(Pixels::U8(&xa), w, h, 3).unwrap(), Image::new(Pixels::U8(&ya), w, h, 3).unwrap());
    let p = SsimParams::default();
    let default = api::msssim(&x, &y, &p, &Channels::default(), &Scales::Weights(ssimkit::msssim::WEIGHTS.to_vec())).unwrap();
    let auto = api::msssim(&x, &y, &p, &Channels::default(), &Scales::Auto).unwrap();
    assert!(default.score < 1.0, "the pair must differ for the check to mean anything");
    assert_eq!(auto.score.to_bits(), default.score.to_bits());
    // The published weights sum to 1.0001: renormalising them moves the score.
    let renormalised: Vec<f64> = ssimkit::msssim::WEIGHTS.iter().map(|v| v / 1.0001).collect();
    let moved = api::msssim(&x, &y, &p, &Channels::default(), &Scales::Weights(renormalised)).unwrap();
    assert_ne!(moved.score.to_bits(), auto.score.to_bits());
}

#[test]
fn luma_and_alpha_select_the_planes() {
    let (w, h) = (20, 20);
    let xa = image(w, h, 4, 11);
    let mut ya = xa.clone();
    for px in ya.chunks_mut(4) {
        px[3] = 255 - px[3]; // only alpha differs
    }
    let (x, y) = (Image::new(Pixels::U8(&xa), w, h, 4).unwrap(), Image::new(Pixels::U8(&ya), w, h, 4).unwrap());
    let p = SsimParams::default();
    assert_eq!(api::ssim(&x, &y, &p, &Channels::default(), false).unwrap().score, 1.0);
    let with_alpha = api::ssim(&x, &y, &p, &Channels { alpha: true, ..Default::default() }, false).unwrap();
    assert_eq!(with_alpha.channels.len(), 4);
    assert!(with_alpha.score < 1.0);
    let luma = api::ssim(&x, &y, &p, &Channels { color: Color::Luma, ..Default::default() }, false).unwrap();
    assert_eq!(luma.channels, vec![1.0]);
}

#[test]
fn matlab_factor_follows_round_of_min_side() {
    assert_eq!(ssimkit::matlab::factor(383, 1000), 1);
    assert_eq!(ssimkit::matlab::factor(384, 1000), 2);
    assert_eq!(ssimkit::matlab::factor(1920, 1080), 4);
}

#[test]
fn bad_shapes_are_errors_not_panics() {
    let a = vec![0u8; 16];
    assert!(Image::new(Pixels::U8(&a), 2, 2, 4).is_ok());
    assert!(Image::new(Pixels::U8(&a), 3, 2, 4).is_err());
    assert!(Image::new(Pixels::U8(&a), 0, 2, 4).is_err());
    assert!(Image::new(Pixels::U8(&a), usize::MAX, 2, 4).is_err());
    let x = Image::new(Pixels::U8(&a[..12]), 2, 2, 3).unwrap();
    let e = api::ssim(&x, &x, &SsimParams::default(), &Channels::default(), false).unwrap_err();
    assert!(e.to_string().contains("does not fit"), "{e}");
}

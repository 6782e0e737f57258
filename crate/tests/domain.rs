//! Every row of the domain table (crate/src/domain.rs, issue 8's spec) is
//! checked by the Rust entry points themselves: a value outside it is an
//! `Error::Range` whose text names the option and its range, never NaN, a
//! hang or a panic.

use ssimkit::api::{self, Channels, Scales};
use ssimkit::loss::{self, Batch, Layout, LossKind, LossSpec, Structure, L1};
use ssimkit::scorer::{Metric, Scorer};
use ssimkit::{Error, Image, LwssimParams, Pixels, SsimParams, Window};

fn range_err<T: std::fmt::Debug>(r: Result<T, Error>, want: &str) {
    match r {
        Err(Error::Range(m)) => assert!(m.contains(want), "message {m:?} does not contain {want:?}"),
        other => panic!("expected Error::Range containing {want:?}, got {other:?}"),
    }
}

const W: usize = 16;
const H: usize = 12;

fn data(c: usize) -> Vec<f32> {
    (0..W * H * c).map(|i| ((i * 37) % 101) as f32 / 100.0).collect()
}

#[test]
fn ssim_options_outside_their_domain_are_range_errors() {
    let d = data(3);
    let x = Image::new(Pixels::F32(&d), W, H, 3).unwrap();
    let ch = Channels::default();
    let bad: Vec<(SsimParams, &str)> = vec![
        (SsimParams { k1: 0.0, ..Default::default() }, "k1 must be a finite number in [1e-6, 1e6], got 0"),
        (SsimParams { k1: f64::NAN, ..Default::default() }, "k1 must be a finite number in [1e-6, 1e6], got NaN"),
        (SsimParams { k2: 1e200, ..Default::default() }, "k2 must be a finite number in [1e-6, 1e6]"),
        (SsimParams { k2: 1e-300, ..Default::default() }, "k2 must be"),
        (SsimParams { window: Window::Gaussian { size: 11, sigma: 1e-300 }, ..Default::default() }, "sigma must be a finite number in [1e-3, 1e3]"),
        (SsimParams { window: Window::Gaussian { size: 11, sigma: f64::INFINITY }, ..Default::default() }, "sigma must be"),
        (SsimParams { window: Window::Box { size: 4 }, ..Default::default() }, "size must be an odd integer >= 1, got 4"),
        (SsimParams { window: Window::Box { size: 0 }, ..Default::default() }, "size must be an odd integer >= 1, got 0"),
        (SsimParams { window: Window::Box { size: 13 }, ..Default::default() }, "does not fit a 16x12 image"),
        (SsimParams { window: Window::Box { size: usize::MAX }, ..Default::default() }, "does not fit"),
        (SsimParams { window: Window::Box { size: 1 }, sample_covariance: true, ..Default::default() }, "sample covariance"),
    ];
    for (p, want) in bad {
        range_err(api::ssim(&x, &x, &p, &ch, false), want);
        range_err(api::msssim(&x, &x, &p, &ch, &Scales::Auto), want);
        range_err(Scorer::new(Metric::Ssim(p), Pixels::F32(&[]), W, H, 3, ch).map(|_| ()), want);
    }
    for l in [0.0, -1.0, 1e-7, 2e12, f64::NAN, f64::INFINITY] {
        let ch = Channels { data_range: Some(l), ..Default::default() };
        range_err(api::ssim(&x, &x, &SsimParams::default(), &ch, false), "dataRange must be a finite number in [1e-6, 1e12]");
        range_err(api::ssim_matlab(&x, &x, &SsimParams::default(), Some(l), false), "dataRange must be");
    }
}

#[test]
fn pixels_far_outside_the_data_range_or_not_finite_are_errors() {
    let mut d = data(1);
    let ch = Channels::default();
    d[5] = 65535.0;
    let x = Image::new(Pixels::F32(&d), W, H, 1).unwrap();
    let ok = data(1);
    let y = Image::new(Pixels::F32(&ok), W, H, 1).unwrap();
    range_err(api::ssim(&x, &y, &SsimParams::default(), &ch, false), "more than 64 x dataRange");
    range_err(api::ssim(&y, &x, &SsimParams::default(), &ch, false), "pass the data's real range as dataRange");
    assert!(api::ssim(&x, &y, &SsimParams::default(), &Channels { data_range: Some(65535.0), ..ch }, false).is_ok());
    d[5] = f32::NAN;
    let x = Image::new(Pixels::F32(&d), W, H, 1).unwrap();
    range_err(api::lwssim(&x, &y, &LwssimParams::default(), &ch), "non-finite");
    // 8-bit pixels with a data range of 1: 255 > 64.
    let b = vec![200u8; W * H];
    let xb = Image::new(Pixels::U8(&b), W, H, 1).unwrap();
    range_err(api::ssim(&xb, &xb, &SsimParams::default(), &Channels { data_range: Some(1.0), ..ch }, false), "more than 64 x dataRange");
    // The scorer checks every band.
    let mut s = Scorer::new(Metric::Ssim(SsimParams::default()), Pixels::F32(&[]), W, H, 1, ch).unwrap();
    range_err(s.feed(Pixels::F32(&d[..W]), Pixels::F32(&ok[..W])), "non-finite");
}

#[test]
fn lwssim_options_outside_their_domain_are_range_errors() {
    let d = data(1);
    let x = Image::new(Pixels::F32(&d), W, H, 1).unwrap();
    let ch = Channels::default();
    let base = LwssimParams::default();
    let bad: Vec<(LwssimParams, &str)> = vec![
        (LwssimParams { levels: vec![], ..base.clone() }, "LWSSIM levels must hold 1 to 32 window sizes, got 0"),
        (LwssimParams { levels: vec![(Window::Box { size: 3 }, 1.0); 33], ..base.clone() }, "got 33"),
        (LwssimParams { levels: vec![(Window::Box { size: 3 }, 0.0); 3], ..base.clone() }, "LWSSIM weights must not all be 0"),
        (LwssimParams { levels: vec![(Window::Box { size: 3 }, -1.0)], ..base.clone() }, "weights[0] must be a finite number in [0, 1e6]"),
        (LwssimParams { levels: vec![(Window::Box { size: 3 }, 1.0), (Window::Box { size: 2 }, 1.0)], ..base.clone() }, "levels[1] must be an odd integer"),
        (LwssimParams { levels: vec![(Window::Box { size: 15 }, 1.0)], ..base.clone() }, "levels[0] 15: a 15x15 window does not fit"),
        (LwssimParams { alpha: 1e300, ..base.clone() }, "alpha must be a finite number in [0, 64]"),
        (LwssimParams { beta: -0.5, ..base.clone() }, "beta must be"),
        (LwssimParams { gamma: 65.0, ..base.clone() }, "gamma must be"),
        (LwssimParams { gamma: 1.5, ..base.clone() }, "gamma must be an integer in [0, 64]"),
        (LwssimParams { k1: 0.0, ..base.clone() }, "k1 must be"),
    ];
    for (p, want) in bad {
        range_err(api::lwssim(&x, &x, &p, &ch), want);
        range_err(Scorer::new(Metric::Lwssim(p.clone()), Pixels::F32(&[]), W, H, 1, ch).map(|_| ()), want);
    }
    // A non-integer alpha needs every pixel of both images >= 0, whichever comes first.
    let mut n = data(1);
    n[7] = -0.25;
    let neg = Image::new(Pixels::F32(&n), W, H, 1).unwrap();
    let p = LwssimParams { alpha: 0.5, ..base };
    range_err(api::lwssim(&x, &neg, &p, &ch), "must be >= 0");
    range_err(api::lwssim(&neg, &x, &p, &ch), "must be >= 0");
    assert!(api::lwssim(&x, &x, &p, &ch).is_ok());
}

#[test]
fn msssim_weights_outside_their_domain_are_range_errors() {
    let d = data(1);
    let x = Image::new(Pixels::F32(&d), W, H, 1).unwrap();
    let p = SsimParams { window: Window::Box { size: 1 }, ..Default::default() };
    let ch = Channels::default();
    for (w, want) in [
        (vec![], "MS-SSIM weights must hold 1 to 16 values"),
        (vec![1.0; 17], "got 17"),
        (vec![0.0, 0.0], "must not all be 0"),
        (vec![1.0, f64::NAN], "weights[1] must be a finite number in [0, 64]"),
        (vec![65.0], "weights[0] must be"),
    ] {
        range_err(api::msssim(&x, &x, &p, &ch, &Scales::Weights(w)), want);
    }
    let big = SsimParams::default();
    range_err(api::msssim(&x, &x, &big, &ch, &Scales::Weights(vec![0.5, 0.5])), "too small for 2 MS-SSIM scales with a 11x11 window");
}

#[test]
fn loss_options_and_values_outside_their_domain_are_range_errors() {
    let d = data(2);
    let b = Batch::new(&d, 1, H, W, 2, Layout::Nhwc).unwrap();
    let spec = |kind| LossSpec { kind, ssim: SsimParams { window: Window::Box { size: 3 }, ..Default::default() }, data_range: 1.0 };
    let dssim = |alpha, beta| LossKind::DssimMae { structure: Structure::Ssim, alpha, beta, l1: L1::Plain };
    range_err(loss::loss(&b, &b, &spec(dssim(0.0, 0.0)), true), "alpha and beta must not both be 0");
    range_err(loss::loss(&b, &b, &spec(dssim(-1.0, 0.2)), true), "alpha must be a finite number in [0, 1e6]");
    range_err(loss::loss(&b, &b, &spec(dssim(0.8, 2e6)), true), "beta must be");
    range_err(loss::loss(&b, &b, &spec(LossKind::Structural(Structure::Msssim(vec![1.0; 6]))), true), "too small for 6 MS-SSIM scales");
    range_err(loss::loss(&b, &b, &spec(LossKind::Lwssim(LwssimParams { gamma: 0.5, ..Default::default() })), true), "gamma must be an integer");
    range_err(loss::loss(&b, &b, &LossSpec { data_range: 1e300, ..spec(dssim(0.8, 0.2)) }, true), "dataRange must be");
    let mut n = d.clone();
    n[3] = f32::INFINITY;
    let bn = Batch::new(&n, 1, H, W, 2, Layout::Nhwc).unwrap();
    range_err(loss::loss(&bn, &b, &spec(dssim(0.8, 0.2)), true), "the prediction holds a non-finite value");
    range_err(loss::loss(&b, &bn, &spec(dssim(0.8, 0.2)), true), "the target holds a non-finite value");
    // Wild but finite values are accepted, with finite results.
    let wild: Vec<f32> = d.iter().enumerate().map(|(i, v)| if i % 7 == 0 { 3e38 } else { -v * 1e30 }).collect();
    let bw = Batch::new(&wild, 1, H, W, 2, Layout::Nhwc).unwrap();
    for kind in [dssim(0.8, 0.2), LossKind::Structural(Structure::Msssim(vec![0.5, 0.5])), LossKind::Lwssim(LwssimParams { beta: 0.5, gamma: 3.0, ..Default::default() })] {
        let r = loss::loss(&bw, &b, &spec(kind), true).unwrap();
        assert!(r.loss.is_finite());
        assert!(r.grad.unwrap().iter().all(|g| g.is_finite()));
    }
}

#[test]
fn shapes_outside_their_domain_are_errors() {
    range_err(Image::new(Pixels::F32(&[]), 0, 5, 1), "image is empty");
    range_err(Image::new(Pixels::F32(&[0.0; 5]), 1, 5, 5), "channels must be 1, 2, 3 or 4, got 5");
    range_err(Image::check_shape(8193, 8193, 1), "more than 67108864 (2^26) pixels");
    range_err(Scorer::new(Metric::Ssim(SsimParams::default()), Pixels::U8(&[]), 1 << 14, 1 << 13, 1, Channels::default()).map(|_| ()), "2^26");
}

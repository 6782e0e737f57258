//! Images of different channel counts and bit depths compare by the rules
//! of `pairing`: each mixed pair scores exactly what the equal pair built
//! by hand from the rule scores (alpha stripped, an opaque alpha added,
//! colour made luma, 8-bit made 16-bit by 257 v).

use ssimkit::api::{self, Channels, Scales, Score};
use ssimkit::lwssim::lwssim_plane;
use ssimkit::msssim::msssim_plane;
use ssimkit::scorer::{Metric, Scorer};
use ssimkit::ssim::ssim_plane;
use ssimkit::{Border, Color, Error, Image, LwssimParams, Pixels, Plane, SsimParams, Window};

const W: usize = 170;
const H: usize = 166;

fn noise(n: usize, seed: u32, top: u32) -> Vec<u32> {
    let mut s = seed;
    (0..n)
        .map(|i| {
            s = s.wrapping_mul(1664525).wrapping_add(1013904223);
            // Structure (a ramp) plus noise, so scores are far from 1.
            ((i as u32 % 211) * (top / 211) + (s >> 8) % (top / 3)) % (top + 1)
        })
        .collect()
}

fn u8s(n: usize, seed: u32) -> Vec<u8> {
    noise(n, seed, 255).into_iter().map(|v| v as u8).collect()
}

/// Channels `keep` of each pixel of a `c`-channel image, then `extra` more
/// per pixel if given.
fn remap<T: Copy>(d: &[T], c: usize, keep: &[usize], extra: Option<T>) -> Vec<T> {
    d.chunks(c).flat_map(|px| keep.iter().map(|&k| px[k]).chain(extra)).collect()
}

/// Every metric, both borders: (name, score of x vs y).
fn scores(x: &Image, y: &Image, ch: &Channels) -> Vec<(String, Result<Score, Error>)> {
    let mut out = Vec::new();
    for border in [Border::Valid, Border::Same] {
        let p = SsimParams { border, ..Default::default() };
        out.push((format!("ssim {border:?}"), api::ssim(x, y, &p, ch, false)));
        out.push((format!("ssim map {border:?}"), api::ssim(x, y, &p, ch, true)));
        let bp = SsimParams { window: Window::Box { size: 7 }, sample_covariance: true, border, ..Default::default() };
        out.push((format!("ssim box {border:?}"), api::ssim(x, y, &bp, ch, false)));
        out.push((format!("msssim {border:?}"), api::msssim(x, y, &p, ch, &Scales::Weights(vec![0.2, 0.3, 0.5]))));
        let lp = LwssimParams { border, ..Default::default() };
        out.push((format!("lwssim {border:?}"), api::lwssim(x, y, &lp, ch)));
        // Streamed in bands of 23 rows: the same bits as whole images.
        out.push((format!("scorer ssim {border:?}"), banded(Metric::Ssim(p), x, y, ch)));
        out.push((format!("scorer lwssim {border:?}"), banded(Metric::Lwssim(lp), x, y, ch)));
    }
    out.push(("matlab".into(), api::ssim_matlab(x, y, &SsimParams::default(), ch.data_range, true)));
    out
}

fn empty(p: &Pixels) -> Pixels<'static> {
    match p {
        Pixels::U8(_) => Pixels::U8(&[]),
        Pixels::U16(_) => Pixels::U16(&[]),
        Pixels::F32(_) => Pixels::F32(&[]),
    }
}

fn rows<'a>(p: &Pixels<'a>, a: usize, b: usize) -> Pixels<'a> {
    match *p {
        Pixels::U8(d) => Pixels::U8(&d[a..b]),
        Pixels::U16(d) => Pixels::U16(&d[a..b]),
        Pixels::F32(d) => Pixels::F32(&d[a..b]),
    }
}

fn banded(m: Metric, x: &Image, y: &Image, ch: &Channels) -> Result<Score, Error> {
    let mut s = Scorer::pair(m, (empty(&x.pixels), x.channels), (empty(&y.pixels), y.channels), x.width, x.height, *ch)?;
    let (rx, ry) = (x.width * x.channels, y.width * y.channels);
    for r0 in (0..x.height).step_by(23) {
        let r1 = (r0 + 23).min(x.height);
        s.feed(rows(&x.pixels, r0 * rx, r1 * rx), rows(&y.pixels, r0 * ry, r1 * ry))?;
    }
    s.finish()
}

/// Score, channels and map of every metric: the same bits.
fn same(got: &[(String, Result<Score, Error>)], want: &[(String, Result<Score, Error>)], what: &str) {
    for ((name, g), (_, w)) in got.iter().zip(want) {
        let (g, w) = (g.as_ref().unwrap(), w.as_ref().unwrap());
        assert_eq!(g.score.to_bits(), w.score.to_bits(), "{what}: {name}: {} vs {}", g.score, w.score);
        assert_eq!(g.channels, w.channels, "{what}: {name}");
        assert_eq!(g.map, w.map, "{what}: {name}");
        // Far from identical images' score (LWSSIM's is 2), or the test could not fail.
        let top = if name.contains("lwssim") { 2.0 } else { 1.0 };
        assert!(g.score < top - 1e-3, "{what}: {name}: {}", g.score);
    }
}

fn img<'a>(p: Pixels<'a>, c: usize) -> Image<'a> {
    Image::new(p, W, H, c).unwrap()
}

#[test]
fn rgb_against_rgba_compares_the_colour_planes() {
    let (a, b) = (u8s(W * H * 4, 1), u8s(W * H * 4, 2));
    let b3 = remap(&b, 4, &[0, 1, 2], None);
    for color in [Color::Rgb, Color::Luma] {
        let ch = Channels { color, ..Default::default() };
        let want = scores(&img(Pixels::U8(&a), 4), &img(Pixels::U8(&b3), 3), &Channels { alpha: true, ..ch });
        // includeAlpha on RGBA vs RGB: against an opaque alpha (255).
        let a_opaque = remap(&a, 4, &[0, 1, 2], Some(255));
        let b_opaque = remap(&b, 4, &[0, 1, 2], Some(255));
        let with = |x: &[u8], y: &[u8]| scores(&img(Pixels::U8(x), 4), &img(Pixels::U8(y), 4), &Channels { alpha: true, ..ch });
        let a3 = remap(&a, 4, &[0, 1, 2], None);
        // Without alpha: RGBA vs RGB = RGB vs RGB, either way round.
        same(&scores(&img(Pixels::U8(&a), 4), &img(Pixels::U8(&b3), 3), &ch), &scores(&img(Pixels::U8(&a3), 3), &img(Pixels::U8(&b3), 3), &ch), "rgba-rgb");
        same(&scores(&img(Pixels::U8(&b3), 3), &img(Pixels::U8(&a), 4), &ch), &scores(&img(Pixels::U8(&b3), 3), &img(Pixels::U8(&a3), 3), &ch), "rgb-rgba");
        // With alpha.
        same(&want, &with(&a, &b_opaque), "rgba-rgb alpha");
        same(&scores(&img(Pixels::U8(&a3), 3), &img(Pixels::U8(&b), 4), &Channels { alpha: true, ..ch }), &with(&a_opaque, &b), "rgb-rgba alpha");
        let n = if color == Color::Rgb { 4 } else { 2 };
        assert_eq!(want[0].1.as_ref().unwrap().channels.len(), n);
    }
}

#[test]
fn opaque_is_the_data_range_for_every_pixel_type() {
    let (a, b) = (noise(W * H * 2, 3, 65535), noise(W * H * 2, 4, 65535));
    let a16: Vec<u16> = a.iter().map(|&v| v as u16).collect();
    let b16: Vec<u16> = remap(&b, 2, &[0], None).iter().map(|&v| v as u16).collect();
    let b16o: Vec<u16> = remap(&b16, 1, &[0], Some(65535));
    let ch = Channels { alpha: true, ..Default::default() };
    same(&scores(&img(Pixels::U16(&a16), 2), &img(Pixels::U16(&b16), 1), &ch), &scores(&img(Pixels::U16(&a16), 2), &img(Pixels::U16(&b16o), 2), &ch), "u16 gray");
    let af: Vec<f32> = a.iter().map(|&v| v as f32 / 65535.0).collect();
    let bf: Vec<f32> = b16.iter().map(|&v| v as f32 / 65535.0).collect();
    for (l, top) in [(None, 1.0f32), (Some(3.0), 3.0)] {
        let bfo = remap(&bf, 1, &[0], Some(top));
        let ch = Channels { data_range: l, ..ch };
        same(&scores(&img(Pixels::F32(&af), 2), &img(Pixels::F32(&bf), 1), &ch), &scores(&img(Pixels::F32(&af), 2), &img(Pixels::F32(&bfo), 2), &ch), "f32 gray");
    }
}

/// x and y as f64 planes divided by L, built here from the rule.
fn plane(v: Vec<f64>) -> Plane<f64> {
    Plane::new(W, H, v)
}

#[test]
fn gray_against_colour_compares_the_luma() {
    let (g, c) = (u8s(W * H, 5), u8s(W * H * 4, 6));
    let luma: Vec<f64> = c.chunks(4).map(|p| (0.299 * p[0] as f64 + 0.587 * p[1] as f64 + 0.114 * p[2] as f64) / 255.0).collect();
    let gray: Vec<f64> = g.iter().map(|&v| v as f64 / 255.0).collect();
    let (gp, lp) = (plane(gray), plane(luma));
    for color in [Color::Rgb, Color::Luma] {
        let ch = Channels { color, ..Default::default() };
        for border in [Border::Valid, Border::Same] {
            let p = SsimParams { border, ..Default::default() };
            for cc in [3, 4] {
                let c3 = remap(&c, 4, &(0..cc).collect::<Vec<_>>(), None);
                let (x, y) = (img(Pixels::U8(&g), 1), img(Pixels::U8(&c3), cc));
                let r = api::ssim(&x, &y, &p, &ch, false).unwrap();
                assert_eq!(r.channels.len(), 1);
                assert_eq!(r.score, ssim_plane(&gp, &lp, &p, false).ssim, "{border:?} {cc}");
                assert_eq!(api::ssim(&y, &x, &p, &ch, false).unwrap().score, ssim_plane(&lp, &gp, &p, false).ssim);
                let w = [0.2, 0.3, 0.5];
                assert_eq!(api::msssim(&x, &y, &p, &ch, &Scales::Weights(w.to_vec())).unwrap().score, msssim_plane(&gp, &lp, &p, &w));
                let l = LwssimParams { border, ..Default::default() };
                assert_eq!(api::lwssim(&x, &y, &l, &ch).unwrap().score, lwssim_plane(&gp, &lp, &l));
            }
        }
    }
}

#[test]
fn eight_bit_against_sixteen_bit_is_sixteen_bit_times_257() {
    let (a, b) = (u8s(W * H * 4, 7), noise(W * H * 4, 8, 65535));
    let b16: Vec<u16> = b.iter().map(|&v| v as u16).collect();
    let a16: Vec<u16> = a.iter().map(|&v| v as u16 * 257).collect();
    for (ca, cb) in [(3, 3), (4, 3), (1, 4), (3, 2), (2, 2)] {
        let a_c = remap(&a, 4, &(0..ca).collect::<Vec<_>>(), None);
        let a16_c = remap(&a16, 4, &(0..ca).collect::<Vec<_>>(), None);
        let b_c = remap(&b16, 4, &(0..cb).collect::<Vec<_>>(), None);
        for ch in [Channels::default(), Channels { color: Color::Luma, alpha: true, data_range: None }, Channels { alpha: true, data_range: Some(65535.0), ..Default::default() }] {
            let want = scores(&img(Pixels::U16(&a16_c), ca), &img(Pixels::U16(&b_c), cb), &ch);
            same(&scores(&img(Pixels::U8(&a_c), ca), &img(Pixels::U16(&b_c), cb), &ch), &want, &format!("{ca} vs {cb} {ch:?}"));
            let want = scores(&img(Pixels::U16(&b_c), cb), &img(Pixels::U16(&a16_c), ca), &ch);
            same(&scores(&img(Pixels::U16(&b_c), cb), &img(Pixels::U8(&a_c), ca), &ch), &want, &format!("{cb} vs {ca} {ch:?}"));
        }
    }
}

#[test]
fn mixes_the_rules_refuse() {
    let (a, b) = (u8s(W * H * 3, 9), vec![0u16; W * H * 3]);
    let (x, y) = (img(Pixels::U8(&a), 3), img(Pixels::U16(&b), 3));
    let f = vec![0.5f32; W * H * 3];
    let fi = img(Pixels::F32(&f), 3);
    let p = SsimParams::default();
    let l255 = Channels { data_range: Some(255.0), ..Default::default() };
    for (r, want) in [
        (api::ssim(&x, &y, &p, &l255, false), "so dataRange is 65535; got dataRange 255"),
        (api::msssim(&y, &x, &p, &l255, &Scales::Auto), "so dataRange is 65535"),
        (api::ssim_matlab(&x, &y, &p, Some(255.0), false), "so dataRange is 65535"),
        (api::lwssim(&fi, &x, &LwssimParams::default(), &Channels::default()), "is float and the distorted one 8-bit: scale the integers"),
        (api::ssim(&y, &fi, &p, &Channels::default(), false), "is 16-bit and the distorted one float"),
        (Scorer::pair(Metric::Ssim(p), (Pixels::U8(&[]), 3), (Pixels::U16(&[]), 4), W, H, l255).map(|mut s| s.finish().unwrap()), "so dataRange is 65535"),
    ] {
        let e = r.unwrap_err().to_string();
        assert!(e.contains(want), "{e}");
    }
    let small = Image::new(Pixels::U8(&a[..(W - 1) * H * 3]), W - 1, H, 3).unwrap();
    assert!(api::ssim(&x, &small, &p, &Channels::default(), false).unwrap_err().to_string().contains("differ in size"));
    // A band of the wrong type or row count for either image.
    let mut s = Scorer::pair(Metric::Ssim(p), (Pixels::U8(&[]), 3), (Pixels::U16(&[]), 1), W, H, Channels::default()).unwrap();
    assert!(s.feed(Pixels::U8(&a[..W * 3]), Pixels::U8(&a[..W])).is_err());
    assert!(s.feed(Pixels::U8(&a[..W * 3]), Pixels::U16(&b[..2 * W])).is_err());
    assert!(s.feed(Pixels::U8(&a[..W * 3]), Pixels::U16(&b[..W])).is_ok());
}

mod properties {
    //! Random mixed pairs (sizes, channel counts 1..4 each, 8/16-bit either
    //! way round or float, colour and alpha options): every accepted pair
    //! scores within the bounds, swapping the images gives the same bits,
    //! the scorer gives the whole-image bits, and an 8-bit image against its
    //! own 16-bit copy (257 v) is identical: SSIM 1, LWSSIM 2.
    use super::*;
    use proptest::prelude::*;

    fn vals(n: usize, seed: u64, top: u32) -> Vec<u32> {
        let mut s = seed | 1;
        (0..n)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                (s % (top as u64 + 1)) as u32
            })
            .collect()
    }

    enum Data {
        U8(Vec<u8>),
        U16(Vec<u16>),
        F32(Vec<f32>),
    }

    impl Data {
        fn new(kind: u8, n: usize, seed: u64) -> Self {
            match kind {
                0 => Data::U8(vals(n, seed, 255).into_iter().map(|v| v as u8).collect()),
                1 => Data::U16(vals(n, seed, 65535).into_iter().map(|v| v as u16).collect()),
                _ => Data::F32(vals(n, seed, 1000).into_iter().map(|v| v as f32 / 1000.0).collect()),
            }
        }
        fn pixels(&self) -> Pixels<'_> {
            match self {
                Data::U8(d) => Pixels::U8(d),
                Data::U16(d) => Pixels::U16(d),
                Data::F32(d) => Pixels::F32(d),
            }
        }
    }

    proptest! {
        // PROPTEST_CASES=N for a long run (as tests/properties.rs).
        #![proptest_config(ProptestConfig {
            cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64),
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        #[test]
        fn mixed_pairs_keep_the_contract(w in 11usize..40, h in 11usize..40, cx in 1usize..=4, cy in 1usize..=4,
            kinds in prop_oneof![Just((0u8, 1u8)), Just((1, 0)), Just((0, 0)), Just((2, 2))],
            luma in any::<bool>(), alpha in any::<bool>(), same_border in any::<bool>(), seed in any::<u64>()) {
            let (a, b) = (Data::new(kinds.0, w * h * cx, seed), Data::new(kinds.1, w * h * cy, seed ^ 0x9e37));
            let (x, y) = (Image::new(a.pixels(), w, h, cx).unwrap(), Image::new(b.pixels(), w, h, cy).unwrap());
            let ch = Channels { color: if luma { Color::Luma } else { Color::Rgb }, alpha, data_range: None };
            let border = if same_border { Border::Same } else { Border::Valid };
            let p = SsimParams { border, ..Default::default() };
            let lp = LwssimParams { border, ..Default::default() };
            let s = api::ssim(&x, &y, &p, &ch, true).unwrap();
            prop_assert!(s.score.is_finite() && (-1.0..=1.0).contains(&s.score));
            prop_assert!(s.map.as_ref().unwrap().data.iter().all(|v| (-1.0..=1.0).contains(v)));
            let t = api::ssim(&y, &x, &p, &ch, false).unwrap();
            prop_assert_eq!((s.score.to_bits(), &s.channels), (t.score.to_bits(), &t.channels));
            let gray = |c: usize| c < 3;
            let planes = if gray(cx) != gray(cy) || gray(cx) || luma { 1 } else { 3 } + usize::from(alpha && (cx % 2 == 0 || cy % 2 == 0));
            prop_assert_eq!(s.channels.len(), planes);
            prop_assert_eq!(banded(Metric::Ssim(p), &x, &y, &ch).unwrap().channels, s.channels);
            let m = api::msssim(&x, &y, &p, &ch, &Scales::Auto).unwrap();
            prop_assert!((0.0..=1.0).contains(&m.score));
            prop_assert_eq!(m.score.to_bits(), api::msssim(&y, &x, &p, &ch, &Scales::Auto).unwrap().score.to_bits());
            let l = api::lwssim(&x, &y, &lp, &ch).unwrap();
            prop_assert!((-2.0..=2.0).contains(&l.score));
            prop_assert_eq!(&banded(Metric::Lwssim(lp.clone()), &x, &y, &ch).unwrap().channels, &l.channels);
            if let Data::U8(d) = &a {
                let wide: Vec<u16> = d.iter().map(|&v| v as u16 * 257).collect();
                let xw = Image::new(Pixels::U16(&wide), w, h, cx).unwrap();
                prop_assert_eq!(api::ssim(&x, &xw, &p, &ch, false).unwrap().score, 1.0);
                prop_assert_eq!(api::msssim(&xw, &x, &p, &ch, &Scales::Auto).unwrap().score, 1.0);
                prop_assert_eq!(api::lwssim(&x, &xw, &lp, &ch).unwrap().score, 2.0);
            }
        }
    }
}

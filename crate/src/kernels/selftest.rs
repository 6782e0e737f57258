//! The SIMD twins against the scalar reference, on every tail length: run
//! by `cargo test` (SSE2 lanes) and, through the `kernelSelfTest` export,
//! inside the WebAssembly itself (SIMD128 lanes), so each build checks the
//! lanes it actually runs.

use super::{scalar, simd, Chain, Moments4, Moments5, SsimConsts};

fn noise(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64
        })
        .collect()
}

/// Bitwise equality, or which kernel differed and where.
pub fn same(what: &str, a: &[f64], b: &[f64]) -> Result<(), String> {
    match a.iter().zip(b).position(|(p, q)| p.to_bits() != q.to_bits()) {
        None if a.len() == b.len() => Ok(()),
        None => Err(format!("{what}: lengths {} and {}", a.len(), b.len())),
        Some(i) => Err(format!("{what}: output {i} is {} (SIMD) vs {} (scalar)", a[i], b[i])),
    }
}

const HALVES: [&[f64]; 9] = [
    &[1.0],
    &[0.25, 0.5],
    &[0.1, 0.2, 0.4],
    &[0.05, 0.1, 0.2, 0.3],
    &[0.02, 0.05, 0.1, 0.15, 0.36],
    &[0.001, 0.01, 0.03, 0.08, 0.15, 0.2],
    &[0.01, 0.02, 0.05, 0.08, 0.1, 0.12, 0.24],
    &[0.01, 0.02, 0.03, 0.05, 0.08, 0.1, 0.12, 0.18],
    // Past the specialised sizes: the generic loop.
    &[0.01, 0.01, 0.02, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08],
];

/// ssim_row4 of both kinds on the same moments (sums and map); returns the
/// map.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn row4_kernels(m: &Moments4, k: &SsimConsts) -> Result<Vec<f64>, String> {
    let len = m.mx.len();
    let (mut ma, mut mb) = (vec![0.0; len], vec![0.0; len]);
    same("ssim_row4 sums", &simd::ssim_row4(m, k, Some(&mut ma)), &scalar::ssim_row4(m, k, Some(&mut mb)))?;
    same("ssim_row4 map", &ma, &mb)?;
    Ok(ma)
}

/// Every twin on lengths 1..=21 (every tail of the 8-, 4- and 2-wide loops).
/// ssim_row and grads_row (every chain) of both kinds on the same moments;
/// returns the map, for checks of its values.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
fn row_kernels(m: &Moments5, k: &SsimConsts) -> Result<Vec<f64>, String> {
    let len = m.mx.len();
    let (mut ma, mut mb) = (vec![0.0; len], vec![0.0; len]);
    same("ssim_row sums", &simd::ssim_row(m, k, Some(&mut ma)), &scalar::ssim_row(m, k, Some(&mut mb)))?;
    same("ssim_row map", &ma, &mb)?;
    for chain in [Chain::Ssim, Chain::Cs, Chain::Sum] {
        let mut a: [Vec<f64>; 3] = core::array::from_fn(|_| vec![0.0; len]);
        let mut b: [Vec<f64>; 3] = core::array::from_fn(|_| vec![0.0; len]);
        {
            let [a0, a1, a2] = &mut a;
            let sa = simd::grads_row(m, k, chain, 0.3, a0, a1, a2);
            let [b0, b1, b2] = &mut b;
            let sb = scalar::grads_row(m, k, chain, 0.3, b0, b1, b2);
            same("grads_row sums", &sa, &sb)?;
        }
        for t in 0..3 {
            same(["grads_row d/dmu", "grads_row d/dyy", "grads_row d/dxy"][t], &a[t], &b[t])?;
        }
    }
    Ok(ma)
}

#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn run() -> Result<(), String> {
    for half in HALVES {
        let n = 2 * half.len() - 1;
        for len in 1..=21 {
            let src = noise(len + n - 1, len as u64);
            let (mut a, mut b) = (vec![0.0; len], vec![0.0; len]);
            simd::hfilter(&src, half, &mut a);
            scalar::hfilter(&src, half, &mut b);
            same("hfilter", &a, &b)?;
            let rows: Vec<Vec<f64>> = (0..n).map(|r| noise(len, 100 + r as u64)).collect();
            let rows: Vec<&[f64]> = rows.iter().map(|r| r.as_slice()).collect();
            simd::vfilter(&rows, half, &mut a);
            scalar::vfilter(&rows, half, &mut b);
            same("vfilter", &a, &b)?;
        }
    }
    for len in 1..=9 {
        let rows: Vec<Vec<f64>> = (0..5).map(|r| noise(len, 7 + r as u64)).collect();
        let rows: Vec<&[f64]> = rows.iter().map(|r| r.as_slice()).collect();
        let (mut a, mut b) = (vec![0.0; len], vec![0.0; len]);
        simd::vbox_init(&rows, &mut a);
        scalar::vbox_init(&rows, &mut b);
        same("vbox_init", &a, &b)?;
        let (mut da, mut db) = (vec![0.0; len], vec![0.0; len]);
        simd::vbox_slide(&mut a, rows[1], rows[2], 0.04, &mut da);
        scalar::vbox_slide(&mut b, rows[1], rows[2], 0.04, &mut db);
        same("vbox_slide sums", &a, &b)?;
        same("vbox_slide", &da, &db)?;
        simd::scale(rows[3], 0.3, &mut a);
        scalar::scale(rows[3], 0.3, &mut b);
        same("scale", &a, &b)?;

        let k = SsimConsts { c1: 1e-4, c2: 9e-4, cov: 49.0 / 48.0 };
        let (x, y) = (noise(len, 1), noise(len, 2));
        let sq = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(p, q)| p * q + 0.01).collect::<Vec<_>>();
        let (xx, yy, xy) = (sq(&x, &x), sq(&y, &y), sq(&x, &y));
        let m = Moments5 { mx: &x, my: &y, xx: &xx, yy: &yy, xy: &xy };
        row_kernels(&m, &k)?;
        let ss: Vec<f64> = xx.iter().zip(&yy).map(|(a, b)| a + b).collect();
        row4_kernels(&Moments4 { mx: &x, my: &y, ss: &ss, xy: &xy }, &k)?;
        // x == y: exactly 1 everywhere (E[2 x^2] = 2 E[x^2]).
        let twice: Vec<f64> = xx.iter().map(|a| 2.0 * a).collect();
        let same_map = row4_kernels(&Moments4 { mx: &x, my: &x, ss: &twice, xy: &xx }, &k)?;
        if let Some(v) = same_map.iter().find(|v| **v != 1.0) {
            return Err(format!("ssim_row4 x == y: {v}, not 1"));
        }
    }
    // The clamps: moments that break every bound (negative variances,
    // |sigma_xy| beyond Cauchy-Schwarz, l and cs beyond +-1 before their
    // clamps), signed zeros, and tiny constants, on every tail.
    for len in 1..=9 {
        let u = |seed: u64| noise(len, seed).into_iter().map(|v| 2.0 * v - 1.0).collect::<Vec<f64>>();
        let (mx, my, a, b, c) = (u(800), u(801), u(802), u(803), u(804));
        let mut xx: Vec<f64> = mx.iter().zip(&a).map(|(m, e)| m * m + 0.01 * e).collect();
        let yy: Vec<f64> = my.iter().zip(&b).map(|(m, e)| m * m + 0.01 * e).collect();
        let mut xy: Vec<f64> = mx.iter().zip(my.iter().zip(&c)).map(|(p, (q, e))| p * q + 0.05 * e).collect();
        if len > 2 {
            // A flat window: both variances exactly 0, and one at -0.
            xx[1] = mx[1] * mx[1];
            xy[1] = -0.0;
        }
        let m = Moments5 { mx: &mx, my: &my, xx: &xx, yy: &yy, xy: &xy };
        let ss: Vec<f64> = xx.iter().zip(&yy).map(|(a, b)| a + b).collect();
        let m4 = Moments4 { mx: &mx, my: &my, ss: &ss, xy: &xy };
        for k in [SsimConsts { c1: 1e-4, c2: 9e-4, cov: 1.0 }, SsimConsts { c1: 1e-12, c2: 1e-12, cov: 9.0 / 8.0 }] {
            let map = row_kernels(&m, &k)?;
            if let Some(v) = map.iter().find(|v| !(-1.0..=1.0).contains(*v)) {
                return Err(format!("ssim_row clamped: {v} outside [-1, 1]"));
            }
            let map = row4_kernels(&m4, &k)?;
            if let Some(v) = map.iter().find(|v| !(-1.0..=1.0).contains(*v)) {
                return Err(format!("ssim_row4 clamped: {v} outside [-1, 1]"));
            }
        }
    }
    // Box rows from prefix rows: every tail, several spans.
    for len in 1..=9 {
        for (a, b) in [(0, 3), (2, 9), (1, 2)] {
            let rows: Vec<Vec<f64>> = (0..4).map(|r| noise(len + 9, 300 + r as u64)).collect();
            let rows: Vec<&[f64]> = rows.iter().map(|r| r.as_slice()).collect();
            let (mut sa, mut sb) = (vec![0.0; len], vec![0.0; len]);
            simd::vbox_init_prefix(&rows, a, b, &mut sa);
            scalar::vbox_init_prefix(&rows, a, b, &mut sb);
            same("vbox_init_prefix", &sa, &sb)?;
            let (mut da, mut db) = (vec![0.0; len], vec![0.0; len]);
            simd::vbox_slide_prefix(&mut sa, rows[1], rows[2], a, b, 0.25, &mut da);
            scalar::vbox_slide_prefix(&mut sb, rows[1], rows[2], a, b, 0.25, &mut db);
            same("vbox_slide_prefix sums", &sa, &sb)?;
            same("vbox_slide_prefix", &da, &db)?;
            // The fused slide-and-score against the two kernels it fuses.
            let k = SsimConsts { c1: 1e-4, c2: 9e-4, cov: 1.0 };
            let sig: Vec<Vec<f64>> = (0..15).map(|r| noise(len + 9, 500 + r as u64)).collect();
            let mut fused: Vec<Vec<f64>> = (0..5).map(|r| noise(len, 600 + r as u64)).collect();
            let mut apart = fused.clone();
            let got = {
                let mut it = fused.iter_mut();
                let d: [&mut [f64]; 5] = core::array::from_fn(|_| it.next().unwrap().as_mut_slice());
                simd::slide_score(d, core::array::from_fn(|s| sig[s].as_slice()), core::array::from_fn(|s| sig[5 + s].as_slice()), a, b, 0.04, &k)
            };
            let mut e = vec![vec![0.0; len]; 5];
            for s in 0..5 {
                simd::vbox_slide_prefix(&mut apart[s], &sig[s], &sig[5 + s], a, b, 0.04, &mut e[s]);
            }
            let want = simd::ssim_row(&Moments5 { mx: &e[0], my: &e[1], xx: &e[2], yy: &e[3], xy: &e[4] }, &k, None);
            same("slide_score sums", &got, &want)?;
            for s in 0..5 {
                same("slide_score running sums", &fused[s], &apart[s])?;
            }
            let mut scalar_sums: Vec<Vec<f64>> = (0..5).map(|r| noise(len, 600 + r as u64)).collect();
            let got_scalar = {
                let mut it = scalar_sums.iter_mut();
                let d: [&mut [f64]; 5] = core::array::from_fn(|_| it.next().unwrap().as_mut_slice());
                scalar::slide_score(d, core::array::from_fn(|s| sig[s].as_slice()), core::array::from_fn(|s| sig[5 + s].as_slice()), a, b, 0.04, &k)
            };
            same("slide_score twins", &got, &got_scalar)?;
        }
    }
    // The fused running box sums against one signal at a time.
    let src: Vec<Vec<f64>> = (0..5).map(|k| noise(30, 40 + k)).collect();
    let mut fused = vec![vec![0.0; 26]; 5];
    {
        let mut it = fused.iter_mut();
        let d: [&mut [f64]; 5] = core::array::from_fn(|_| it.next().unwrap().as_mut_slice());
        scalar::hbox5(core::array::from_fn(|k| src[k].as_slice()), 5, d);
    }
    for k in 0..5 {
        let mut one = vec![0.0; 26];
        scalar::hbox(&src[k], 5, &mut one);
        same("hbox5", &fused[k], &one)?;
    }
    let mut three = vec![vec![0.0; 26]; 3];
    {
        let mut it = three.iter_mut();
        let d: [&mut [f64]; 3] = core::array::from_fn(|_| it.next().unwrap().as_mut_slice());
        scalar::hbox_k::<3>(core::array::from_fn(|k| src[k].as_slice()), 5, d);
    }
    for k in 0..3 {
        same("hbox_k", &three[k], &fused[k])?;
    }
    grads4()?;
    Ok(())
}

// ---- Backward passes on four moments ----

/// grads_row4 of both kinds (every chain, both covariance paths, every
/// tail, clamped moments): the gradients, and sums equal to ssim_row4's.
fn grads4() -> Result<(), String> {
    for len in 1..=13 {
        let u = |seed: u64| noise(len, seed).into_iter().map(|v| 2.0 * v - 1.0).collect::<Vec<f64>>();
        let (mx, my, a, c) = (u(900), u(901), u(902), u(903));
        let mut ss: Vec<f64> = mx.iter().zip(my.iter().zip(&a)).map(|(p, (q, e))| p * p + q * q + 0.02 * e).collect();
        let mut xy: Vec<f64> = mx.iter().zip(my.iter().zip(&c)).map(|(p, (q, e))| p * q + 0.05 * e).collect();
        if len > 2 {
            // A flat window (s exactly 0) and a signed zero.
            ss[1] = mx[1] * mx[1] + my[1] * my[1];
            xy[1] = -0.0;
        }
        let m = Moments4 { mx: &mx, my: &my, ss: &ss, xy: &xy };
        for k in [SsimConsts { c1: 1e-4, c2: 9e-4, cov: 1.0 }, SsimConsts { c1: 1e-12, c2: 1e-12, cov: 9.0 / 8.0 }] {
            for chain in [Chain::Ssim, Chain::Cs, Chain::Sum] {
                let (mut a, mut b) = ([vec![0.0; len], vec![0.0; len], vec![0.0; len]], [vec![0.0; len], vec![0.0; len], vec![0.0; len]]);
                let [a0, a1, a2] = &mut a;
                let sa = simd::grads_row4(&m, &k, chain, 0.3, a0, a1, a2);
                let [b0, b1, b2] = &mut b;
                let sb = scalar::grads_row4(&m, &k, chain, 0.3, b0, b1, b2);
                same(&format!("grads_row4 {chain:?} sums"), &sa, &sb)?;
                same(&format!("grads_row4 {chain:?} sums vs ssim_row4"), &sa, &simd::ssim_row4(&m, &k, None))?;
                for t in 0..3 {
                    same(&format!("grads_row4 {chain:?} {t}"), &a[t], &b[t])?;
                }
            }
        }
    }
    Ok(())
}

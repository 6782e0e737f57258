//! Row kernels: the inner loops of every score and gradient.
//!
//! `scalar` is the portable reference; `simd` holds two-lane twins of the
//! hot loops, written against [`lanes::F64x2`] (SIMD128 on wasm32) and
//! tested bit-equal to the reference here and, inside the WebAssembly, by
//! `kernelSelfTest`. Callers go through the functions below: the one place
//! that picks an implementation.

pub mod lanes;
pub mod scalar;
pub mod simd;

/// Rows of the five window moments E[x], E[y], E[x^2], E[y^2], E[xy].
#[derive(Clone, Copy)]
pub struct Moments5<'a> {
    pub mx: &'a [f64],
    pub my: &'a [f64],
    pub xx: &'a [f64],
    pub yy: &'a [f64],
    pub xy: &'a [f64],
}

/// C1, C2 (for planes divided by L: k1^2, k2^2) and the covariance factor
/// (1, or N/(N-1) for sample covariance).
#[derive(Clone, Copy, Debug)]
pub struct SsimConsts {
    pub c1: f64,
    pub c2: f64,
    pub cov: f64,
}

pub use scalar::{hbox, hbox5};
pub use simd::{hfilter, scale, ssim_row, vbox_init, vbox_slide, vfilter};

#[cfg(test)]
mod tests {
    use super::*;

    fn noise(n: usize, seed: u64) -> Vec<f64> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                (s >> 11) as f64 / (1u64 << 53) as f64
            })
            .collect()
    }

    const HALVES: [&[f64]; 5] = [
        &[1.0],
        &[0.25, 0.5],
        &[0.05, 0.1, 0.2, 0.3],
        &[0.001, 0.01, 0.03, 0.08, 0.15, 0.2],
        // Past the specialised sizes: the generic loop.
        &[0.01, 0.01, 0.02, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08],
    ];

    // Lengths 1..=21 cover every tail of the 8- and 2-wide loops.
    #[test]
    fn filters_equal_their_scalar_twins_bit_for_bit() {
        for half in HALVES {
            let n = 2 * half.len() - 1;
            for len in 1..=21 {
                let src = noise(len + n - 1, len as u64);
                let (mut a, mut b) = (vec![0.0; len], vec![0.0; len]);
                simd::hfilter(&src, half, &mut a);
                scalar::hfilter(&src, half, &mut b);
                assert_eq!(a, b);
                let rows: Vec<Vec<f64>> = (0..n).map(|r| noise(len, 100 + r as u64)).collect();
                let rows: Vec<&[f64]> = rows.iter().map(|r| r.as_slice()).collect();
                simd::vfilter(&rows, half, &mut a);
                scalar::vfilter(&rows, half, &mut b);
                assert_eq!(a, b);
            }
        }
    }

    #[test]
    fn box_sums_equal_their_scalar_twins_bit_for_bit() {
        for len in 1..=9 {
            let rows: Vec<Vec<f64>> = (0..5).map(|r| noise(len, 7 + r as u64)).collect();
            let rows: Vec<&[f64]> = rows.iter().map(|r| r.as_slice()).collect();
            let (mut a, mut b) = (vec![0.0; len], vec![0.0; len]);
            simd::vbox_init(&rows, &mut a);
            scalar::vbox_init(&rows, &mut b);
            assert_eq!(a, b);
            let (mut da, mut db) = (vec![0.0; len], vec![0.0; len]);
            simd::vbox_slide(&mut a, rows[1], rows[2], 0.04, &mut da);
            scalar::vbox_slide(&mut b, rows[1], rows[2], 0.04, &mut db);
            assert_eq!((a, da), (b, db));
            let (mut sa, mut sb) = (vec![0.0; len], vec![0.0; len]);
            simd::scale(rows[3], 0.3, &mut sa);
            scalar::scale(rows[3], 0.3, &mut sb);
            assert_eq!(sa, sb);
        }
    }

    #[test]
    fn ssim_rows_equal_their_scalar_twin_bit_for_bit() {
        let k = SsimConsts { c1: 1e-4, c2: 9e-4, cov: 49.0 / 48.0 };
        for len in 1..=9 {
            let (x, y) = (noise(len, 1), noise(len, 2));
            let sq = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(p, q)| p * q + 0.01).collect::<Vec<_>>();
            let (xx, yy, xy) = (sq(&x, &x), sq(&y, &y), sq(&x, &y));
            let m = Moments5 { mx: &x, my: &y, xx: &xx, yy: &yy, xy: &xy };
            let (mut ma, mut mb) = (vec![0.0; len], vec![0.0; len]);
            let a = simd::ssim_row(&m, &k, Some(&mut ma));
            let b = scalar::ssim_row(&m, &k, Some(&mut mb));
            assert_eq!((a, ma), (b, mb));
        }
    }

    #[test]
    fn fused_box_sums_equal_one_at_a_time() {
        let src: Vec<Vec<f64>> = (0..5).map(|k| noise(30, 40 + k)).collect();
        let mut fused = vec![vec![0.0; 26]; 5];
        {
            let mut it = fused.iter_mut();
            let d: [&mut [f64]; 5] = core::array::from_fn(|_| it.next().unwrap().as_mut_slice());
            hbox5(core::array::from_fn(|k| src[k].as_slice()), 5, d);
        }
        for k in 0..5 {
            let mut one = vec![0.0; 26];
            hbox(&src[k], 5, &mut one);
            assert_eq!(one, fused[k]);
        }
    }

    #[test]
    fn running_box_sums_match_direct_sums() {
        let src = noise(40, 3);
        let mut d = vec![0.0; 34];
        hbox(&src, 7, &mut d);
        for (j, v) in d.iter().enumerate() {
            let direct: f64 = src[j..j + 7].iter().sum();
            assert!((v - direct).abs() < 1e-13);
        }
    }
}

//! Row kernels: the inner loops of every score and gradient.
//!
//! `scalar` is the portable reference; `simd` holds two-lane twins of the
//! hot loops, written against [`lanes::F64x2`] (SIMD128 on wasm32) and
//! tested bit-equal to the reference here and, inside the WebAssembly, by
//! `kernelSelfTest`. Callers go through the functions below: the one place
//! that picks an implementation.

pub mod lanes;
pub mod scalar;
pub mod selftest;
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

/// Rows of the four window moments SSIM needs: E[x], E[y], E[x^2 + y^2],
/// E[xy] (sigma_x^2 and sigma_y^2 only ever enter as their sum).
#[derive(Clone, Copy)]
pub struct Moments4<'a> {
    pub mx: &'a [f64],
    pub my: &'a [f64],
    pub ss: &'a [f64],
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

/// How a backward pass weighs d(l) and d(cs) at each output: the
/// derivative of l*cs (SSIM), of cs alone (MS-SSIM's finer scales), or of
/// l + cs (LWSSIM with unit exponents).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chain {
    Ssim,
    Cs,
    Sum,
}

/// Calls `f` with the slices `row(0) .. row(n - 1)`, gathered on the stack
/// when n <= 32: hot loops must not allocate, since the threaded build's
/// allocator is one lock shared by every thread.
#[inline(always)]
pub fn with_rows<'a, R>(n: usize, row: impl Fn(usize) -> &'a [f64], f: impl FnOnce(&[&'a [f64]]) -> R) -> R {
    if n <= 32 {
        let rows: [&[f64]; 32] = core::array::from_fn(|k| if k < n { row(k) } else { &[] });
        f(&rows[..n])
    } else {
        let rows: Vec<&[f64]> = (0..n).map(row).collect();
        f(&rows)
    }
}

pub use scalar::{hbox, hbox5, hbox_k, prefix5};
pub use simd::{grads_row, hfilter, scale, slide_score, ssim_row, ssim_row4, vbox_init, vbox_init_prefix, vbox_slide, vbox_slide_prefix, vfilter};
pub use simd::grads_row4;

#[cfg(test)]
mod tests {
    #[test]
    fn simd_twins_equal_the_scalar_reference_bit_for_bit() {
        assert_eq!(super::selftest::run(), Ok(()));
    }

    #[test]
    fn a_broken_twin_is_caught() {
        // The self-test must be able to fail: compare a kernel against a
        // deliberately different one through the same checker.
        let src = [1.0, 2.0, 3.0, 4.0, 5.0];
        let (mut a, mut b) = ([0.0; 3], [0.0; 3]);
        super::simd::hfilter(&src, &[0.25, 0.5], &mut a);
        super::scalar::hfilter(&src, &[0.25, 0.5000000001], &mut b);
        assert!(super::selftest::same("hfilter", &a, &b).is_err());
    }
}

//! Two f64 lanes: SIMD128's `f64x2` on wasm32, SSE2's `__m128d` on x86_64
//! (the native build and the tests), a plain pair elsewhere. The kernels in
//! `simd.rs` are written once against this type, so the native tests run the
//! very code the WebAssembly runs, lane by lane.
//!
//! IEEE add, sub, mul and div round each lane exactly as the scalar
//! operation does, so a kernel that performs the same operations in the same
//! order per output is bit-identical to its scalar twin. No fused
//! multiply-add anywhere: it would round differently from the twin. `max`
//! and `min` are defined as `a > b ? a : b` and `a < b ? a : b` in every
//! implementation (SSE2's maxpd/minpd, SIMD128's pmax/pmin with swapped
//! operands), so they agree on signed zeros too; masks are all-ones lanes.

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod imp {
    use core::arch::wasm32::*;

    #[derive(Clone, Copy)]
    pub struct F64x2(v128);

    impl F64x2 {
        #[inline(always)]
        pub fn splat(v: f64) -> Self {
            F64x2(f64x2_splat(v))
        }
        /// Lanes `s[i]`, `s[i + 1]` (bounds-checked once).
        #[inline(always)]
        pub fn load(s: &[f64], i: usize) -> Self {
            let p = s[i..i + 2].as_ptr();
            // SAFETY: the slice above proves two readable f64 at p; wasm
            // loads need no alignment.
            F64x2(unsafe { v128_load(p as *const v128) })
        }
        /// # Safety
        /// `p` and `p + 1` must be readable f64.
        #[inline(always)]
        pub unsafe fn load_ptr(p: *const f64) -> Self {
            F64x2(v128_load(p as *const v128))
        }
        #[inline(always)]
        pub fn store(self, s: &mut [f64], i: usize) {
            let p = s[i..i + 2].as_mut_ptr();
            // SAFETY: as in `load`, for two writable f64.
            unsafe { v128_store(p as *mut v128, self.0) }
        }
        #[inline(always)]
        pub fn lanes(self) -> [f64; 2] {
            [f64x2_extract_lane::<0>(self.0), f64x2_extract_lane::<1>(self.0)]
        }
        #[inline(always)]
        pub fn add(self, o: Self) -> Self {
            F64x2(f64x2_add(self.0, o.0))
        }
        #[inline(always)]
        pub fn sub(self, o: Self) -> Self {
            F64x2(f64x2_sub(self.0, o.0))
        }
        #[inline(always)]
        pub fn mul(self, o: Self) -> Self {
            F64x2(f64x2_mul(self.0, o.0))
        }
        #[inline(always)]
        pub fn div(self, o: Self) -> Self {
            F64x2(f64x2_div(self.0, o.0))
        }
        /// `self > o ? self : o` per lane (the scalar twin's `fmax`).
        #[inline(always)]
        pub fn max(self, o: Self) -> Self {
            // pmax(a, b) is `a < b ? b : a`.
            F64x2(f64x2_pmax(o.0, self.0))
        }
        /// `self < o ? self : o` per lane (the scalar twin's `fmin`).
        #[inline(always)]
        pub fn min(self, o: Self) -> Self {
            // pmin(a, b) is `b < a ? b : a`.
            F64x2(f64x2_pmin(o.0, self.0))
        }
        #[inline(always)]
        pub fn sqrt(self) -> Self {
            F64x2(f64x2_sqrt(self.0))
        }
        /// Lane masks (all ones or all zeros).
        #[inline(always)]
        pub fn gt(self, o: Self) -> Self {
            F64x2(f64x2_gt(self.0, o.0))
        }
        #[inline(always)]
        pub fn lt(self, o: Self) -> Self {
            F64x2(f64x2_lt(self.0, o.0))
        }
        #[inline(always)]
        pub fn ge(self, o: Self) -> Self {
            F64x2(f64x2_ge(self.0, o.0))
        }
        /// Bitwise `self & mask`.
        #[inline(always)]
        pub fn and(self, mask: Self) -> Self {
            F64x2(v128_and(self.0, mask.0))
        }
        /// Bitwise `self & !mask`.
        #[inline(always)]
        pub fn and_not(self, mask: Self) -> Self {
            F64x2(v128_andnot(self.0, mask.0))
        }
        /// Per lane: `mask ? a : b`.
        #[inline(always)]
        pub fn select(mask: Self, a: Self, b: Self) -> Self {
            F64x2(v128_bitselect(a.0, b.0, mask.0))
        }
        /// Whether any lane of a mask is set.
        #[inline(always)]
        pub fn any(self) -> bool {
            v128_any_true(self.0)
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod imp {
    // SSE2 is part of x86_64 itself: no detection needed.
    use core::arch::x86_64::*;

    #[derive(Clone, Copy)]
    pub struct F64x2(__m128d);

    impl F64x2 {
        #[inline(always)]
        pub fn splat(v: f64) -> Self {
            F64x2(unsafe { _mm_set1_pd(v) })
        }
        #[inline(always)]
        pub fn load(s: &[f64], i: usize) -> Self {
            let p = s[i..i + 2].as_ptr();
            // SAFETY: the slice above proves two readable f64 at p.
            F64x2(unsafe { _mm_loadu_pd(p) })
        }
        /// # Safety
        /// `p` and `p + 1` must be readable f64.
        #[inline(always)]
        pub unsafe fn load_ptr(p: *const f64) -> Self {
            F64x2(_mm_loadu_pd(p))
        }
        #[inline(always)]
        pub fn store(self, s: &mut [f64], i: usize) {
            let p = s[i..i + 2].as_mut_ptr();
            // SAFETY: as in `load`, for two writable f64.
            unsafe { _mm_storeu_pd(p, self.0) }
        }
        #[inline(always)]
        pub fn lanes(self) -> [f64; 2] {
            let mut out = [0.0; 2];
            unsafe { _mm_storeu_pd(out.as_mut_ptr(), self.0) };
            out
        }
        #[inline(always)]
        pub fn add(self, o: Self) -> Self {
            F64x2(unsafe { _mm_add_pd(self.0, o.0) })
        }
        #[inline(always)]
        pub fn sub(self, o: Self) -> Self {
            F64x2(unsafe { _mm_sub_pd(self.0, o.0) })
        }
        #[inline(always)]
        pub fn mul(self, o: Self) -> Self {
            F64x2(unsafe { _mm_mul_pd(self.0, o.0) })
        }
        #[inline(always)]
        pub fn div(self, o: Self) -> Self {
            F64x2(unsafe { _mm_div_pd(self.0, o.0) })
        }
        /// `self > o ? self : o` per lane (maxpd's own definition).
        #[inline(always)]
        pub fn max(self, o: Self) -> Self {
            F64x2(unsafe { _mm_max_pd(self.0, o.0) })
        }
        /// `self < o ? self : o` per lane (minpd's own definition).
        #[inline(always)]
        pub fn min(self, o: Self) -> Self {
            F64x2(unsafe { _mm_min_pd(self.0, o.0) })
        }
        #[inline(always)]
        pub fn sqrt(self) -> Self {
            F64x2(unsafe { _mm_sqrt_pd(self.0) })
        }
        #[inline(always)]
        pub fn gt(self, o: Self) -> Self {
            F64x2(unsafe { _mm_cmpgt_pd(self.0, o.0) })
        }
        #[inline(always)]
        pub fn lt(self, o: Self) -> Self {
            F64x2(unsafe { _mm_cmplt_pd(self.0, o.0) })
        }
        #[inline(always)]
        pub fn ge(self, o: Self) -> Self {
            F64x2(unsafe { _mm_cmpge_pd(self.0, o.0) })
        }
        #[inline(always)]
        pub fn and(self, mask: Self) -> Self {
            F64x2(unsafe { _mm_and_pd(self.0, mask.0) })
        }
        #[inline(always)]
        pub fn and_not(self, mask: Self) -> Self {
            // andnot(a, b) is `!a & b`.
            F64x2(unsafe { _mm_andnot_pd(mask.0, self.0) })
        }
        #[inline(always)]
        pub fn select(mask: Self, a: Self, b: Self) -> Self {
            F64x2(unsafe { _mm_or_pd(_mm_and_pd(mask.0, a.0), _mm_andnot_pd(mask.0, b.0)) })
        }
        #[inline(always)]
        pub fn any(self) -> bool {
            unsafe { _mm_movemask_pd(self.0) != 0 }
        }
    }
}

#[cfg(not(any(target_arch = "x86_64", all(target_arch = "wasm32", target_feature = "simd128"))))]
mod imp {
    #[derive(Clone, Copy)]
    pub struct F64x2([f64; 2]);

    impl F64x2 {
        #[inline(always)]
        pub fn splat(v: f64) -> Self {
            F64x2([v, v])
        }
        #[inline(always)]
        pub fn load(s: &[f64], i: usize) -> Self {
            F64x2([s[i], s[i + 1]])
        }
        /// # Safety
        /// `p` and `p + 1` must be readable f64.
        #[inline(always)]
        pub unsafe fn load_ptr(p: *const f64) -> Self {
            F64x2([*p, *p.add(1)])
        }
        #[inline(always)]
        pub fn store(self, s: &mut [f64], i: usize) {
            s[i..i + 2].copy_from_slice(&self.0);
        }
        #[inline(always)]
        pub fn lanes(self) -> [f64; 2] {
            self.0
        }
        #[inline(always)]
        pub fn add(self, o: Self) -> Self {
            F64x2([self.0[0] + o.0[0], self.0[1] + o.0[1]])
        }
        #[inline(always)]
        pub fn sub(self, o: Self) -> Self {
            F64x2([self.0[0] - o.0[0], self.0[1] - o.0[1]])
        }
        #[inline(always)]
        pub fn mul(self, o: Self) -> Self {
            F64x2([self.0[0] * o.0[0], self.0[1] * o.0[1]])
        }
        #[inline(always)]
        pub fn div(self, o: Self) -> Self {
            F64x2([self.0[0] / o.0[0], self.0[1] / o.0[1]])
        }
        #[inline(always)]
        fn map2(self, o: Self, f: impl Fn(f64, f64) -> f64) -> Self {
            F64x2([f(self.0[0], o.0[0]), f(self.0[1], o.0[1])])
        }
        #[inline(always)]
        fn mask(b: bool) -> f64 {
            f64::from_bits(if b { u64::MAX } else { 0 })
        }
        #[inline(always)]
        pub fn max(self, o: Self) -> Self {
            self.map2(o, |a, b| if a > b { a } else { b })
        }
        #[inline(always)]
        pub fn min(self, o: Self) -> Self {
            self.map2(o, |a, b| if a < b { a } else { b })
        }
        #[inline(always)]
        pub fn sqrt(self) -> Self {
            F64x2([self.0[0].sqrt(), self.0[1].sqrt()])
        }
        #[inline(always)]
        pub fn gt(self, o: Self) -> Self {
            self.map2(o, |a, b| Self::mask(a > b))
        }
        #[inline(always)]
        pub fn lt(self, o: Self) -> Self {
            self.map2(o, |a, b| Self::mask(a < b))
        }
        #[inline(always)]
        pub fn ge(self, o: Self) -> Self {
            self.map2(o, |a, b| Self::mask(a >= b))
        }
        #[inline(always)]
        pub fn and(self, mask: Self) -> Self {
            self.map2(mask, |a, m| f64::from_bits(a.to_bits() & m.to_bits()))
        }
        #[inline(always)]
        pub fn and_not(self, mask: Self) -> Self {
            self.map2(mask, |a, m| f64::from_bits(a.to_bits() & !m.to_bits()))
        }
        #[inline(always)]
        pub fn select(mask: Self, a: Self, b: Self) -> Self {
            let pick = |i: usize| if mask.0[i].to_bits() != 0 { a.0[i] } else { b.0[i] };
            F64x2([pick(0), pick(1)])
        }
        #[inline(always)]
        pub fn any(self) -> bool {
            self.0[0].to_bits() != 0 || self.0[1].to_bits() != 0
        }
    }
}

pub use imp::F64x2;

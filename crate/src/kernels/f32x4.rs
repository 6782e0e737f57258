//! The f32 filters of the centred integer path (`crate::centred`): a
//! scalar reference and a four-lane twin of the horizontal and vertical
//! symmetric filters, the same operations in the same order per output as
//! the f64 pair in `scalar.rs` (centre tap first, then the folded pairs from
//! the outside in), so the twin is bit-equal to the reference. Only IEEE
//! add and mul per lane: no fused multiply-add (wasm's scalar build has
//! none, and f32::mul_add would round once instead of twice).
//!
//! The taps are not specialised per window size, unlike the f64 filters:
//! one loop over the taps keeps the wasm small (its size budget), and four
//! lanes already halve the f64 path's vector count.

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod imp {
    use core::arch::wasm32::*;

    #[derive(Clone, Copy)]
    pub struct F32x4(v128);

    impl F32x4 {
        #[inline(always)]
        pub fn splat(v: f32) -> Self {
            F32x4(f32x4_splat(v))
        }
        #[inline(always)]
        pub fn load(s: &[f32], i: usize) -> Self {
            let p = s[i..i + 4].as_ptr();
            // SAFETY: the slice above proves four readable f32 at p; wasm
            // loads need no alignment.
            F32x4(unsafe { v128_load(p as *const v128) })
        }
        #[inline(always)]
        pub fn store(self, s: &mut [f32], i: usize) {
            let p = s[i..i + 4].as_mut_ptr();
            // SAFETY: as in `load`, for four writable f32.
            unsafe { v128_store(p as *mut v128, self.0) }
        }
        #[inline(always)]
        pub fn add(self, o: Self) -> Self {
            F32x4(f32x4_add(self.0, o.0))
        }
        #[inline(always)]
        pub fn mul(self, o: Self) -> Self {
            F32x4(f32x4_mul(self.0, o.0))
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod imp {
    // SSE is part of x86_64 itself: no detection needed.
    use core::arch::x86_64::*;

    #[derive(Clone, Copy)]
    pub struct F32x4(__m128);

    impl F32x4 {
        #[inline(always)]
        pub fn splat(v: f32) -> Self {
            F32x4(unsafe { _mm_set1_ps(v) })
        }
        #[inline(always)]
        pub fn load(s: &[f32], i: usize) -> Self {
            let p = s[i..i + 4].as_ptr();
            // SAFETY: the slice above proves four readable f32 at p.
            F32x4(unsafe { _mm_loadu_ps(p) })
        }
        #[inline(always)]
        pub fn store(self, s: &mut [f32], i: usize) {
            let p = s[i..i + 4].as_mut_ptr();
            // SAFETY: as in `load`, for four writable f32.
            unsafe { _mm_storeu_ps(p, self.0) }
        }
        #[inline(always)]
        pub fn add(self, o: Self) -> Self {
            F32x4(unsafe { _mm_add_ps(self.0, o.0) })
        }
        #[inline(always)]
        pub fn mul(self, o: Self) -> Self {
            F32x4(unsafe { _mm_mul_ps(self.0, o.0) })
        }
    }
}

#[cfg(not(any(target_arch = "x86_64", all(target_arch = "wasm32", target_feature = "simd128"))))]
mod imp {
    #[derive(Clone, Copy)]
    pub struct F32x4([f32; 4]);

    impl F32x4 {
        #[inline(always)]
        pub fn splat(v: f32) -> Self {
            F32x4([v; 4])
        }
        #[inline(always)]
        pub fn load(s: &[f32], i: usize) -> Self {
            F32x4([s[i], s[i + 1], s[i + 2], s[i + 3]])
        }
        #[inline(always)]
        pub fn store(self, s: &mut [f32], i: usize) {
            s[i..i + 4].copy_from_slice(&self.0);
        }
        #[inline(always)]
        pub fn add(self, o: Self) -> Self {
            F32x4(core::array::from_fn(|i| self.0[i] + o.0[i]))
        }
        #[inline(always)]
        pub fn mul(self, o: Self) -> Self {
            F32x4(core::array::from_fn(|i| self.0[i] * o.0[i]))
        }
    }
}

pub use imp::F32x4;

/// The portable references.
pub mod scalar {
    /// [`crate::kernels::scalar::hfilter_at`] in f32.
    #[inline(always)]
    pub fn hfilter_at(src: &[f32], half: &[f32], j: usize) -> f32 {
        let c = half.len() - 1;
        let n = 2 * c + 1;
        let mut acc = src[j + c] * half[c];
        for k in 0..c {
            acc = acc + (src[j + k] + src[j + n - 1 - k]) * half[k];
        }
        acc
    }

    pub fn hfilter(src: &[f32], half: &[f32], dst: &mut [f32]) {
        for j in 0..dst.len() {
            dst[j] = hfilter_at(src, half, j);
        }
    }

    /// [`crate::kernels::scalar::vfilter_at`] in f32.
    #[inline(always)]
    pub fn vfilter_at(rows: &[&[f32]], half: &[f32], j: usize) -> f32 {
        let c = half.len() - 1;
        let n = 2 * c + 1;
        let mut acc = rows[c][j] * half[c];
        for k in 0..c {
            acc = acc + (rows[k][j] + rows[n - 1 - k][j]) * half[k];
        }
        acc
    }

    pub fn vfilter(rows: &[&[f32]], half: &[f32], dst: &mut [f32]) {
        for j in 0..dst.len() {
            dst[j] = vfilter_at(rows, half, j);
        }
    }
}

/// The four-lane twins.
pub mod simd {
    use super::{scalar, F32x4};

    /// Sixteen outputs an iteration (four independent chains of adds), then
    /// four, then the scalar reference for the last three.
    pub fn hfilter(src: &[f32], half: &[f32], dst: &mut [f32]) {
        let c = half.len() - 1;
        let n = 2 * c + 1;
        let len = dst.len();
        assert!(src.len() + 1 >= len + n);
        let wc = F32x4::splat(half[c]);
        let mut j = 0;
        while j + 16 <= len {
            let mut acc: [F32x4; 4] = core::array::from_fn(|v| F32x4::load(src, j + 4 * v + c).mul(wc));
            for k in 0..c {
                let w = F32x4::splat(half[k]);
                for (v, a) in acc.iter_mut().enumerate() {
                    let o = j + 4 * v;
                    *a = a.add(F32x4::load(src, o + k).add(F32x4::load(src, o + n - 1 - k)).mul(w));
                }
            }
            for (v, a) in acc.iter().enumerate() {
                a.store(dst, j + 4 * v);
            }
            j += 16;
        }
        while j + 4 <= len {
            let mut a = F32x4::load(src, j + c).mul(wc);
            for k in 0..c {
                a = a.add(F32x4::load(src, j + k).add(F32x4::load(src, j + n - 1 - k)).mul(F32x4::splat(half[k])));
            }
            a.store(dst, j);
            j += 4;
        }
        for j in j..len {
            dst[j] = scalar::hfilter_at(src, half, j);
        }
    }

    /// Eight outputs an iteration (the row pointers already fill the
    /// registers), then four, then the scalar reference.
    pub fn vfilter(rows: &[&[f32]], half: &[f32], dst: &mut [f32]) {
        let c = half.len() - 1;
        let n = 2 * c + 1;
        let len = dst.len();
        assert!(rows.len() == n && rows.iter().all(|r| r.len() >= len));
        let wc = F32x4::splat(half[c]);
        let mut j = 0;
        while j + 8 <= len {
            let mut acc: [F32x4; 2] = core::array::from_fn(|v| F32x4::load(rows[c], j + 4 * v).mul(wc));
            for k in 0..c {
                let w = F32x4::splat(half[k]);
                for (v, a) in acc.iter_mut().enumerate() {
                    let o = j + 4 * v;
                    *a = a.add(F32x4::load(rows[k], o).add(F32x4::load(rows[n - 1 - k], o)).mul(w));
                }
            }
            for (v, a) in acc.iter().enumerate() {
                a.store(dst, j + 4 * v);
            }
            j += 8;
        }
        while j + 4 <= len {
            let mut a = F32x4::load(rows[c], j).mul(wc);
            for k in 0..c {
                a = a.add(F32x4::load(rows[k], j).add(F32x4::load(rows[n - 1 - k], j)).mul(F32x4::splat(half[k])));
            }
            a.store(dst, j);
            j += 4;
        }
        for j in j..len {
            dst[j] = scalar::vfilter_at(rows, half, j);
        }
    }
}

/// The twins against the references on every tail length and window size
/// (part of `selftest::run`, so also run inside the wasm). One message for
/// any difference: each format! costs the wasm bytes.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn selftest() -> Result<(), String> {
    let mut s = 7u64;
    let differ = |a: &[f32], b: &[f32]| a.iter().zip(b).any(|(p, q)| p.to_bits() != q.to_bits());
    for taps in 1..=9usize {
        let half: Vec<f32> = (0..taps).map(|k| (k + 1) as f32 / (taps * taps + 3) as f32).collect();
        let n = 2 * taps - 1;
        for len in 1..=37 {
            // Centred integers of a 16-bit range and their products' sizes.
            let src: Vec<f32> = (0..(len + n - 1) + n * len)
                .map(|_| {
                    s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    ((s >> 33) as i64 - (1 << 30)) as f32 / 7.0
                })
                .collect();
            let (h, v) = src.split_at(len + n - 1);
            let rows: Vec<&[f32]> = v.chunks(len).collect();
            let mut o: [Vec<f32>; 4] = core::array::from_fn(|_| vec![0.0; len]);
            let [a, b, c, d] = &mut o;
            simd::hfilter(h, &half, a);
            scalar::hfilter(h, &half, b);
            simd::vfilter(&rows, &half, c);
            scalar::vfilter(&rows, &half, d);
            if differ(a, b) || differ(c, d) {
                return Err(format!("f32 filters, {taps} half taps, length {len}: SIMD and scalar differ"));
            }
        }
    }
    Ok(())
}

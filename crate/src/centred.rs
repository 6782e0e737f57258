//! The four-signal engine in f32 for integer samples (8- and 16-bit
//! images at their default data range), centred per block.
//!
//! A block is one strip of output columns of one chunk of output rows,
//! with its window halo. Its offset c is the integer midpoint of the
//! smallest and largest sample of x and y in the block (one c for both, so
//! E[(x - c)(y - c)] - E[x - c] E[y - c] is the covariance as it stands).
//! Then, with D = max |v - c| <= (max - min + 1) / 2 <= 32768:
//! - v - c is exact in f32 (integers below 2^24);
//! - (v - c)^2 and (x - c)(y - c) are exact while D < 2^12 (every 8-bit
//!   block), else rounded once (relative 2^-24);
//! - the filters round: with h taps per half-window (n = 2h - 1), each
//!   moment of the centred signals is within g = (2h + 6) 2^-24 of its
//!   exact value relative to the moment of |signal| (the taps rounded to
//!   f32 and the two passes' h + 1 operations each included);
//! - the rest is f64: the variance sum s = E[(x-c)^2 + (y-c)^2] - E[x-c]^2
//!   - E[y-c]^2 and the covariance take no rounding that matters, so
//!   |ds| <= 6 g D^2 and |d sigma_xy| <= 3 g D^2, hence
//!   |d cs| <= 12 g D^2 / C2 and |d l| <= 2 sqrt(2) g D / sqrt(C1),
//!   and |d SSIM| <= g (12 D^2 / C2 + 2.9 D / sqrt(C1)) per output sample.
//!
//! For a block whose samples span the whole range (D = L / 2) that is
//! g (3 / k2^2 + 1.45 / k1) ~ 3.6e-3 for 11 taps; natural images keep D far
//! smaller (measured: README, "Which path an input takes"). The bound is
//! tested in `tests/centred.rs`.
//!
//! The moments reach the row kernels as f64 on the scale of samples divided
//! by L, so everything after the filters (`kernels::ssim_row4`, the sums,
//! their fixed order) is the f64 path's.

use core::sync::atomic::AtomicBool;
#[cfg(not(target_arch = "wasm32"))]
use core::sync::atomic::Ordering;

use crate::kernels;

/// Whether integer pairs take this path. Off until its per-sample error is
/// fixed: the peer map fixtures hold each map sample within 1e-6, and the
/// f32 means miss that on 8-bit noise (1.6e-5 and 2.3e-5 on
/// ssim-sk-gray8-37x29-noise, test/fidelity.test.ts: l's slope is 1/sqrt(C1),
/// and the f32 mean is off by ~g D). tests/centred.rs turns it on.
pub static ENABLED: AtomicBool = AtomicBool::new(false);

/// In the WebAssembly the path is compiled out while it is off, so the
/// package does not carry its bytes (the 250 KB budget); natively the
/// switch stays, so the tests can run it.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

#[cfg(target_arch = "wasm32")]
pub(crate) fn enabled() -> bool {
    false
}
use crate::stream::{PairRows, STRIP};
use crate::window::Border;

/// Reads padded row `r` of the pair as integers into `px`, `py` (columns
/// `j0..` of the row, or the gathered columns `idx`). `raw` is scratch for
/// two source rows.
fn read(src: &dyn PairRows, plane: usize, r: usize, j0: usize, idx: Option<&[usize]>, px: &mut [f32], py: &mut [f32], raw: &mut [f32]) {
    match idx {
        None => src.row_int(plane, r, j0, px, py),
        Some(idx) => {
            // One span of source columns covers them all.
            let (lo, hi) = (*idx.iter().min().unwrap(), *idx.iter().max().unwrap());
            let (rx, ry) = raw.split_at_mut(src.width());
            src.row_int(plane, r, lo, &mut rx[..=hi - lo], &mut ry[..=hi - lo]);
            for (q, &c) in idx.iter().enumerate() {
                px[q] = rx[c - lo];
                py[q] = ry[c - lo];
            }
        }
    }
}

/// The moments of one strip of one output row, from the centred f32
/// moments `m` (mx, my, ss, xy, `st` apart) to f64 on the scale of samples
/// divided by `l`. The variance sum and the covariance are formed from the
/// centred moments (no cancellation: that was the centring's point), and
/// handed on as E[x^2 + y^2] = s / L^2 + (mu_x^2 + mu_y^2) and E[xy] =
/// sigma_xy / L^2 + mu_x mu_y, which `lcs4` subtracts again exactly up to
/// an f64 rounding. With x == y, s is 2 sigma_xy to the bit, so SSIM is 1.
#[inline(never)]
fn to_f64(m: &[f32], st: usize, sw: usize, c: f64, l: f64, dst: &mut [f64]) {
    let r = 1.0 / l;
    let r2 = r * r;
    let (mx, rest) = dst.split_at_mut(st);
    let (my, rest) = rest.split_at_mut(st);
    let (ss, xy) = rest.split_at_mut(st);
    for j in 0..sw {
        let (a, b) = (m[j] as f64, m[st + j] as f64);
        let s = m[2 * st + j] as f64 - (a * a + b * b);
        let sxy = m[3 * st + j] as f64 - a * b;
        let (u, v) = ((a + c) * r, (b + c) * r);
        mx[j] = u;
        my[j] = v;
        ss[j] = s * r2 + (u * u + v * v);
        xy[j] = sxy * r2 + u * v;
    }
}

/// The smallest and largest of `v`, folded into `lo`, `hi`.
#[inline(never)]
fn extent(v: &[f32], lo: &mut f32, hi: &mut f32) {
    for &v in v {
        *lo = if v < *lo { v } else { *lo };
        *hi = if v > *hi { v } else { *hi };
    }
}

/// x - c and y - c in place, and the products (x-c)^2 + (y-c)^2, (x-c)(y-c).
#[inline(never)]
fn centre(px: &mut [f32], py: &mut [f32], c: f32, ss: &mut [f32], xy: &mut [f32]) {
    let len = px.len();
    let (py, ss, xy) = (&mut py[..len], &mut ss[..len], &mut xy[..len]);
    for q in 0..len {
        let (a, b) = (px[q] - c, py[q] - c);
        px[q] = a;
        py[q] = b;
        ss[q] = a * a + b * b;
        xy[q] = a * b;
    }
}

/// `stream::chunk_rows` for four signals, a symmetric window and a pair
/// whose `integer()` is `Some(l)`: output rows [i0, i1) of one plane, strip
/// by strip, each row's f64 moments handed to `emit(row, first column,
/// [mx, my, ss, xy])`.
// The orchestration only (the loops above and the filters are functions of
// their own): optimised for size in the wasm, its budget.
#[cfg_attr(target_arch = "wasm32", optimize(size))]
#[inline(never)]
pub(crate) fn chunk_rows(src: &dyn PairRows, plane: usize, half: &[f64], l: f64, border: Border, i0: usize, i1: usize,
    emit: &mut dyn FnMut(usize, usize, &[&[f64]])) {
    let half: Vec<f32> = half.iter().map(|&w| w as f32).collect();
    let n = 2 * half.len() - 1;
    let (w, h) = (src.width(), src.height());
    let ow = border.output_len(w, n);
    let (cols, source_row) = crate::stream::padded_sources(w, h, n, border);
    let st = STRIP.min(ow);
    let pst = st + n - 1;
    let mut raw = vec![0.0f32; 2 * w];
    let mut pad = vec![0.0f32; 4 * pst];
    // A slot's stride padded by a cache line, as in `stream::chunk_rows`.
    let slot_len = 4 * st + 16;
    let mut ring = vec![0.0f32; n * slot_len];
    let mut out = vec![0.0f32; 4 * st];
    let mut out64 = vec![0.0f64; 4 * st];
    for j0 in (0..ow).step_by(st) {
        let sw = st.min(ow - j0);
        let plen = sw + n - 1;
        let idx = cols.as_ref().map(|c| &c[j0..j0 + plen]);
        let (px, rest) = pad.split_at_mut(pst);
        let (py, prod) = rest.split_at_mut(pst);
        let (px, py) = (&mut px[..plen], &mut py[..plen]);
        // The block's offset: a first pass over its samples.
        let (mut lo, mut hi) = (f32::MAX, f32::MIN);
        for p in i0..i1 + n - 1 {
            read(src, plane, source_row(p), j0, idx, px, py, &mut raw);
            extent(px, &mut lo, &mut hi);
            extent(py, &mut lo, &mut hi);
        }
        // lo + hi <= 131070: exact in f32.
        let c = ((lo + hi) * 0.5).floor();
        for p in i0..i1 + n - 1 {
            read(src, plane, source_row(p), j0, idx, px, py, &mut raw);
            let (ss, xy) = prod.split_at_mut(pst);
            centre(px, py, c, ss, xy);
            let slot = (p - i0) % n;
            for (s, d) in ring[slot * slot_len..][..4 * st].chunks_mut(st).enumerate() {
                let sig = match s {
                    0 => &px[..],
                    1 => &py[..],
                    2 => &ss[..plen],
                    _ => &xy[..plen],
                };
                kernels::hfilter32(sig, &half, &mut d[..sw]);
            }
            if p < i0 + n - 1 {
                continue;
            }
            let i = p + 1 - n;
            for s in 0..4 {
                let row = |k: usize| &ring[((i - i0 + k) % n) * slot_len + s * st..][..sw];
                kernels::with_rows32(n, row, |rows| kernels::vfilter32(rows, &half, &mut out[s * st..s * st + sw]));
            }
            to_f64(&out, st, sw, c as f64, l, &mut out64);
            kernels::with_rows(4, |s| &out64[s * st..s * st + sw], |rows| emit(i, j0, rows));
        }
    }
}

//! The backward pass streamed: each window filter's moment gradients are
//! held as a ring of output rows, filled a band of chunks at a time, and
//! the filter's adjoint is applied to the source rows as soon as every row
//! they read is held. A pass holds a band of rows per filter, never a
//! plane, so a loss holds little beyond the gradient it returns.
//!
//! Bits: chunks are the forward's (CHUNK output rows, or centre rows for
//! the fused LWSSIM pass), so the value sums are the forward's; source rows
//! are emitted in multiples of RESTART rows (where the adjoint's running box
//! sum starts afresh), so the gradient does not depend on the band, hence
//! not on the thread count.

use rayon::prelude::*;

use crate::backward::{adjoint_rows, preimage, Held, RESTART};
use crate::stream::{Filter, PairRows, CHUNK};
use crate::window::Border;

/// Chunks of ring rows a band holds at once over all rings, for threads: a
/// chunk is a thread's work and holds CHUNK rows of its ring (at 4K, 5.6
/// MiB), and a band takes one per thread up to this many ring-chunks, but
/// on two threads or more never fewer than two chunks: LWSSIM's five levels fill a chunk together,
/// and with one chunk a band a second thread waited while the rings filled
/// (at 1080p its loss + gradient ran 1.1x faster on two threads than on one).
pub const MAX_BAND: usize = 4;

/// Ring bytes a band may take whatever the thread count: narrow planes
/// fill more chunks at once (fewer hand-overs, work for every thread).
pub const BAND_BYTES: usize = 8 << 20;

/// What new ring and output rows hold before their fill: under test a NaN,
/// so a sample a fill or an emission missed poisons the gradient.
const FRESH: f64 = if cfg!(test) { f64::NAN } else { 0.0 };

/// Chunks a band of `rings` rings over rows `w` wide fills at once on
/// `threads` threads.
pub fn band(threads: usize, rings: usize, w: usize) -> usize {
    let rings = rings.max(1);
    let by_threads = threads.clamp(1, (MAX_BAND / rings).max(2));
    by_threads.max(BAND_BYTES / (rings * 24 * CHUNK * w.max(1)))
}

/// One window filter's moment gradients: output rows [first, first + held)
/// of (mu | yy | xy) x ow each, the layout `adjoint_rows::<3>` reads, in
/// `rows[..len]`. Past `len` lie stale rows, kept so that a band never
/// zeroes what its fill overwrites (at 1080p, LWSSIM's five rings would
/// clear 15 MB a chunk on one thread while the others wait).
pub struct Ring {
    f: Filter,
    border: Border,
    ow: usize,
    oh: usize,
    first: usize,
    len: usize,
    rows: Vec<f64>,
}

impl Ring {
    pub fn new(f: Filter, border: Border, w: usize, h: usize) -> Self {
        let n = f.n();
        Ring { ow: border.output_len(w, n), oh: border.output_len(h, n), f, border, first: 0, len: 0, rows: Vec::new() }
    }

    pub fn output(&self) -> (usize, usize) {
        (self.ow, self.oh)
    }

    /// One past the last output row held.
    fn next(&self) -> usize {
        self.first + self.len / (3 * self.ow)
    }

    /// The output rows source row r's adjoint reads, clipped to the map:
    /// (lowest, highest).
    fn reads(&self, r: usize, h: usize) -> (usize, usize) {
        let n = self.f.n();
        let (ps, k) = preimage(self.border, n, h, self.oh, r);
        let lo = ps[0].saturating_sub(n - 1).min(self.oh - 1);
        (lo, ps[k - 1].min(self.oh - 1))
    }
}

/// Output rows [a, b) chunk `c` produces for a ring (possibly none).
pub type Span<'s> = dyn Fn(usize, usize) -> (usize, usize) + Sync + 's;
/// Fills chunk `c`'s rows of every ring, given as (first row, rows), and
/// returns each ring's value sums for the chunk.
pub type Fill<'s> = dyn Fn(usize, &mut [(usize, &mut [f64])]) -> Vec<[f64; 3]> + Sync + 's;

/// Streams the backward pass of a mean over window positions of plane
/// `plane` of `src`: chunks 0..chunks fill the rings (`span(ring, chunk)`
/// says which rows), a band of them at a time in parallel; then every
/// source row whose adjoint can be taken goes out, as d/dy = sum over rings
/// of A(g_mu) + 2 y A(g_yy) + x A(g_xy), A the ring's filter adjoint:
/// `emit(first row, rows)` with rows of the source's width. Returns each
/// chunk's sums per ring, in chunk order.
pub fn stream_backward(src: &dyn PairRows, plane: usize, rings: &mut [Ring], chunks: usize, span: &Span, fill: &Fill,
    mut emit: impl FnMut(usize, &[f64])) -> Vec<Vec<[f64; 3]>> {
    let (w, h) = (src.width(), src.height());
    // The band only sets how much is held at once, never the bits.
    let band = band(rayon::current_num_threads(), rings.len(), w);
    #[cfg(test)]
    let band = tests::BAND.with(|b| b.get()).unwrap_or(band);
    let mut parts = Vec::with_capacity(chunks);
    // Each ring and the emitted rows get their most at once: a Vec grown
    // step by step would leave its smaller blocks behind.
    let most = |n: usize, rows: usize| (band * CHUNK).min(rows) + RESTART + 2 * n;
    for ring in rings.iter_mut() {
        ring.rows.reserve_exact(3 * ring.ow * most(ring.f.n(), ring.oh));
    }
    let widest = rings.iter().map(|r| r.f.n()).max().unwrap_or(1);
    let mut out: Vec<f64> = Vec::with_capacity(w * most(widest, h));
    let mut done = 0;
    let mut c0 = 0;
    while c0 < chunks {
        let c1 = (c0 + band).min(chunks);
        let mut per_chunk: Vec<Vec<(usize, &mut [f64])>> = (c0..c1).map(|_| Vec::with_capacity(rings.len())).collect();
        for (l, ring) in rings.iter_mut().enumerate() {
            let (held, width) = (ring.len, 3 * ring.ow);
            let added: usize = (c0..c1).map(|c| span(l, c)).map(|(a, b)| b - a).sum();
            debug_assert!((c0..c1).all(|c| { let (a, b) = span(l, c); a == b || a >= held / width + ring.first }));
            ring.len = held + added * width;
            if ring.rows.len() < ring.len {
                // Exactly: a doubling Vec would hold twice the band.
                ring.rows.reserve_exact(ring.len - ring.rows.len());
                ring.rows.resize(ring.len, FRESH);
            }
            // Every row of a chunk's span is written by its fill (stale rows never reach the adjoint).
            let mut rest: &mut [f64] = &mut ring.rows[held..ring.len];
            for (i, c) in (c0..c1).enumerate() {
                let (a, b) = span(l, c);
                let (mine, more) = core::mem::take(&mut rest).split_at_mut((b - a) * width);
                per_chunk[i].push((a, mine));
                rest = more;
            }
        }
        let sums: Vec<Vec<[f64; 3]>> = per_chunk.into_par_iter().enumerate().map(|(i, mut bands)| fill(c0 + i, &mut bands)).collect();
        parts.extend(sums);
        c0 = c1;

        // Rows read by the adjoint only grow with r: emit the prefix whose
        // rows are all held, in multiples of RESTART until the last.
        let mut end = done;
        while end < h && rings.iter().all(|g| g.next() == g.oh || g.reads(end, h).1 < g.next()) {
            end += 1;
        }
        if end < h {
            end = done.max(end / RESTART * RESTART);
        }
        assert!(c0 < chunks || end == h, "every row is emitted by the last chunk");
        if end == done {
            continue;
        }
        // Every row is written once by `emit` below: grow, never clear.
        if out.len() < (end - done) * w {
            out.resize((end - done) * w, FRESH);
        }
        let out = &mut out[..(end - done) * w];
        let border = rings[0].border;
        debug_assert!(rings.iter().all(|g| g.border == border));
        let held: Vec<Held> = rings.iter().map(|g| Held { g: &g.rows[..g.len], g0: g.first, out: (g.ow, g.oh), f: &g.f }).collect();
        // Every ring's adjoints summed first: each source row is read once.
        adjoint_rows::<3>(&held, (w, h), border, done..end, out, &|r, [a_mu, a_yy, a_xy], dst, scratch| {
            let (x, y) = scratch.split_at_mut(w);
            src.row(plane, r, 0, x, y);
            let (a_mu, a_yy, a_xy, dst) = (&a_mu[..w], &a_yy[..w], &a_xy[..w], &mut dst[..w]);
            for q in 0..w {
                dst[q] = a_mu[q] + 2.0 * y[q] * a_yy[q] + x[q] * a_xy[q];
            }
        });
        emit(done, out);
        done = end;
        // Let go of the rows no remaining source row reads.
        if done < h {
            for ring in rings.iter_mut() {
                let keep = (done..(done + ring.f.n()).min(h)).map(|r| ring.reads(r, h).0).min().unwrap();
                let keep = keep.clamp(ring.first, ring.next());
                let gone = (keep - ring.first) * 3 * ring.ow;
                ring.rows.copy_within(gone..ring.len, 0);
                ring.len -= gone;
                ring.first = keep;
            }
        }
    }
    parts
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::backward::{lwssim_plane_grad, ssim_plane_grad, Objective};
    use crate::lwssim::LwssimParams;
    use crate::plane::Plane;
    use crate::ssim::SsimParams;
    use crate::window::{Border, Window};

    std::thread_local! {
        /// Chunks a band holds, whatever the width and threads.
        pub static BAND: core::cell::Cell<Option<usize>> = const { core::cell::Cell::new(None) };
    }

    fn with_band<T>(band: usize, run: impl FnOnce() -> T) -> T {
        BAND.with(|b| b.set(Some(band)));
        let out = run();
        BAND.with(|b| b.set(None));
        out
    }

    /// Bands of one chunk reuse every ring row again and again (stale rows
    /// past the held ones, NaN when first grown): they give the bits of a
    /// band that holds the whole plane, and no NaN.
    #[test]
    fn small_bands_reuse_rows_without_changing_a_bit() {
        let (w, h) = (37, 290);
        let px = |seed: u32| Plane::new(w, h, (0..w * h).map(|i| (((i as u32).wrapping_mul(2654435761) ^ seed) % 1000) as f64 / 1000.0).collect());
        let (x, y) = (px(1), px(7));
        for border in [Border::Valid, Border::Same] {
            for window in [Window::Gaussian { size: 11, sigma: 1.5 }, Window::Box { size: 8 }] {
                let p = SsimParams { window, border, ..Default::default() };
                let run = || ssim_plane_grad(&x, &y, &p, Objective::Ssim);
                let (small, whole) = (with_band(1, run), with_band(64, run));
                assert!(small.1.iter().all(|g| g.is_finite()), "ssim {window:?} {border:?}: a sample was never written");
                assert!(small == whole, "ssim {window:?} {border:?}: one-chunk bands changed the bits");
            }
            let mixed = vec![(Window::Box { size: 3 }, 1.0), (Window::Gaussian { size: 5, sigma: 0.7 }, 2.0), (Window::Box { size: 11 }, 0.5)];
            for levels in [LwssimParams::default().levels, mixed] {
                let p = LwssimParams { levels, border, ..Default::default() };
                let run = || lwssim_plane_grad(&x, &y, &p);
                let (small, whole) = (with_band(1, run), with_band(64, run));
                assert!(small.1.iter().all(|g| g.is_finite()), "lwssim {border:?}: a sample was never written");
                assert!(small == whole, "lwssim {border:?}: one-chunk bands changed the bits");
            }
        }
    }
}

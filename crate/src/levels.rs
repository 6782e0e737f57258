//! LWSSIM's box levels in one pass. Every level reads the same rows and the
//! same five products; each row's products are turned into prefix sums
//! once, and any box of any level is then one difference of two prefix
//! sums. Per level, a running column sum slides down the rows. So five
//! levels cost one read, one prefix and five cheap slides, not five passes.
//!
//! Outputs are indexed by their window's centre row and column, shared by
//! all levels: chunks are CHUNK centre rows and strips STRIP centre columns,
//! fixed by the image alone, as in `stream` (so the bits never depend on
//! the thread count or on how rows were fed).

use crate::kernels::{self, Moments5, SsimConsts};
use crate::stream::{read_products, Columns, Five, PairRows, Signals, STRIP};
use crate::window::{reflect, Border};

/// The centre positions [lo, hi) along an axis of `len` where a window of
/// half-width `c` is an output.
pub fn centres(border: Border, len: usize, c: usize) -> (usize, usize) {
    match border {
        Border::Valid => (c, len - c),
        Border::Same => (0, len),
    }
}

/// Streams centre rows [r0, r1) of one plane for box windows of half-widths
/// `halves` (sizes 2c + 1), handing each level's moments, strip by strip,
/// to `emit(level, centre row, first centre column, moments)`.
/// What `chunk_levels` hands over for one row of one level in one strip.
pub enum LevelRow<'a> {
    Moments(&'a Moments5<'a>),
    /// The row's SSIM sums ([l*cs, cs, l], as `kernels::ssim_row`), when the
    /// caller asked for scores and the row was a slide (fused, no moments).
    Scored([f64; 3]),
}

pub fn chunk_levels(src: &dyn PairRows, plane: usize, halves: &[usize], border: Border, r0: usize, r1: usize,
    score: Option<&SsimConsts>, mut emit: impl FnMut(usize, usize, usize, LevelRow)) {
    let (w, h) = (src.width(), src.height());
    let cm = *halves.iter().max().unwrap();
    let st = STRIP.min(w);
    let pmax = st + 2 * cm;
    // The oldest row a slide lets go of is 2 cm + 1 rows behind the newest.
    let slots = 2 * cm + 2;
    let mut raw = vec![0.0; 2 * w];
    let mut pad = vec![0.0; 5 * pmax];
    let mut ring = vec![0.0; slots * 5 * (pmax + 1)];
    let mut sums = vec![0.0; halves.len() * 5 * st];
    let mut out = vec![0.0; 5 * st];
    let first = r0 as isize - cm as isize;
    let slot = |p: isize| ((p - first) as usize) % slots;
    let at = |slot: usize, s: usize| (slot * 5 + s) * (pmax + 1);
    for j0 in (0..w).step_by(st) {
        let j1 = (j0 + st).min(w);
        let plen = j1 - j0 + 2 * cm;
        // Padded column q reads source column reflect(j0 + q - cm): beyond
        // the edges only 'same' outputs ever use what is read there.
        let idx: Vec<usize> = (0..plen).map(|q| reflect(j0 as isize + q as isize - cm as isize, w)).collect();
        let mut started = vec![false; halves.len()];
        for p in first..(r1 + cm) as isize {
            {
                read_products(Five::K, src, plane, reflect(p, h), Columns::Gather(&idx), plen, &mut pad, pmax, &mut raw);
                let (px, rest) = pad.split_at(pmax);
                let (py, rest) = rest.split_at(pmax);
                let (xx, rest) = rest.split_at(pmax);
                let (yy, xy) = rest.split_at(pmax);
                let base = at(slot(p), 0);
                let mut it = ring[base..base + 5 * (pmax + 1)].chunks_mut(pmax + 1);
                let dst: [&mut [f64]; 5] = core::array::from_fn(|_| it.next().unwrap());
                let srcs: [&[f64]; 5] = [&px[..plen], &py[..plen], &xx[..plen], &yy[..plen], &xy[..plen]];
                kernels::prefix5(srcs, dst);
            }
            let r = p - cm as isize;
            if r < r0 as isize {
                continue;
            }
            let r = r as usize;
            for (l, &c) in halves.iter().enumerate() {
                let (rlo, rhi) = centres(border, h, c);
                let (clo, chi) = centres(border, w, c);
                let (c0, c1) = (clo.max(j0), chi.min(j1));
                if r < rlo || r >= rhi || c0 >= c1 {
                    continue;
                }
                let len = c1 - c0;
                // Centre column j is padded column j - j0 + cm; its box is
                // prefix[q - c .. q + c + 1]: from `off`, the span [0, 2c + 1).
                let off = c0 - j0 + cm - c;
                let scale = 1.0 / ((2 * c + 1) * (2 * c + 1)) as f64;
                if let (true, Some(k)) = (started[l], score) {
                    let (e, lv) = (at(slot((r + c) as isize), 0), at(slot(r as isize - c as isize - 1), 0));
                    let stride = pmax + 1;
                    let enter: [&[f64]; 5] = core::array::from_fn(|s| &ring[e + s * stride + off..e + (s + 1) * stride]);
                    let leave: [&[f64]; 5] = core::array::from_fn(|s| &ring[lv + s * stride + off..lv + (s + 1) * stride]);
                    let mut it = sums[l * 5 * st..(l + 1) * 5 * st].chunks_mut(st);
                    let sum: [&mut [f64]; 5] = core::array::from_fn(|_| &mut it.next().unwrap()[..len]);
                    emit(l, r, c0, LevelRow::Scored(kernels::slide_score(sum, enter, leave, 0, 2 * c + 1, scale, k)));
                    continue;
                }
                for s in 0..5 {
                    let sum = &mut sums[(l * 5 + s) * st..][..len];
                    let dst = &mut out[s * st..][..len];
                    if !started[l] {
                        // Padded rows: under 'same' they start above the top.
                        let (top, bottom) = (r as isize - c as isize, (r + c) as isize);
                        let row = |k: usize| {
                            let q = top + k as isize;
                            &ring[at(slot(q), s) + off..at(slot(q), s) + pmax + 1]
                        };
                        kernels::with_rows((bottom - top + 1) as usize, row, |rows| kernels::vbox_init_prefix(rows, 0, 2 * c + 1, sum));
                        kernels::scale(sum, scale, dst);
                    } else {
                        let enter = &ring[at(slot((r + c) as isize), s) + off..at(slot((r + c) as isize), s) + pmax + 1];
                        let leave_row = r as isize - c as isize - 1;
                        let leave = &ring[at(slot(leave_row), s) + off..at(slot(leave_row), s) + pmax + 1];
                        kernels::vbox_slide_prefix(sum, enter, leave, 0, 2 * c + 1, scale, dst);
                    }
                }
                started[l] = true;
                let m = Moments5 {
                    mx: &out[..len],
                    my: &out[st..st + len],
                    xx: &out[2 * st..2 * st + len],
                    yy: &out[3 * st..3 * st + len],
                    xy: &out[4 * st..4 * st + len],
                };
                emit(l, r, c0, LevelRow::Moments(&m));
            }
        }
    }
}

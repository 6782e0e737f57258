//! Window statistics by streaming rows: the engine under every score.
//!
//! Output rows are cut into chunks of [`CHUNK`] rows, fixed by the image
//! alone. A chunk reads its rows plus the window's n - 1 rows of halo, one
//! source row at a time: the row's five product signals (x, y, x^2, y^2, xy)
//! are filtered horizontally into a ring of n rows, and each output row is
//! the vertical filter of the ring. Memory is the ring, n x width, never
//! the image; chunks run in parallel (rayon), and every sum is reduced row
//! by row within a chunk, then chunk by chunk, so the bits do not depend on
//! the number of threads.

use rayon::prelude::*;

use crate::image::{Color, Image};
use crate::kernels::{self, Moments5};
use crate::plane::Plane;
use crate::real::Real;
use crate::window::{reflect, Border, Window};

/// Output rows per chunk: the unit of parallel work and of reduction.
pub const CHUNK: usize = 64;

/// A pair of images seen as rows of f64 planes.
pub trait PairRows: Sync {
    fn width(&self) -> usize;
    fn height(&self) -> usize;
    fn planes(&self) -> usize;
    /// The samples' data range L on the scale they are read at: 1 for
    /// planes already divided by L, L itself for raw pixels (the constants
    /// scale instead: C1 = (k1 L)^2).
    fn range(&self) -> f64;
    /// Samples c0 .. c0 + x.len() of row `r` of plane `plane`, of x and y.
    fn row(&self, plane: usize, r: usize, c0: usize, x: &mut [f64], y: &mut [f64]);
}

/// One plane pair.
pub struct PlanePair<'a, T> {
    pub x: &'a Plane<T>,
    pub y: &'a Plane<T>,
}

impl<T: Real> PairRows for PlanePair<'_, T> {
    fn width(&self) -> usize {
        self.x.width
    }
    fn height(&self) -> usize {
        self.x.height
    }
    fn planes(&self) -> usize {
        1
    }
    fn range(&self) -> f64 {
        1.0
    }
    fn row(&self, _: usize, r: usize, c0: usize, x: &mut [f64], y: &mut [f64]) {
        for (d, s) in x.iter_mut().zip(&self.x.row(r)[c0..]) {
            *d = s.to_f64();
        }
        for (d, s) in y.iter_mut().zip(&self.y.row(r)[c0..]) {
            *d = s.to_f64();
        }
    }
}

/// The compared planes of two interleaved images, read in place, each
/// sample divided by L (correctly rounded, so 8-bit v and 16-bit 257 v read
/// as the same double and score the same bits).
pub struct ImagePair<'a> {
    x: &'a Image<'a>,
    y: &'a Image<'a>,
    /// Per plane: the channel read, or None for luma.
    sources: Vec<Option<usize>>,
    range: f64,
}

impl<'a> ImagePair<'a> {
    pub fn new(x: &'a Image<'a>, y: &'a Image<'a>, color: Color, alpha: bool, range: f64) -> Self {
        let sources = x.plane_sources(color, alpha);
        ImagePair { x, y, sources, range }
    }
}

impl PairRows for ImagePair<'_> {
    fn width(&self) -> usize {
        self.x.width
    }
    fn height(&self) -> usize {
        self.x.height
    }
    fn planes(&self) -> usize {
        self.sources.len()
    }
    fn range(&self) -> f64 {
        1.0
    }
    fn row(&self, plane: usize, r: usize, c0: usize, x: &mut [f64], y: &mut [f64]) {
        for (img, out) in [(self.x, x), (self.y, y)] {
            img.read_row(self.sources[plane], r, c0, out);
            for v in out.iter_mut() {
                *v /= self.range;
            }
        }
    }
}

/// A window's filter in the form the engine runs: the folded half of a
/// symmetric window, or a box by running sums.
#[derive(Clone, Debug)]
pub enum Filter {
    Symmetric { half: Vec<f64> },
    Box { n: usize },
}

impl Filter {
    pub fn new(w: &Window) -> Self {
        match *w {
            Window::Box { size } => Filter::Box { n: size },
            Window::Gaussian { size, .. } => {
                let taps = w.taps();
                Filter::Symmetric { half: taps[..size / 2 + 1].to_vec() }
            }
        }
    }
    pub fn n(&self) -> usize {
        match self {
            Filter::Symmetric { half } => 2 * half.len() - 1,
            Filter::Box { n } => *n,
        }
    }
}

/// What one chunk of one plane adds up: three sums a row kernel returns.
pub type RowFn<'f> = dyn Fn(&Moments5, Option<&mut [f64]>) -> [f64; 3] + Sync + 'f;

/// Output size of a plane pair under this filter and border.
pub fn output_size(src: &dyn PairRows, f: &Filter, border: Border) -> (usize, usize) {
    (border.output_len(src.width(), f.n()), border.output_len(src.height(), f.n()))
}

/// Which columns of a source row a padded row holds.
pub(crate) enum Columns<'a> {
    /// The row's own columns from this one on.
    Span(usize),
    /// These columns, in this order (reflected at the edges).
    Gather(&'a [usize]),
}

/// Reads `len` padded samples of row `r` of a plane pair and forms the five
/// product signals x, y, x^2, y^2, xy, one after another `stride` apart in
/// `pad`. `raw` is scratch for two source rows.
pub(crate) fn read_products(src: &dyn PairRows, plane: usize, r: usize, columns: Columns, len: usize, pad: &mut [f64], stride: usize,
    raw: &mut [f64]) {
    let w = src.width();
    let (px, rest) = pad.split_at_mut(stride);
    let (py, prod) = rest.split_at_mut(stride);
    let (px, py) = (&mut px[..len], &mut py[..len]);
    match columns {
        Columns::Span(c0) => src.row(plane, r, c0, px, py),
        Columns::Gather(idx) => {
            // One span of source columns covers them all.
            let (lo, hi) = (*idx.iter().min().unwrap(), *idx.iter().max().unwrap());
            let (rx, ry) = raw.split_at_mut(w);
            src.row(plane, r, lo, &mut rx[..=hi - lo], &mut ry[..=hi - lo]);
            for (q, &c) in idx.iter().enumerate() {
                px[q] = rx[c - lo];
                py[q] = ry[c - lo];
            }
        }
    }
    let (xx, rest) = prod.split_at_mut(stride);
    let (yy, xy) = rest.split_at_mut(stride);
    for q in 0..len {
        let (a, b) = (px[q], py[q]);
        xx[q] = a * a;
        yy[q] = b * b;
        xy[q] = a * b;
    }
}

/// Output columns per strip: the ring of one strip (5 signals x n rows)
/// stays in a core's L2 cache however wide the image is.
pub const STRIP: usize = 256;

/// Streams output rows [i0, i1) of one plane, strip by strip, handing each
/// strip of each row's moments to `emit(row, first column, moments)`.
pub fn chunk_moments(src: &dyn PairRows, plane: usize, f: &Filter, border: Border, i0: usize, i1: usize,
    mut emit: impl FnMut(usize, usize, &Moments5)) {
    let n = f.n();
    let (w, h) = (src.width(), src.height());
    let (ow, _) = output_size(src, f, border);
    let cols = match border {
        Border::Valid => None,
        Border::Same => Some(border.source_indices(w, n)),
    };
    let before = (n - 1) / 2;
    let source_row = |p: usize| match border {
        Border::Valid => p,
        Border::Same => reflect(p as isize - before as isize, h),
    };
    let st = STRIP.min(ow);
    let pst = st + n - 1;
    // A box keeps one more ring slot: the row leaving its running sum.
    let slots = if matches!(f, Filter::Box { .. }) { n + 1 } else { n };
    let mut raw = vec![0.0; 2 * w];
    let mut pad = vec![0.0; 5 * pst];
    let mut ring = vec![0.0; slots * 5 * st];
    let mut out = vec![0.0; 5 * st];
    let mut colsum = vec![0.0; if slots > n { 5 * st } else { 0 }];
    let inv_area = match f {
        Filter::Box { n } => 1.0 / (*n * *n) as f64,
        Filter::Symmetric { .. } => 0.0,
    };
    let at = |slot: usize, s: usize| (slot * 5 + s) * st;
    for j0 in (0..ow).step_by(st) {
        let sw = st.min(ow - j0);
        let plen = sw + n - 1;
        for p in i0..i1 + n - 1 {
            let columns = match &cols {
                None => Columns::Span(j0),
                Some(cols) => Columns::Gather(&cols[j0..j0 + plen]),
            };
            read_products(src, plane, source_row(p), columns, plen, &mut pad, pst, &mut raw);
            let slot = (p - i0) % slots;
            {
                let dst = &mut ring[at(slot, 0)..at(slot, 0) + 5 * st];
                match f {
                    Filter::Symmetric { half } => {
                        for (s, d) in dst.chunks_mut(st).enumerate() {
                            kernels::hfilter(&pad[s * pst..s * pst + plen], half, &mut d[..sw]);
                        }
                    }
                    Filter::Box { n } => {
                        let mut it = dst.chunks_mut(st);
                        let d: [&mut [f64]; 5] = core::array::from_fn(|_| &mut it.next().unwrap()[..sw]);
                        kernels::hbox5(core::array::from_fn(|s| &pad[s * pst..s * pst + plen]), *n, d);
                    }
                }
            }
            if p < i0 + n - 1 {
                continue;
            }
            let i = p + 1 - n;
            for s in 0..5 {
                let dst = &mut out[s * st..s * st + sw];
                match f {
                    Filter::Symmetric { half } => {
                        kernels::with_rows(n, |k| &ring[at((i - i0 + k) % slots, s)..][..sw], |rows| kernels::vfilter(rows, half, dst));
                    }
                    Filter::Box { .. } => {
                        let sum = &mut colsum[s * st..s * st + sw];
                        if i == i0 {
                            kernels::with_rows(n, |k| &ring[at(k % slots, s)..][..sw], |rows| kernels::vbox_init(rows, sum));
                            kernels::scale(sum, inv_area, dst);
                        } else {
                            let enter = &ring[at(slot, s)..][..sw];
                            let leave = &ring[at((i - 1 - i0) % slots, s)..][..sw];
                            kernels::vbox_slide(sum, enter, leave, inv_area, dst);
                        }
                    }
                }
            }
            let m = Moments5 {
                mx: &out[..sw],
                my: &out[st..st + sw],
                xx: &out[2 * st..2 * st + sw],
                yy: &out[3 * st..3 * st + sw],
                xy: &out[4 * st..4 * st + sw],
            };
            emit(i, j0, &m);
        }
    }
}

pub(crate) fn chunk_sums(src: &dyn PairRows, plane: usize, f: &Filter, border: Border, i0: usize, i1: usize, row: &RowFn) -> [f64; 3] {
    let mut acc = [0.0; 3];
    chunk_moments(src, plane, f, border, i0, i1, |_, _, m| {
        let r = row(m, None);
        add3(&mut acc, r);
    });
    acc
}

/// `acc += r`, term by term: every sum of the row kernels' three values.
#[inline(always)]
pub(crate) fn add3(acc: &mut [f64; 3], r: [f64; 3]) {
    for t in 0..3 {
        acc[t] += r[t];
    }
}

/// Sums in the order given (chunk by chunk: the fixed reduction order).
pub(crate) fn join(parts: impl IntoIterator<Item = [f64; 3]>) -> [f64; 3] {
    let mut acc = [0.0; 3];
    for r in parts {
        add3(&mut acc, r);
    }
    acc
}

/// Per plane, the sums of the row kernel's three values over every output
/// position; chunks of all planes run in parallel.
pub fn plane_sums(src: &dyn PairRows, f: &Filter, border: Border, row: &RowFn) -> Vec<[f64; 3]> {
    let (_, oh) = output_size(src, f, border);
    let chunks = oh.div_ceil(CHUNK);
    let parts: Vec<[f64; 3]> = (0..src.planes() * chunks)
        .into_par_iter()
        .map(|t| {
            let (plane, c) = (t / chunks, t % chunks);
            chunk_sums(src, plane, f, border, c * CHUNK, ((c + 1) * CHUNK).min(oh), row)
        })
        .collect();
    parts.chunks(chunks).map(|p| join(p.iter().copied())).collect()
}

/// Output rows [i0, i1) of every plane, writing the map rows (the mean over
/// planes of the first value the row kernel writes) into `dst`: per plane,
/// the same sums as [`chunk_sums`].
pub(crate) fn chunk_with_map(src: &dyn PairRows, f: &Filter, border: Border, i0: usize, i1: usize, row: &RowFn, dst: &mut [f32]) -> Vec<[f64; 3]> {
    let (ow, _) = output_size(src, f, border);
    let planes = src.planes();
    let mut mean = vec![0.0f64; (i1 - i0) * ow];
    let mut tmp = vec![0.0f64; STRIP.min(ow)];
    let sums = (0..planes)
        .map(|plane| {
            let mut acc = [0.0; 3];
            chunk_moments(src, plane, f, border, i0, i1, |i, j0, m| {
                let sw = m.mx.len();
                let r = row(m, Some(&mut tmp[..sw]));
                add3(&mut acc, r);
                for (d, v) in mean[(i - i0) * ow + j0..][..sw].iter_mut().zip(&tmp) {
                    *d += *v;
                }
            });
            acc
        })
        .collect();
    let k = planes as f64;
    for (d, v) in dst.iter_mut().zip(&mean) {
        *d = (*v / k) as f32;
    }
    sums
}

/// As [`plane_sums`], and the map: the mean over planes of the first value
/// the row kernel writes. The sums are the same bits as `plane_sums`'.
pub fn plane_sums_with_map(src: &dyn PairRows, f: &Filter, border: Border, row: &RowFn) -> (Vec<[f64; 3]>, Plane<f32>) {
    let (ow, oh) = output_size(src, f, border);
    let planes = src.planes();
    let mut map = vec![0.0f32; ow * oh];
    let parts: Vec<Vec<[f64; 3]>> = map
        .par_chunks_mut(CHUNK * ow)
        .enumerate()
        .map(|(c, dst)| chunk_with_map(src, f, border, c * CHUNK, ((c + 1) * CHUNK).min(oh), row, dst))
        .collect();
    let sums = (0..planes).map(|plane| join(parts.iter().map(|p| p[plane]))).collect();
    (sums, Plane::new(ow, oh, map))
}

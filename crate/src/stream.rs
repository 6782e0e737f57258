//! Window statistics by streaming rows: the engine under every score.
//!
//! Output rows are cut into chunks of [`CHUNK`] rows, fixed by the image
//! alone. A chunk reads its rows plus the window's n - 1 rows of halo, one
//! source row at a time: the row's product signals ([`Signals`]: four, x, y,
//! x^2 + y^2, xy, where only sigma_x^2 + sigma_y^2 is needed; five, x, y,
//! x^2, y^2, xy, otherwise) are filtered horizontally into a ring of n
//! rows, and each output row is
//! the vertical filter of the ring. Memory is the ring, n x width, never
//! the image; chunks run in parallel (rayon), and every sum is reduced row
//! by row within a chunk, then chunk by chunk, so the bits do not depend on
//! the number of threads.

use rayon::prelude::*;

use crate::image::Image;
use crate::kernels::{self, Moments4, Moments5};
use crate::pairing::Pairing;
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

/// The compared planes of two interleaved images, read in place as their
/// [`Pairing`] says, each sample divided by L (correctly rounded, so 8-bit
/// v and 16-bit 257 v read as the same double and score the same bits).
pub struct ImagePair<'a> {
    x: &'a Image<'a>,
    y: &'a Image<'a>,
    pairing: &'a Pairing,
}

impl<'a> ImagePair<'a> {
    pub fn new(x: &'a Image<'a>, y: &'a Image<'a>, pairing: &'a Pairing) -> Self {
        ImagePair { x, y, pairing }
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
        self.pairing.planes()
    }
    fn range(&self) -> f64 {
        1.0
    }
    fn row(&self, plane: usize, r: usize, c0: usize, x: &mut [f64], y: &mut [f64]) {
        let p = self.pairing;
        p.x.row(self.x, plane, r, c0, p.range, x);
        p.y.row(self.y, plane, r, c0, p.range, y);
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

/// Which product signals the engine streams, and the moments it hands on.
/// Only the hand-over is generic: the engine itself takes K at run time,
/// so it is compiled once (the wasm size budget).
pub trait Signals: 'static {
    /// Signals per sample: 4 or 5.
    const K: usize;
    type Row<'a>;
    /// The moments of `K` filtered rows, in signal order.
    fn row<'a>(rows: &[&'a [f64]]) -> Self::Row<'a>;
}

/// x, y, x^2 + y^2, xy: SSIM and MS-SSIM need sigma_x^2 + sigma_y^2 only, so
/// one signal less to read, filter and hold.
pub struct Four;

/// x, y, x^2, y^2, xy: for what needs sigma_x and sigma_y apart (LWSSIM's
/// contrast term, the gradients).
pub struct Five;

impl Signals for Four {
    const K: usize = 4;
    type Row<'a> = Moments4<'a>;
    fn row<'a>(r: &[&'a [f64]]) -> Moments4<'a> {
        Moments4 { mx: r[0], my: r[1], ss: r[2], xy: r[3] }
    }
}

impl Signals for Five {
    const K: usize = 5;
    type Row<'a> = Moments5<'a>;
    fn row<'a>(r: &[&'a [f64]]) -> Moments5<'a> {
        Moments5 { mx: r[0], my: r[1], xx: r[2], yy: r[3], xy: r[4] }
    }
}

/// Signals 2.. of k (see [`Signals`]) of samples `px`, `py`, one after
/// another `stride` apart in `prod`.
fn products(k: usize, px: &[f64], py: &[f64], prod: &mut [f64], stride: usize) {
    if k == 4 {
        let (ss, xy) = prod.split_at_mut(stride);
        for (q, (&a, &b)) in px.iter().zip(py).enumerate() {
            ss[q] = a * a + b * b;
            xy[q] = a * b;
        }
    } else {
        let (xx, rest) = prod.split_at_mut(stride);
        let (yy, xy) = rest.split_at_mut(stride);
        for (q, (&a, &b)) in px.iter().zip(py).enumerate() {
            xx[q] = a * a;
            yy[q] = b * b;
            xy[q] = a * b;
        }
    }
}

/// Running box sums of k signals at once (`kernels::hbox_k`, `hbox5`).
fn hbox_signals(src: &[&[f64]], n: usize, dst: &mut [&mut [f64]]) {
    match dst {
        [d0, d1, d2, d3] => kernels::hbox_k::<4>(core::array::from_fn(|s| src[s]), n, [d0, d1, d2, d3]),
        [d0, d1, d2, d3, d4] => kernels::hbox5(core::array::from_fn(|s| src[s]), n, [d0, d1, d2, d3, d4]),
        _ => unreachable!("4 or 5 signals"),
    }
}

/// What one chunk of one plane adds up: three sums a row kernel returns.
pub type RowFn<'f, S> = dyn Fn(&<S as Signals>::Row<'_>, Option<&mut [f64]>) -> [f64; 3] + Sync + 'f;

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

/// Reads `len` padded samples of row `r` of a plane pair and forms the
/// product signals of `S`, one after another `stride` apart in `pad`. `raw`
/// is scratch for two source rows.
pub(crate) fn read_products(k: usize, src: &dyn PairRows, plane: usize, r: usize, columns: Columns, len: usize, pad: &mut [f64], stride: usize,
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
    products(k, px, py, prod, stride);
}

/// Where a chunk's padded rows and columns come from under `border`: the
/// source columns of a padded row ('same' reflects them; None: the row's
/// own, from the strip's first on) and the source row of padded row p.
pub(crate) fn padded_sources(w: usize, h: usize, n: usize, border: Border) -> (Option<Vec<usize>>, impl Fn(usize) -> usize) {
    let cols = match border {
        Border::Valid => None,
        Border::Same => Some(border.source_indices(w, n)),
    };
    (cols, source_rows(h, n, border))
}

/// The source row of padded row p (the rows half of [`padded_sources`],
/// for callers that keep the columns already).
pub(crate) fn source_rows(h: usize, n: usize, border: Border) -> impl Fn(usize) -> usize {
    let before = (n - 1) / 2;
    move |p: usize| match border {
        Border::Valid => p,
        Border::Same => reflect(p as isize - before as isize, h),
    }
}

/// Output columns per strip: the ring of one strip (K signals x n rows)
/// stays in a core's L2 cache however wide the image is.
pub const STRIP: usize = 256;

/// Streams output rows [i0, i1) of one plane, strip by strip, handing each
/// strip of each row's moments to `emit(row, first column, moments)`.
pub fn chunk_moments<S: Signals>(src: &dyn PairRows, plane: usize, f: &Filter, border: Border, i0: usize, i1: usize,
    mut emit: impl FnMut(usize, usize, &S::Row<'_>)) {
    chunk_rows(src, plane, f, border, i0, i1, S::K, &mut |i, j0, rows| emit(i, j0, &S::row(rows)));
}

/// [`chunk_moments`] with K at run time, handing on the K moment rows.
fn chunk_rows(src: &dyn PairRows, plane: usize, f: &Filter, border: Border, i0: usize, i1: usize, k: usize,
    emit: &mut dyn FnMut(usize, usize, &[&[f64]])) {
    let n = f.n();
    let (w, h) = (src.width(), src.height());
    let (ow, _) = output_size(src, f, border);
    let (cols, source_row) = padded_sources(w, h, n, border);
    let st = STRIP.min(ow);
    let pst = st + n - 1;
    // A box keeps one more ring slot: the row leaving its running sum.
    let slots = if matches!(f, Filter::Box { .. }) { n + 1 } else { n };
    let mut raw = vec![0.0; 2 * w];
    let mut pad = vec![0.0; k * pst];
    // A slot's stride is padded by a cache line: 4 x 256 doubles is 8 KiB,
    // and n rows a power of two apart would share one L1 set (4 KiB aliasing).
    let slot_len = k * st + 8;
    let mut ring = vec![0.0; slots * slot_len];
    let mut out = vec![0.0; k * st];
    let mut colsum = vec![0.0; if slots > n { k * st } else { 0 }];
    let inv_area = match f {
        Filter::Box { n } => 1.0 / (*n * *n) as f64,
        Filter::Symmetric { .. } => 0.0,
    };
    let at = |slot: usize, s: usize| slot * slot_len + s * st;
    for j0 in (0..ow).step_by(st) {
        let sw = st.min(ow - j0);
        let plen = sw + n - 1;
        for p in i0..i1 + n - 1 {
            let columns = match &cols {
                None => Columns::Span(j0),
                Some(cols) => Columns::Gather(&cols[j0..j0 + plen]),
            };
            read_products(k, src, plane, source_row(p), columns, plen, &mut pad, pst, &mut raw);
            let slot = (p - i0) % slots;
            {
                let dst = &mut ring[at(slot, 0)..at(slot, 0) + k * st];
                match f {
                    Filter::Symmetric { half } => {
                        for (s, d) in dst.chunks_mut(st).enumerate() {
                            kernels::hfilter(&pad[s * pst..s * pst + plen], half, &mut d[..sw]);
                        }
                    }
                    Filter::Box { n } => {
                        // On the stack: hot loops must not allocate (see kernels::with_rows).
                        let mut it = dst.chunks_mut(st);
                        let mut d: [&mut [f64]; 5] = core::array::from_fn(|_| it.next().map_or(&mut [][..], |d| &mut d[..sw]));
                        let d = &mut d[..k];
                        kernels::with_rows(k, |s| &pad[s * pst..s * pst + plen], |rows| hbox_signals(rows, *n, d));
                    }
                }
            }
            if p < i0 + n - 1 {
                continue;
            }
            let i = p + 1 - n;
            for s in 0..k {
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
            kernels::with_rows(k, |s| &out[s * st..s * st + sw], |rows| emit(i, j0, rows));
        }
    }
}

/// A chunk's sums in one task: the order [`Strips`] reproduces (the tests' reference).
#[cfg(test)]
pub(crate) fn chunk_sums<S: Signals>(src: &dyn PairRows, plane: usize, f: &Filter, border: Border, i0: usize, i1: usize, row: &RowFn<S>) -> [f64; 3] {
    let mut acc = [0.0; 3];
    chunk_moments::<S>(src, plane, f, border, i0, i1, |_, _, m| {
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

/// How a plane's chunks split into strips of [`STRIP`] output columns, the
/// unit of parallel work: 3 planes x 1 chunk is 3 tasks for 2 threads, 24
/// at 1920 wide. A chunk's sums are its strips' row values added strip by
/// strip, row by row: the order [`chunk_sums`] adds them in, so the split
/// changes no bit (and the backward's forward sums stay the same bits).
pub(crate) struct Strips {
    ow: usize,
    oh: usize,
    st: usize,
    n: usize,
    border: Border,
    /// 'same': the source column of each padded column.
    cols: Option<Vec<usize>>,
}

impl Strips {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn new(src: &dyn PairRows, f: &Filter, border: Border) -> Self {
        Self::of(src.width(), src.height(), f, border)
    }

    /// The strips of a `w` x `h` plane.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn of(w: usize, h: usize, f: &Filter, border: Border) -> Self {
        let (ow, oh) = (border.output_len(w, f.n()), border.output_len(h, f.n()));
        let (cols, _) = padded_sources(w, h, f.n(), border);
        Strips { ow, oh, st: STRIP.min(ow), n: f.n(), border, cols }
    }

    pub fn count(&self) -> usize {
        self.ow.div_ceil(self.st)
    }

    /// The row kernel's values, row by row, of strip `strip` of output rows
    /// [i0, i1) of one plane: the engine run on the strip seen as an image
    /// of its own ([`StripView`], a valid border), which reads the same
    /// samples in the same order as the whole chunk does.
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn rows<S: Signals>(&self, src: &dyn PairRows, plane: usize, f: &Filter, i0: usize, i1: usize, strip: usize, row: &RowFn<S>) -> Vec<[f64; 3]> {
        let j0 = strip * self.st;
        let plen = self.st.min(self.ow - j0) + self.n - 1;
        // The columns are kept in `self.cols`: only the rows are needed here.
        let source_row = source_rows(src.height(), self.n, self.border);
        let cols = self.cols.as_ref().map(|c| &c[j0..j0 + plen]);
        let view = StripView { src, j0, cols, width: plen, height: self.oh + self.n - 1, source_row };
        let mut out = Vec::with_capacity(i1 - i0);
        chunk_moments::<S>(&view, plane, f, Border::Valid, i0, i1, |_, _, m| out.push(row(m, None)));
        out
    }
}

/// Strip values added strip by strip, row by row (see [`Strips`]).
pub(crate) fn join_strips<'a>(strips: impl IntoIterator<Item = &'a Vec<[f64; 3]>>) -> [f64; 3] {
    let mut acc = [0.0; 3];
    for r in strips.into_iter().flatten() {
        add3(&mut acc, *r);
    }
    acc
}

/// A strip's padded columns and the padded rows of a plane pair, as an
/// image whose valid outputs are the strip's.
struct StripView<'a, R> {
    src: &'a dyn PairRows,
    j0: usize,
    cols: Option<&'a [usize]>,
    width: usize,
    height: usize,
    source_row: R,
}

impl<R: Fn(usize) -> usize + Sync> PairRows for StripView<'_, R> {
    fn width(&self) -> usize {
        self.width
    }
    fn height(&self) -> usize {
        self.height
    }
    fn planes(&self) -> usize {
        self.src.planes()
    }
    fn range(&self) -> f64 {
        self.src.range()
    }
    fn row(&self, plane: usize, r: usize, c0: usize, x: &mut [f64], y: &mut [f64]) {
        let r = (self.source_row)(r);
        let Some(cols) = self.cols else { return self.src.row(plane, r, self.j0 + c0, x, y) };
        // Runs of consecutive source columns in one read each: only the
        // reflected columns at the edges are read one by one.
        let cols = &cols[c0..c0 + x.len()];
        let mut a = 0;
        while a < cols.len() {
            let mut b = a + 1;
            while b < cols.len() && cols[b] == cols[b - 1] + 1 {
                b += 1;
            }
            self.src.row(plane, r, cols[a], &mut x[a..b], &mut y[a..b]);
            a = b;
        }
    }
}

/// Per plane, the sums of the row kernel's three values over every output
/// position; the strips of every chunk of every plane run in parallel.
pub fn plane_sums<S: Signals>(src: &dyn PairRows, f: &Filter, border: Border, row: &RowFn<S>) -> Vec<[f64; 3]> {
    let strips = Strips::new(src, f, border);
    let oh = strips.oh;
    let (chunks, ns) = (oh.div_ceil(CHUNK), strips.count());
    let parts: Vec<Vec<[f64; 3]>> = (0..src.planes() * chunks * ns)
        .into_par_iter()
        .map(|t| {
            let (plane, c, s) = (t / (chunks * ns), t / ns % chunks, t % ns);
            strips.rows::<S>(src, plane, f, c * CHUNK, ((c + 1) * CHUNK).min(oh), s, row)
        })
        .collect();
    parts.chunks(chunks * ns).map(|p| join(p.chunks(ns).map(join_strips))).collect()
}

/// Output rows [i0, i1) of every plane, writing the map rows (the mean over
/// planes of the first value the row kernel writes) into `dst`: per plane,
/// the same sums as [`chunk_sums`].
pub(crate) fn chunk_with_map<S: Signals>(src: &dyn PairRows, f: &Filter, border: Border, i0: usize, i1: usize, row: &RowFn<S>, dst: &mut [f32]) -> Vec<[f64; 3]> {
    let (ow, _) = output_size(src, f, border);
    let planes = src.planes();
    let mut mean = vec![0.0f64; (i1 - i0) * ow];
    let mut tmp = vec![0.0f64; STRIP.min(ow)];
    let sums = (0..planes)
        .map(|plane| {
            let mut acc = [0.0; 3];
            chunk_moments::<S>(src, plane, f, border, i0, i1, |i, j0, m| {
                let sw = STRIP.min(ow).min(ow - j0);
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
pub fn plane_sums_with_map<S: Signals>(src: &dyn PairRows, f: &Filter, border: Border, row: &RowFn<S>) -> (Vec<[f64; 3]>, Plane<f32>) {
    let (ow, oh) = output_size(src, f, border);
    let planes = src.planes();
    let mut map = vec![0.0f32; ow * oh];
    let parts: Vec<Vec<[f64; 3]>> = map
        .par_chunks_mut(CHUNK * ow)
        .enumerate()
        .map(|(c, dst)| chunk_with_map::<S>(src, f, border, c * CHUNK, ((c + 1) * CHUNK).min(oh), row, dst))
        .collect();
    let sums = (0..planes).map(|plane| join(parts.iter().map(|p| p[plane]))).collect();
    (sums, Plane::new(ow, oh, map))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::SsimConsts;

    /// Strips as tasks give the bits of whole chunks (the order
    /// `chunk_sums` adds in), with several strips, both borders, reflected
    /// edge columns and a box filter's running sums.
    #[test]
    fn strip_tasks_give_the_bits_of_whole_chunks() {
        let (w, h) = (600, 150);
        let gen = |seed: u64| -> Vec<f64> {
            let mut s = seed;
            (0..w * h).map(|_| {
                s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                (s >> 40) as f64 / (1u64 << 24) as f64
            }).collect()
        };
        let (x, y) = (Plane::new(w, h, gen(1)), Plane::new(w, h, gen(2)));
        let src = PlanePair { x: &x, y: &y };
        let k = SsimConsts { c1: 1e-4, c2: 9e-4, cov: 1.0 };
        let row = |m: &Moments4, _: Option<&mut [f64]>| kernels::ssim_row4(m, &k, None);
        for window in [Window::Gaussian { size: 11, sigma: 1.5 }, Window::Box { size: 7 }] {
            for border in [Border::Valid, Border::Same] {
                let f = Filter::new(&window);
                let (_, oh) = output_size(&src, &f, border);
                let whole = join((0..oh.div_ceil(CHUNK)).map(|c| chunk_sums::<Four>(&src, 0, &f, border, c * CHUNK, ((c + 1) * CHUNK).min(oh), &row)));
                let strips = plane_sums::<Four>(&src, &f, border, &row)[0];
                assert_eq!(whole.map(f64::to_bits), strips.map(f64::to_bits), "{window:?} {border:?}");
                assert!(whole[0] > 0.0 && whole[0] < oh as f64 * w as f64);
            }
        }
    }
}

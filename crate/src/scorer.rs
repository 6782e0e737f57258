//! Scores fed a band of rows at a time, so that an image never has to be in
//! WebAssembly memory whole: a 4K RGBA pair is 66 MB of pixels, more than
//! the whole budget of a score. The scorer keeps only the rows the next
//! chunks still need, runs every chunk as soon as its rows have arrived (the
//! same chunks, the same kernels, the same reduction order as
//! `api::ssim` / `api::lwssim` / `api::msssim`), and gives the same bits
//! however the rows were cut into bands. MS-SSIM grows its coarser scales
//! from the rows as they arrive (`pyramid`); SSIM's map, when asked for, is
//! the one plane held whole (4 bytes an output).

use rayon::prelude::*;

use crate::api::{msssim_weights, Channels, Scales, Score};
use crate::error::{range, Error};
use crate::image::{Image, Pixels};
use crate::kernels::{self, Moments4, Moments5, SsimConsts};
use crate::matlab::Shrinking;
use crate::pairing::{pairing, Pairing};
use crate::lwssim::{box_chunk_sums, level_row, level_value, lwssim_total, LwssimParams};
use crate::msssim::combine;
use crate::plane::Plane;
use crate::pyramid::Pyramid;
use crate::ssim::{ssim_plane, SsimParams};
use crate::stream::{chunk_with_map, join, join_strips, Filter, Five, Four, ImagePair, PairRows, Strips, CHUNK};
use crate::window::{reflect, Border, Window};

/// What a scorer computes.
#[derive(Clone, Debug)]
pub enum Metric {
    Ssim(SsimParams),
    Lwssim(LwssimParams),
    Msssim(SsimParams, Scales),
    /// SSIM's matlab preset: the gray plane, down-sampled (`matlab`).
    Matlab(SsimParams),
}

/// One pass over the image: SSIM has one filter; LWSSIM has its box levels
/// fused in one pass (see `levels`), or one filter per level otherwise.
enum PassKind {
    Single(Filter),
    Levels(Vec<usize>),
}

pub(crate) struct Pass {
    kind: PassKind,
    /// Output rows (single filter) or centre rows (levels): what chunks cut.
    pub(crate) oh: usize,
    /// Outputs per level.
    pub(crate) counts: Vec<f64>,
    pub(crate) next: usize,
    /// [plane][chunk][level]
    pub(crate) sums: Vec<Vec<Vec<[f64; 3]>>>,
}

impl Pass {
    pub(crate) fn single(f: Filter, oh: usize, count: f64, planes: usize) -> Self {
        Pass { kind: PassKind::Single(f), oh, counts: vec![count], next: 0, sums: vec![vec![vec![[0.0; 3]; 1]; oh.div_ceil(CHUNK)]; planes] }
    }
    pub(crate) fn chunks(&self) -> usize {
        self.oh.div_ceil(CHUNK)
    }
    /// The most source rows a chunk reads (the rows kept between steps are
    /// fewer): the first chunks are the widest.
    pub(crate) fn span(&self, border: Border, h: usize) -> usize {
        (0..self.chunks().min(2)).map(|c| self.rows(c, border, h)).map(|(lo, hi)| hi - lo + 1).max().unwrap_or(1)
    }
    /// The source rows chunk `c` reads: [lo, hi].
    pub(crate) fn rows(&self, c: usize, border: Border, h: usize) -> (usize, usize) {
        let (i0, i1) = (c * CHUNK, ((c + 1) * CHUNK).min(self.oh));
        let span = |from: isize, to: isize| {
            (from..to).map(|p| reflect(p, h)).fold((usize::MAX, 0), |(lo, hi), r| (lo.min(r), hi.max(r)))
        };
        match (&self.kind, border) {
            (PassKind::Single(f), Border::Valid) => (i0, i1 + f.n() - 2),
            (PassKind::Single(f), Border::Same) => {
                let before = ((f.n() - 1) / 2) as isize;
                span(i0 as isize - before, (i1 + f.n() - 1) as isize - before)
            }
            (PassKind::Levels(halves), _) => {
                let cm = *halves.iter().max().unwrap() as isize;
                span(i0 as isize - cm, i1 as isize + cm)
            }
        }
    }
}

enum Rows {
    U8(Vec<u8>),
    U16(Vec<u16>),
    F32(Vec<f32>),
}

impl Rows {
    /// No rows yet, of the pixel type of `p`.
    fn empty_like(p: &Pixels) -> Self {
        match p {
            Pixels::U8(_) => Rows::U8(Vec::new()),
            Pixels::U16(_) => Rows::U16(Vec::new()),
            Pixels::F32(_) => Rows::F32(Vec::new()),
        }
    }
    fn holds(&self, p: &Pixels) -> bool {
        core::mem::discriminant(&self.pixels()) == core::mem::discriminant(p)
    }
    fn pixels(&self) -> Pixels<'_> {
        match self {
            Rows::U8(v) => Pixels::U8(v),
            Rows::U16(v) => Pixels::U16(v),
            Rows::F32(v) => Pixels::F32(v),
        }
    }
    /// Appends rows to a buffer allocated once at `cap` values, the most
    /// it holds (the rows kept between steps and one step), never doubled.
    fn append(&mut self, p: Pixels, cap: usize) {
        fn put<T: Copy>(v: &mut Vec<T>, d: &[T], cap: usize) {
            if v.capacity() == 0 {
                v.reserve_exact(cap.max(d.len()));
            }
            if v.capacity() < v.len() + d.len() {
                v.reserve_exact(d.len());
            }
            v.extend_from_slice(d);
        }
        match (self, p) {
            (Rows::U8(v), Pixels::U8(d)) => put(v, d, cap),
            (Rows::U16(v), Pixels::U16(d)) => put(v, d, cap),
            (Rows::F32(v), Pixels::F32(d)) => put(v, d, cap),
            _ => unreachable!("kind checked by feed"),
        }
    }
    fn drop_front(&mut self, n: usize) {
        match self {
            Rows::U8(v) => drop(v.drain(..n)),
            Rows::U16(v) => drop(v.drain(..n)),
            Rows::F32(v) => drop(v.drain(..n)),
        }
    }
}

/// Rows taken in at a time: two chunks, so that the chunks of a step still
/// run in parallel (with three planes, six tasks).
pub const STEP_ROWS: usize = 2 * CHUNK;

fn slice<'a>(p: Pixels<'a>, a: usize, b: usize) -> Pixels<'a> {
    match p {
        Pixels::U8(d) => Pixels::U8(&d[a..b]),
        Pixels::U16(d) => Pixels::U16(&d[a..b]),
        Pixels::F32(d) => Pixels::F32(&d[a..b]),
    }
}

/// The band of rows [base, fed) seen as the full-height image they belong to.
struct Band<'a> {
    pair: ImagePair<'a>,
    base: usize,
    height: usize,
}

impl PairRows for Band<'_> {
    fn width(&self) -> usize {
        self.pair.width()
    }
    fn height(&self) -> usize {
        self.height
    }
    fn planes(&self) -> usize {
        self.pair.planes()
    }
    fn range(&self) -> f64 {
        self.pair.range()
    }
    fn row(&self, plane: usize, r: usize, c0: usize, x: &mut [f64], y: &mut [f64]) {
        self.pair.row(plane, r - self.base, c0, x, y)
    }
}

pub struct Scorer {
    metric: Metric,
    consts: SsimConsts,
    width: usize,
    height: usize,
    /// Channels of x and of y.
    channels: (usize, usize),
    pairing: Pairing,
    planes: usize,
    border: Border,
    passes: Vec<Pass>,
    /// MS-SSIM: scales 1.. and the weights.
    pyramid: Option<Pyramid>,
    weights: Vec<f64>,
    /// SSIM's map, when asked for (see [`Scorer::with_map`]).
    map: Option<Plane<f32>>,
    /// The matlab preset: its planes, and whether it returns their map.
    shrink: Option<Shrinking>,
    shrunk_map: bool,
    base: usize,
    fed: usize,
    x: Rows,
    y: Rows,
}

impl Scorer {
    /// `pixels` is an empty `Pixels` of the type the bands will have: a
    /// pair of one pixel type and channel count (see [`Scorer::pair`]).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn new(metric: Metric, pixels: Pixels, width: usize, height: usize, channels: usize, ch: Channels) -> Result<Self, Error> {
        Self::pair(metric, (pixels, channels), (pixels, channels), width, height, ch)
    }

    /// A scorer of x against y, each given as an empty `Pixels` of the type
    /// its bands will have and its channel count: images of different
    /// channel counts or bit depths compare by the rules of `pairing`.
    pub fn pair(metric: Metric, x: (Pixels, usize), y: (Pixels, usize), width: usize, height: usize, ch: Channels) -> Result<Self, Error> {
        Image::check_shape(width, height, x.1)?;
        Image::check_shape(width, height, y.1)?;
        // The shapes, with no rows yet: what the checks below read.
        let (px, py) = (Image { pixels: x.0, width, height, channels: x.1 }, Image { pixels: y.0, width, height, channels: y.1 });
        // The matlab preset compares its own gray (luma) plane, alpha aside.
        let ch = match metric {
            Metric::Matlab(_) => Channels { color: crate::image::Color::Luma, alpha: false, data_range: ch.data_range },
            _ => ch,
        };
        let pairing = pairing(&px, &py, &ch)?;
        let range_v = pairing.range;
        // Samples are read divided by L, so the constants are on [0, 1].
        let planes = if matches!(metric, Metric::Matlab(_)) { 1 } else { pairing.planes() };
        let border = match &metric {
            Metric::Ssim(p) | Metric::Msssim(p, _) | Metric::Matlab(p) => p.border,
            Metric::Lwssim(p) => p.border,
        };
        let out_len = |len: usize, n: usize| border.output_len(len, n);
        let count = |n: usize| (out_len(width, n) * out_len(height, n)) as f64;
        let single = |w: &Window| {
            let f = Filter::new(w);
            let (n, oh) = (f.n(), out_len(height, f.n()));
            (PassKind::Single(f), oh, vec![count(n)])
        };
        let mut weights = Vec::new();
        let mut shrink = None;
        let specs: Vec<(PassKind, usize, Vec<f64>)> = match &metric {
            Metric::Matlab(p) => {
                let s = Shrinking::new(width, height, range_v, (pairing.x.widen, pairing.y.widen));
                // The window must fit the down-sampled image.
                crate::domain::check_ssim_params(p, s.x.width, s.x.height)?;
                shrink = Some(s);
                vec![]
            }
            Metric::Msssim(p, scales) => {
                weights = msssim_weights(p, width, height, scales)?;
                vec![single(&p.window)]
            }
            Metric::Ssim(p) => {
                crate::domain::check_ssim_params(p, width, height)?;
                vec![single(&p.window)]
            }
            Metric::Lwssim(p) => {
                crate::domain::check_lwssim_params(p, width, height)?;
                match p.box_halves() {
                    Some(halves) => {
                        let counts = halves.iter().map(|c| count(2 * c + 1)).collect();
                        vec![(PassKind::Levels(halves), height, counts)]
                    }
                    None => p.levels.iter().map(|(w, _)| single(w)).collect(),
                }
            }
        };
        let passes = specs
            .into_iter()
            .map(|(kind, oh, counts)| {
                let levels = counts.len();
                Pass { kind, oh, counts, next: 0, sums: vec![vec![vec![[0.0; 3]; levels]; oh.div_ceil(CHUNK)]; planes] }
            })
            .collect();
        let consts = match &metric {
            Metric::Ssim(p) | Metric::Msssim(p, _) | Metric::Matlab(p) => p.consts(1.0),
            Metric::Lwssim(p) => p.consts(1.0),
        };
        let pyramid = match &metric {
            Metric::Msssim(p, _) => Some(Pyramid::new(width, height, planes, p, weights.len())),
            _ => None,
        };
        Ok(Scorer {
            metric,
            consts,
            width,
            height,
            channels: (x.1, y.1),
            pairing,
            planes,
            border,
            passes,
            pyramid,
            weights,
            map: None,
            shrink,
            shrunk_map: false,
            base: 0,
            fed: 0,
            x: Rows::empty_like(&x.0),
            y: Rows::empty_like(&y.0),
        })
    }

    /// Keeps SSIM's map too (the mean over planes, as `api::ssim` gives it).
    pub fn with_map(mut self) -> Result<Self, Error> {
        if let Metric::Matlab(_) = self.metric {
            self.shrunk_map = true;
            return Ok(self);
        }
        let Metric::Ssim(p) = &self.metric else {
            return Err(Error::Mismatch("only SSIM has a map".into()));
        };
        let n = p.window.size();
        let (ow, oh) = (self.border.output_len(self.width, n), self.border.output_len(self.height, n));
        self.map = Some(Plane::new(ow, oh, vec![0.0; ow * oh]));
        Ok(self)
    }

    /// Rows fed so far.
    pub fn rows_fed(&self) -> usize {
        self.fed
    }

    /// Rows held now: what the next chunks still need.
    pub fn rows_held(&self) -> usize {
        self.fed - self.base
    }

    /// Rows held now by each coarser scale of MS-SSIM.
    pub fn scale_rows_held(&self) -> Vec<usize> {
        self.pyramid.as_ref().map_or(Vec::new(), |p| p.held())
    }

    /// The next rows of both images (whole rows, the same count in each).
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn feed(&mut self, x: Pixels, y: Pixels) -> Result<(), Error> {
        if !self.x.holds(&x) || !self.y.holds(&y) {
            return Err(Error::Mismatch("a band's pixel type differs from the scorer's".into()));
        }
        let (rx, ry) = (self.width * self.channels.0, self.width * self.channels.1);
        if x.len() % rx != 0 || y.len() % ry != 0 || x.len() / rx != y.len() / ry {
            return Err(Error::Mismatch(format!(
                "bands must hold whole rows ({rx} values in the reference, {ry} in the distorted image), as many rows in both"
            )));
        }
        let rows = x.len() / rx;
        if self.fed + rows > self.height {
            return range(format!("{} rows fed to a {}-row image", self.fed + rows, self.height));
        }
        // Every band is checked before it is kept: a bad one leaves the
        // scorer as it was.
        crate::domain::check_metric_pixels("the reference image", &x, self.pairing.range)?;
        crate::domain::check_metric_pixels("the distorted image", &y, self.pairing.range)?;
        if let Metric::Lwssim(p) = &self.metric {
            if crate::domain::lwssim_needs_nonnegative(p) {
                crate::domain::check_nonnegative("the reference image", &x, p.alpha)?;
                crate::domain::check_nonnegative("the distorted image", &y, p.alpha)?;
            }
        }
        // A few chunks' rows at a time, whatever the band: the rows held
        // (and MS-SSIM's coarser rows) stay a fixed buffer.
        let span = self.passes.iter().map(|p| p.span(self.border, self.height)).chain(self.shrink.as_ref().map(|s| s.span())).max().unwrap_or(1);
        let cap = (span + STEP_ROWS).min(self.height);
        for r0 in (0..rows).step_by(STEP_ROWS) {
            let r1 = (r0 + STEP_ROWS).min(rows);
            self.x.append(slice(x, r0 * rx, r1 * rx), cap * rx);
            self.y.append(slice(y, r0 * ry, r1 * ry), cap * ry);
            self.fed += r1 - r0;
            self.run_ready();
        }
        Ok(())
    }

    /// Runs every chunk whose rows have all arrived (MS-SSIM: after growing
    /// the coarser scales from them), then forgets the rows no chunk and no
    /// coarser row still needs.
    fn run_ready(&mut self) {
        let (h, border) = (self.height, self.border);
        let rows_here = self.fed - self.base;
        let xi = Image { pixels: self.x.pixels(), width: self.width, height: rows_here, channels: self.channels.0 };
        let yi = Image { pixels: self.y.pixels(), width: self.width, height: rows_here, channels: self.channels.1 };
        let band = Band { pair: ImagePair::new(&xi, &yi, &self.pairing), base: self.base, height: h };
        if let Some(shrink) = &mut self.shrink {
            shrink.grow(&xi, &yi, self.base, self.fed);
        }
        if let Some(pyr) = &mut self.pyramid {
            pyr.grow(&band, self.fed);
        }
        let ready = |pass: &Pass, c: usize, h: usize, fed: usize| c < pass.chunks() && pass.rows(c, border, h).1 < fed;
        let (metric, k) = (&self.metric, &self.consts);
        if let Some(map) = &mut self.map {
            let pass = &mut self.passes[0];
            let PassKind::Single(f) = &pass.kind else { unreachable!("a map is SSIM's") };
            let mut end = pass.next;
            while ready(pass, end, h, self.fed) {
                end += 1;
            }
            let ow = map.width;
            let dst = &mut map.data[pass.next * CHUNK * ow..(end * CHUNK).min(pass.oh) * ow];
            let row = |m: &Moments4, out: Option<&mut [f64]>| kernels::ssim_row4(m, k, out);
            let (first, oh) = (pass.next, pass.oh);
            let parts: Vec<Vec<[f64; 3]>> = dst
                .par_chunks_mut(CHUNK * ow)
                .enumerate()
                .map(|(i, d)| {
                    let c = first + i;
                    chunk_with_map::<Four>(&band, f, border, c * CHUNK, ((c + 1) * CHUNK).min(oh), &row, d)
                })
                .collect();
            for (i, sums) in parts.into_iter().enumerate() {
                for (plane, s) in sums.into_iter().enumerate() {
                    pass.sums[plane][first + i] = vec![s];
                }
            }
            pass.next = end;
        } else {
            // (pass, plane, chunk, strip): every ready chunk of every pass,
            // a single filter's cut into strips (`stream::Strips`).
            let strips: Vec<Option<Strips>> = self.passes.iter().map(|pass| match &pass.kind {
                PassKind::Single(f) => Some(Strips::new(&band, f, border)),
                PassKind::Levels(_) => None,
            }).collect();
            let mut tasks = Vec::new();
            for (pi, pass) in self.passes.iter().enumerate() {
                let ns = strips[pi].as_ref().map_or(1, |s| s.count());
                let mut c = pass.next;
                while ready(pass, c, h, self.fed) {
                    tasks.extend((0..self.planes).flat_map(|plane| (0..ns).map(move |s| (pi, plane, c, s))));
                    c += 1;
                }
            }
            let coarse = self.pyramid.as_ref().map_or(Vec::new(), |p| p.ready_tasks());
            let (passes, pyramid) = (&self.passes, &self.pyramid);
            // Every ready task of every scale in one parallel run.
            let (results, coarse_sums): (Vec<Vec<[f64; 3]>>, Vec<Vec<[f64; 3]>>) = rayon::join(
                || tasks.par_iter().map(|&(pi, plane, c, s)| {
                    let pass = &passes[pi];
                    match (&pass.kind, metric) {
                        (PassKind::Levels(halves), Metric::Lwssim(p)) => box_chunk_sums(&band, plane, halves, p, k, c),
                        (PassKind::Single(f), _) => {
                            let (i0, i1) = (c * CHUNK, ((c + 1) * CHUNK).min(pass.oh));
                            let strips = strips[pi].as_ref().expect("a single filter has strips");
                            // LWSSIM's contrast needs sigma_x, sigma_y apart:
                            // five signals; the others need their sum only.
                            match metric {
                                Metric::Lwssim(p) => {
                                    let row = |m: &Moments5, _: Option<&mut [f64]>| level_row(m, k, p);
                                    strips.rows::<Five>(&band, plane, f, i0, i1, s, &row)
                                }
                                Metric::Ssim(_) | Metric::Msssim(..) | Metric::Matlab(_) => {
                                    let row = |m: &Moments4, _: Option<&mut [f64]>| kernels::ssim_row4(m, k, None);
                                    strips.rows::<Four>(&band, plane, f, i0, i1, s, &row)
                                }
                            }
                        }
                        (PassKind::Levels(_), _) => unreachable!("levels are LWSSIM's"),
                    }
                })
                .collect(),
                || coarse.par_iter().map(|&t| pyramid.as_ref().unwrap().run(t, k)).collect(),
            );
            // A chunk's strips are consecutive tasks: joined in strip order.
            let mut i = 0;
            while i < tasks.len() {
                let (pi, plane, c, _) = tasks[i];
                let ns = strips[pi].as_ref().map_or(1, |s| s.count());
                let parts = &results[i..i + ns];
                self.passes[pi].sums[plane][c] = match strips[pi] {
                    Some(_) => vec![join_strips(parts)],
                    None => parts[0].clone(),
                };
                i += ns;
            }
            if let Some(pyr) = &mut self.pyramid {
                pyr.store(coarse.into_iter().zip(coarse_sums));
            }
            for pass in &mut self.passes {
                while ready(pass, pass.next, h, self.fed) {
                    pass.next += 1;
                }
            }
        }
        // What each scale keeps: the rows of its next chunk and those the
        // next scale's next row reads.
        let pending = |pass: &Pass, h: usize| (pass.next < pass.chunks()).then(|| pass.rows(pass.next, border, h).0);
        let keep_from = self
            .passes
            .iter()
            .filter_map(|p| pending(p, h))
            .chain(self.pyramid.as_ref().and_then(|p| p.needs_from()))
            .chain(self.shrink.as_ref().map(|s| s.needs_from(self.fed)))
            .min()
            .unwrap_or(self.fed)
            .clamp(self.base, self.fed);
        let gone = keep_from - self.base;
        self.x.drop_front(gone * self.width * self.channels.0);
        self.y.drop_front(gone * self.width * self.channels.1);
        self.base = keep_from;
    }

    /// The score, once every row has been fed (the map is moved out).
    pub fn finish(&mut self) -> Result<Score, Error> {
        if self.fed != self.height {
            return range(format!("only {} of {} rows were fed", self.fed, self.height));
        }
        // Per plane, per level: the chunk sums joined in chunk order.
        let level_sums = |plane: usize| -> Vec<([f64; 3], f64)> {
            self.passes
                .iter()
                .flat_map(|pass| {
                    (0..pass.counts.len()).map(move |l| {
                        (join(pass.sums[plane].iter().map(|c| c[l])), pass.counts[l])
                    })
                })
                .collect()
        };
        if let (Metric::Matlab(p), Some(s)) = (&self.metric, &self.shrink) {
            let r = ssim_plane(&s.x, &s.y, p, self.shrunk_map);
            return Ok(Score { score: r.ssim, channels: vec![r.ssim], map: r.map });
        }
        let channels: Vec<f64> = (0..self.planes)
            .map(|plane| match &self.metric {
                Metric::Ssim(_) | Metric::Matlab(_) => {
                    let (s, count) = level_sums(plane)[0];
                    s[0] / count
                }
                Metric::Lwssim(p) => {
                    let levels: Vec<f64> = level_sums(plane).into_iter().map(|(s, count)| level_value(s, count, p)).collect();
                    lwssim_total(&levels, p)
                }
                Metric::Msssim(..) => {
                    let (s0, count0) = level_sums(plane)[0];
                    let terms = self.pyramid.as_ref().expect("MS-SSIM has its scales").terms(plane, s0[0] / count0, s0[1] / count0);
                    combine(&terms, &self.weights)
                }
            })
            .collect();
        let score = crate::api::mean(&channels);
        Ok(Score { score, channels, map: self.map.take() })
    }
}

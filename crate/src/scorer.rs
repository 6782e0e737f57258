//! Scores fed a band of rows at a time, so that an image never has to be in
//! WebAssembly memory whole: a 4K RGBA pair is 66 MB of pixels, more than
//! the whole budget of a score. The scorer keeps only the rows the next
//! chunks still need, runs every chunk as soon as its rows have arrived (the
//! same chunks, the same kernels, the same reduction order as
//! `api::ssim` / `api::lwssim`), and gives the same bits however the rows
//! were cut into bands.

use rayon::prelude::*;

use crate::api::{Channels, Score};
use crate::error::{range, Error};
use crate::image::{Image, Pixels};
use crate::pairing::{pairing, Pairing};
use crate::kernels::{self, Moments5, SsimConsts};
use crate::lwssim::{box_chunk_sums, level_row, level_value, lwssim_total, LwssimParams};
use crate::ssim::SsimParams;
use crate::stream::{chunk_sums, join, Filter, ImagePair, PairRows, CHUNK};
use crate::window::{reflect, Border, Window};

/// What a scorer computes.
#[derive(Clone, Debug)]
pub enum Metric {
    Ssim(SsimParams),
    Lwssim(LwssimParams),
}

/// One pass over the image: SSIM has one filter; LWSSIM has its box levels
/// fused in one pass (see `levels`), or one filter per level otherwise.
enum PassKind {
    Single(Filter),
    Levels(Vec<usize>),
}

struct Pass {
    kind: PassKind,
    /// Output rows (single filter) or centre rows (levels): what chunks cut.
    oh: usize,
    /// Outputs per level.
    counts: Vec<f64>,
    next: usize,
    /// [plane][chunk][level]
    sums: Vec<Vec<Vec<[f64; 3]>>>,
}

impl Pass {
    fn chunks(&self) -> usize {
        self.oh.div_ceil(CHUNK)
    }
    /// The source rows chunk `c` reads: [lo, hi].
    fn rows(&self, c: usize, border: Border, h: usize) -> (usize, usize) {
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
    fn append(&mut self, p: Pixels) {
        match (self, p) {
            (Rows::U8(v), Pixels::U8(d)) => v.extend_from_slice(d),
            (Rows::U16(v), Pixels::U16(d)) => v.extend_from_slice(d),
            (Rows::F32(v), Pixels::F32(d)) => v.extend_from_slice(d),
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
    base: usize,
    fed: usize,
    x: Rows,
    y: Rows,
}

impl Scorer {
    /// `pixels` is an empty `Pixels` of the type the bands will have: a
    /// pair of one pixel type and channel count (see [`Scorer::pair`]).
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
        let pairing = pairing(&px, &py, &ch)?;
        // Samples are read divided by L, so the constants are on [0, 1].
        let planes = pairing.planes();
        let border = match &metric {
            Metric::Ssim(p) => p.border,
            Metric::Lwssim(p) => p.border,
        };
        let out_len = |len: usize, n: usize| border.output_len(len, n);
        let count = |n: usize| (out_len(width, n) * out_len(height, n)) as f64;
        let single = |w: &Window| {
            let f = Filter::new(w);
            let (n, oh) = (f.n(), out_len(height, f.n()));
            (PassKind::Single(f), oh, vec![count(n)])
        };
        let specs: Vec<(PassKind, usize, Vec<f64>)> = match &metric {
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
            Metric::Ssim(p) => p.consts(1.0),
            Metric::Lwssim(p) => p.consts(1.0),
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
            base: 0,
            fed: 0,
            x: Rows::empty_like(&x.0),
            y: Rows::empty_like(&y.0),
        })
    }

    /// Rows fed so far.
    pub fn rows_fed(&self) -> usize {
        self.fed
    }

    /// Rows held now: what the next chunks still need.
    pub fn rows_held(&self) -> usize {
        self.fed - self.base
    }

    /// The next rows of both images (whole rows, the same count in each).
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
        self.x.append(x);
        self.y.append(y);
        self.fed += rows;
        self.run_ready();
        Ok(())
    }

    /// Runs every chunk whose rows have all arrived, then forgets the rows
    /// no chunk still needs.
    fn run_ready(&mut self) {
        let (h, border) = (self.height, self.border);
        let mut tasks = Vec::new();
        for (pi, pass) in self.passes.iter().enumerate() {
            let mut c = pass.next;
            while c < pass.chunks() && pass.rows(c, border, h).1 < self.fed {
                for plane in 0..self.planes {
                    tasks.push((pi, plane, c));
                }
                c += 1;
            }
        }
        if !tasks.is_empty() {
            let rows_here = self.fed - self.base;
            let xi = Image { pixels: self.x.pixels(), width: self.width, height: rows_here, channels: self.channels.0 };
            let yi = Image { pixels: self.y.pixels(), width: self.width, height: rows_here, channels: self.channels.1 };
            let band = Band { pair: ImagePair::new(&xi, &yi, &self.pairing), base: self.base, height: h };
            let (metric, passes, k) = (&self.metric, &self.passes, &self.consts);
            let results: Vec<Vec<[f64; 3]>> = tasks
                .par_iter()
                .map(|&(pi, plane, c)| {
                    let pass = &passes[pi];
                    match (&pass.kind, metric) {
                        (PassKind::Levels(halves), Metric::Lwssim(p)) => box_chunk_sums(&band, plane, halves, p, k, c),
                        (PassKind::Single(f), _) => {
                            let (i0, i1) = (c * CHUNK, ((c + 1) * CHUNK).min(pass.oh));
                            let row = |m: &Moments5, _: Option<&mut [f64]>| match metric {
                                Metric::Lwssim(p) => level_row(m, k, p),
                                Metric::Ssim(_) => kernels::ssim_row(m, k, None),
                            };
                            vec![chunk_sums(&band, plane, f, border, i0, i1, &row)]
                        }
                        (PassKind::Levels(_), Metric::Ssim(_)) => unreachable!("levels are LWSSIM's"),
                    }
                })
                .collect();
            for (&(pi, plane, c), r) in tasks.iter().zip(results) {
                self.passes[pi].sums[plane][c] = r;
            }
            for pass in &mut self.passes {
                while pass.next < pass.chunks() && pass.rows(pass.next, border, h).1 < self.fed {
                    pass.next += 1;
                }
            }
        }
        let keep_from = self
            .passes
            .iter()
            .filter(|p| p.next < p.chunks())
            .map(|p| p.rows(p.next, border, h).0)
            .min()
            .unwrap_or(self.fed)
            .max(self.base);
        let gone = keep_from - self.base;
        self.x.drop_front(gone * self.width * self.channels.0);
        self.y.drop_front(gone * self.width * self.channels.1);
        self.base = keep_from;
    }

    /// The score, once every row has been fed.
    pub fn finish(&self) -> Result<Score, Error> {
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
        let channels: Vec<f64> = (0..self.planes)
            .map(|plane| match &self.metric {
                Metric::Ssim(_) => {
                    let (s, count) = level_sums(plane)[0];
                    s[0] / count
                }
                Metric::Lwssim(p) => {
                    let levels: Vec<f64> = level_sums(plane).into_iter().map(|(s, count)| level_value(s, count, p)).collect();
                    lwssim_total(&levels, p)
                }
            })
            .collect();
        let score = crate::api::mean(&channels);
        Ok(Score { score, channels, map: None })
    }
}

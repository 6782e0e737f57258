//! Which planes of two images are compared, and on what scale: the rules
//! that let images of different channel counts and bit depths compare.
//!
//! - Width and height must be equal.
//! - Colour (3 or 4 channels) against colour: R, G, B, or their luma with
//!   `Color::Luma`. Gray (1 or 2 channels) against gray: the gray channel.
//! - Gray against colour: the gray channel against the colour image's luma,
//!   0.299 R + 0.587 G + 0.114 B unrounded (what `Color::Luma` compares):
//!   one plane, whatever `color` says.
//! - Alpha only when asked, and then when either image has it: an image
//!   without alpha counts as opaque, alpha = L.
//! - 8-bit against 16-bit compares as 16-bit: 8-bit v reads as 257 v
//!   (exact), so such a pair scores the bits of the 16-bit pair with the
//!   8-bit image scaled by 257, and L is 65535. Another data range is
//!   refused: it would leave open which scale the 8-bit samples are on.
//!   Float against integers is refused: a float image's scale is the
//!   caller's to say.
//!
//! An equal pair is the special case: both images read the same sources.

use crate::api::Channels;
use crate::error::{range, Error};
use crate::image::{Color, Image, Pixels, Source};

/// One image of a pair as it is read.
#[derive(Clone, Debug, PartialEq)]
pub struct Side {
    /// Per compared plane, where its samples come from.
    pub sources: Vec<Source>,
    /// 8-bit samples read on the 16-bit scale (v * 257).
    pub widen: bool,
    /// For 8-bit images, every channel value's quotient by L, made by the
    /// same division as [`Side::row`]'s (correctly rounded, so the same
    /// bits): a load a sample instead of a division.
    pub table: Option<Box<[f64; 256]>>,
}

impl Side {
    #[cfg_attr(target_arch = "wasm32", optimize(size))]
    pub fn new(sources: Vec<Source>, widen: bool, pixels: &Pixels, range: f64) -> Self {
        let table = matches!(pixels, Pixels::U8(_)).then(|| {
            let scale = if widen { 257.0 } else { 1.0 };
            Box::new(core::array::from_fn(|v| (v as f64 * scale) / range))
        });
        Side { sources, widen, table }
    }

    /// Samples c0 .. c0 + out.len() of row `r` of compared plane `plane`
    /// of `img`, divided by `range`.
    pub fn row(&self, img: &Image, plane: usize, r: usize, c0: usize, range: f64, out: &mut [f64]) {
        if let (Some(t), Pixels::U8(d), Source::Channel(ch)) = (&self.table, img.pixels, self.sources[plane]) {
            let c = img.channels;
            assert!(c0 + out.len() <= img.width);
            let base = (r * img.width + c0) * c + ch;
            for (j, o) in out.iter_mut().enumerate() {
                *o = t[d[base + j * c] as usize];
            }
            return;
        }
        img.read_row(self.sources[plane], self.widen, r, c0, out);
        for v in out.iter_mut() {
            *v /= range;
        }
    }
}

/// How a pair is compared: plane i reads `x.sources[i]` of x against
/// `y.sources[i]` of y, both divided by `range`.
#[derive(Clone, Debug, PartialEq)]
pub struct Pairing {
    pub x: Side,
    pub y: Side,
    /// L, on the scale the samples are read at.
    pub range: f64,
}

impl Pairing {
    /// Planes compared: the length of the per-channel scores.
    pub fn planes(&self) -> usize {
        self.x.sources.len()
    }
}

fn depth(p: &Pixels) -> &'static str {
    match p {
        Pixels::U8(_) => "8-bit",
        Pixels::U16(_) => "16-bit",
        Pixels::F32(_) => "float",
    }
}

/// The pairing of x (reference) and y under `ch`, with the checks that
/// the pair can be compared at all (sizes, pixel types, the data range).
#[cfg_attr(target_arch = "wasm32", optimize(size))]
pub fn pairing(x: &Image, y: &Image, ch: &Channels) -> Result<Pairing, Error> {
    if (x.width, x.height) != (y.width, y.height) {
        return Err(Error::Mismatch(format!(
            "images differ in size: {}x{} vs {}x{} (width and height must be equal)",
            x.width, x.height, y.width, y.height
        )));
    }
    let float = |p: &Pixels| matches!(p, Pixels::F32(_));
    if float(&x.pixels) != float(&y.pixels) {
        return Err(Error::Mismatch(format!(
            "the reference image is {} and the distorted one {}: scale the integers to [0, 1] floats \
             (v / 255 or v / 65535), or pass both as integers",
            depth(&x.pixels),
            depth(&y.pixels)
        )));
    }
    let mixed = core::mem::discriminant(&x.pixels) != core::mem::discriminant(&y.pixels);
    let wide = 65535.0;
    let l = match (mixed, ch.data_range) {
        (false, given) => given.unwrap_or_else(|| x.pixels.default_range()),
        (true, None) => wide,
        (true, Some(l)) if l == wide => l,
        (true, Some(l)) => {
            return range(format!(
                "an 8-bit image is compared with a 16-bit one as 16-bit (8-bit v read as 257 v), \
                 so dataRange is 65535; got dataRange {}: convert both images to one bit depth to use another",
                crate::domain::shown(l)
            ))
        }
    };
    crate::domain::check_data_range(l)?;
    let gray = |img: &Image| img.channels < 3;
    let colour = |color: Color| -> Vec<Source> {
        match color {
            Color::Rgb => (0..3).map(Source::Channel).collect(),
            Color::Luma => vec![Source::Luma],
        }
    };
    let (mut xs, mut ys) = match (gray(x), gray(y)) {
        (true, true) => (vec![Source::Channel(0)], vec![Source::Channel(0)]),
        (false, false) => (colour(ch.color), colour(ch.color)),
        (true, false) => (vec![Source::Channel(0)], vec![Source::Luma]),
        (false, true) => (vec![Source::Luma], vec![Source::Channel(0)]),
    };
    let alpha = |img: &Image| match img.channels {
        2 | 4 => Source::Channel(img.channels - 1),
        // Opaque: read as L, which divided by L is exactly 1.
        _ => Source::Constant(l),
    };
    let has_alpha = |img: &Image| img.channels == 2 || img.channels == 4;
    if ch.alpha && (has_alpha(x) || has_alpha(y)) {
        xs.push(alpha(x));
        ys.push(alpha(y));
    }
    let widen = |img: &Image| mixed && matches!(img.pixels, Pixels::U8(_));
    Ok(Pairing { x: Side::new(xs, widen(x), &x.pixels, l), y: Side::new(ys, widen(y), &y.pixels, l), range: l })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe(pixels: Pixels<'static>, channels: usize) -> Image<'static> {
        Image { pixels, width: 4, height: 3, channels }
    }

    fn ch(color: Color, alpha: bool) -> Channels {
        Channels { color, alpha, data_range: None }
    }

    #[test]
    fn sources_follow_the_rules() {
        use Source::*;
        let u8s = |c| probe(Pixels::U8(&[]), c);
        let pairs = |a: usize, b: usize, color, alpha| {
            let p = pairing(&u8s(a), &u8s(b), &ch(color, alpha)).unwrap();
            (p.x.sources, p.y.sources)
        };
        // Equal pairs: as before the rules existed.
        assert_eq!(pairs(3, 3, Color::Rgb, false), (vec![Channel(0), Channel(1), Channel(2)], vec![Channel(0), Channel(1), Channel(2)]));
        assert_eq!(pairs(4, 4, Color::Luma, true), (vec![Luma, Channel(3)], vec![Luma, Channel(3)]));
        assert_eq!(pairs(2, 2, Color::Rgb, true), (vec![Channel(0), Channel(1)], vec![Channel(0), Channel(1)]));
        assert_eq!(pairs(3, 3, Color::Rgb, true).0.len(), 3, "no alpha to compare");
        // RGB against RGBA: colour planes; alpha against opaque (L = 255).
        assert_eq!(pairs(3, 4, Color::Rgb, false), (vec![Channel(0), Channel(1), Channel(2)], vec![Channel(0), Channel(1), Channel(2)]));
        assert_eq!(pairs(3, 4, Color::Rgb, true).0[3], Constant(255.0));
        assert_eq!(pairs(3, 4, Color::Rgb, true).1[3], Channel(3));
        // Gray against colour: luma, one plane, whatever `color` says.
        for color in [Color::Rgb, Color::Luma] {
            assert_eq!(pairs(1, 3, color, false), (vec![Channel(0)], vec![Luma]));
            assert_eq!(pairs(4, 2, color, false), (vec![Luma], vec![Channel(0)]));
            assert_eq!(pairs(4, 1, color, true), (vec![Luma, Channel(3)], vec![Channel(0), Constant(255.0)]));
            assert_eq!(pairs(1, 3, color, true), (vec![Channel(0)], vec![Luma]));
        }
    }

    #[test]
    fn depths() {
        let (a, b) = (probe(Pixels::U8(&[]), 3), probe(Pixels::U16(&[]), 4));
        let p = pairing(&a, &b, &ch(Color::Rgb, true)).unwrap();
        assert_eq!((p.range, p.x.widen, p.y.widen), (65535.0, true, false));
        assert_eq!(p.x.sources[3], Source::Constant(65535.0));
        let p = pairing(&b, &a, &Channels { data_range: Some(65535.0), ..Default::default() }).unwrap();
        assert_eq!((p.range, p.x.widen, p.y.widen), (65535.0, false, true));
        let e = pairing(&a, &b, &Channels { data_range: Some(255.0), ..Default::default() }).unwrap_err();
        assert!(matches!(&e, Error::Range(m) if m.contains("as 16-bit") && m.contains("got dataRange 255")), "{e}");
        let f = probe(Pixels::F32(&[]), 3);
        let e = pairing(&f, &a, &Channels::default()).unwrap_err();
        assert!(matches!(&e, Error::Mismatch(m) if m.contains("is float and the distorted one 8-bit: scale the integers")), "{e}");
        assert!(pairing(&b, &f, &Channels::default()).is_err());
        // Float pairs keep their given range; equal integer pairs too.
        let p = pairing(&f, &f, &Channels { alpha: true, data_range: Some(255.0), ..Default::default() }).unwrap();
        assert_eq!((p.range, p.x.widen), (255.0, false));
        let small = Image { pixels: Pixels::U8(&[]), width: 4, height: 2, channels: 3 };
        assert!(matches!(pairing(&a, &small, &Channels::default()), Err(Error::Mismatch(m)) if m.contains("differ in size: 4x3 vs 4x2")));
    }

    #[test]
    fn eight_bit_over_255_is_sixteen_bit_times_257_over_65535() {
        // Why an 8-bit image against its own 16-bit copy (257 v) reads the
        // same planes as against itself: the two quotients are the same
        // real number, correctly rounded.
        for v in 0..=255u32 {
            assert_eq!(v as f64 / 255.0, (257 * v) as f64 / 65535.0, "v = {v}");
        }
    }

    #[test]
    fn opaque_reads_as_exactly_one() {
        let d = [10u8, 20, 30, 40, 50, 60];
        let img = Image { pixels: Pixels::U8(&d), width: 2, height: 1, channels: 3 };
        for l in [255.0, 65535.0, 1.0, 0.1, 3.0, 1e-6, 1e12] {
            let side = Side::new(vec![Source::Constant(l)], false, &img.pixels, l);
            let mut out = [0.0; 2];
            side.row(&img, 0, 0, 0, l, &mut out);
            assert_eq!(out, [1.0, 1.0]);
        }
        let side = Side::new(vec![Source::Channel(1), Source::Luma], true, &img.pixels, 65535.0);
        let mut out = [0.0; 2];
        side.row(&img, 0, 0, 0, 65535.0, &mut out);
        assert_eq!(out, [20.0 * 257.0 / 65535.0, 50.0 * 257.0 / 65535.0]);
        side.row(&img, 1, 0, 1, 65535.0, &mut out[..1]);
        assert_eq!(out[0], (0.299 * (40.0 * 257.0) + 0.587 * (50.0 * 257.0) + 0.114 * (60.0 * 257.0)) / 65535.0);
    }

    #[test]
    fn the_table_reads_the_bits_of_the_division() {
        // Every 8-bit value, plain and widened, under several ranges: the
        // table's read against read_row followed by the division.
        let d: Vec<u8> = (0..=255u8).flat_map(|v| [v, 255 - v]).collect();
        let img = Image { pixels: Pixels::U8(&d), width: 256, height: 1, channels: 2 };
        for (widen, l) in [(false, 255.0), (false, 1.0), (false, 3.7), (false, 1e-6), (true, 65535.0)] {
            let side = Side::new(vec![Source::Channel(0), Source::Channel(1)], widen, &img.pixels, l);
            assert!(side.table.is_some());
            for plane in 0..2 {
                let (mut got, mut want) = ([0.0; 200], [0.0; 200]);
                side.row(&img, plane, 0, 50, l, &mut got);
                img.read_row(side.sources[plane], widen, 0, 50, &mut want);
                want.iter_mut().for_each(|v| *v /= l);
                assert!(got.iter().zip(&want).all(|(a, b)| a.to_bits() == b.to_bits()), "widen {widen}, L {l}, plane {plane}");
            }
        }
        let wide = [1u16, 2];
        assert!(Side::new(vec![Source::Channel(0)], false, &Pixels::U16(&wide), 65535.0).table.is_none());
    }
}

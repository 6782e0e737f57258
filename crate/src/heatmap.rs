//! `heatmap`: an SSIM map drawn as RGBA pixels as large as the image.
//!
//! The colour ramp is ours: a path through OKLab (Ottosson 2020) with
//! lightness linear from dark to light, constant chroma and the hue turning
//! at a constant rate (purple, red, orange, yellow). Constant lightness
//! slope, chroma and hue rate make the path's speed in OKLab constant, so
//! equal steps of the map value are equal perceived steps (to OKLab's
//! accuracy), and the lightness alone orders the values (it survives
//! grayscale printing and colour-vision deficiencies).

use rayon::prelude::*;

/// Entries of the ramp: map values are quantised to 256 steps.
pub const STEPS: usize = 256;

/// Ramp endpoints: OKLab lightness of the darkest and lightest entries,
/// the chroma, the first hue and how far it turns (degrees). Chosen so
/// every entry lies inside sRGB without clipping (a test holds it).
const L_DARK: f64 = 0.25;
const L_LIGHT: f64 = 0.95;
const CHROMA: f64 = 0.12;
// The hue's start and turn are baked into `ramp` as a rotation (no
// trigonometry linked); the tests rebuild the ramp from these.
#[cfg_attr(not(test), allow(dead_code))]
const HUE_START: f64 = 300.0;
#[cfg_attr(not(test), allow(dead_code))]
const HUE_TURN: f64 = 170.0;

/// OKLab to linear sRGB (Ottosson's published matrices).
pub fn oklab_to_linear_srgb(l: f64, a: f64, b: f64) -> [f64; 3] {
    let l_ = l + 0.396_337_777_4 * a + 0.215_803_757_3 * b;
    let m_ = l - 0.105_561_345_8 * a - 0.063_854_172_8 * b;
    let s_ = l - 0.089_484_177_5 * a - 1.291_485_548_0 * b;
    let (l3, m3, s3) = (l_ * l_ * l_, m_ * m_ * m_, s_ * s_ * s_);
    [
        4.076_741_662_1 * l3 - 3.307_711_591_3 * m3 + 0.230_969_929_2 * s3,
        -1.268_438_004_6 * l3 + 2.609_757_401_1 * m3 - 0.341_319_396_5 * s3,
        -0.004_196_086_3 * l3 - 0.703_418_614_7 * m3 + 1.707_614_701_0 * s3,
    ]
}

/// The sRGB transfer function (IEC 61966-2-1), linear 0..1 to 0..255.
fn encode_srgb(v: f64) -> u8 {
    let v = v.clamp(0.0, 1.0);
    let e = if v <= 0.003_130_8 { 12.92 * v } else { 1.055 * v.powf(1.0 / 2.4) - 0.055 };
    (e * 255.0).round() as u8
}

/// The hue turn between neighbouring entries, HUE_TURN / 255 = 2/3 degree,
/// as its cosine and sine (a test checks them): the hue advances by
/// rotating (a, b), so the wasm links no trigonometry (7 KB).
const STEP_COS: f64 = 0.999_932_308_003_762_2;
const STEP_SIN: f64 = 0.011_635_265_801_397_015;

/// The ramp in OKLab, darkest first.
pub fn ramp_oklab() -> [[f64; 3]; STEPS] {
    let mut out = [[0.0; 3]; STEPS];
    // cos and sin of HUE_START = 300 degrees.
    let (mut c, mut s) = (0.5, -(0.75f64).sqrt());
    for (i, e) in out.iter_mut().enumerate() {
        let t = i as f64 / (STEPS - 1) as f64;
        *e = [L_DARK + (L_LIGHT - L_DARK) * t, CHROMA * c, CHROMA * s];
        (c, s) = (c * STEP_COS - s * STEP_SIN, s * STEP_COS + c * STEP_SIN);
    }
    out
}

/// The ramp as 8-bit sRGB, darkest first.
pub fn ramp() -> [[u8; 3]; STEPS] {
    ramp_oklab().map(|[l, a, b]| oklab_to_linear_srgb(l, a, b).map(encode_srgb))
}

/// Where the map lies on the image: map pixel (mx, my) covers the image
/// pixels p with floor((p + floor(scale/2)) / scale) = m + offset, that is
/// the block of down-sampled sample m + offset (scale > 1: the matlab
/// preset, whose f x f box windows start floor(f/2) before their sample);
/// with scale 1, image pixel m + offset.
#[derive(Clone, Copy, Debug)]
pub struct Placement {
    pub width: usize,
    pub height: usize,
    pub offset_x: usize,
    pub offset_y: usize,
    pub scale: usize,
}

/// How map values become colours: `min` at the dark end, `max` at the
/// light end, clamped outside; `alpha` the opacity of map pixels.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub min: f64,
    pub max: f64,
    pub alpha: u8,
}

/// The map index an image coordinate falls on, if any.
fn index(p: usize, offset: usize, scale: usize, len: usize) -> Option<usize> {
    ((p + scale / 2) / scale).checked_sub(offset).filter(|&m| m < len)
}

/// RGBA pixels, `place.width` x `place.height`: the map coloured, and
/// outside it (the frame no window centres on) transparent black.
/// Not-a-number map values are drawn transparent too.
pub fn render(map: &[f32], map_width: usize, map_height: usize, place: &Placement, style: &Style) -> Result<Vec<u8>, String> {
    if map.len() != map_width * map_height {
        return Err(format!("the map holds {} values, not {map_width}x{map_height}", map.len()));
    }
    if place.scale == 0 {
        return Err("the map scale must be at least 1".into());
    }
    // NaN bounds fail too.
    if style.min.partial_cmp(&style.max) != Some(std::cmp::Ordering::Less) {
        return Err(format!("min ({}) must be below max ({})", style.min, style.max));
    }
    let table = ramp();
    let steps = (STEPS - 1) as f64 / (style.max - style.min);
    let cols: Vec<Option<usize>> = (0..place.width).map(|x| index(x, place.offset_x, place.scale, map_width)).collect();
    let mut out = vec![0u8; place.width * place.height * 4];
    // Rows in parallel where the build has a pool: each row is written by
    // one task from the same inputs, so the bits never depend on it.
    out.par_chunks_exact_mut(place.width * 4).enumerate().for_each(|(y, row)| {
        let Some(my) = index(y, place.offset_y, place.scale, map_height) else { return };
        let values = &map[my * map_width..(my + 1) * map_width];
        for (px, mx) in row.chunks_exact_mut(4).zip(&cols) {
            let Some(mx) = *mx else { continue };
            let v = values[mx] as f64;
            if v.is_nan() {
                continue;
            }
            let [r, g, b] = table[((v - style.min) * steps).clamp(0.0, (STEPS - 1) as f64).round() as usize];
            px.copy_from_slice(&[r, g, b, style.alpha]);
        }
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn linear_to_oklab_l(rgb: [f64; 3]) -> f64 {
        let [r, g, b] = rgb;
        let l = 0.412_221_470_8 * r + 0.536_332_536_3 * g + 0.051_445_992_9 * b;
        let m = 0.211_903_498_2 * r + 0.680_699_545_1 * g + 0.107_396_956_6 * b;
        let s = 0.088_302_461_9 * r + 0.281_718_837_6 * g + 0.629_978_700_5 * b;
        0.210_454_255_3 * l.cbrt() + 0.793_617_785_0 * m.cbrt() - 0.004_072_046_8 * s.cbrt()
    }

    #[test]
    fn the_hue_turns_from_300_degrees_by_170_at_a_constant_rate() {
        let step = (HUE_TURN / (STEPS - 1) as f64).to_radians();
        assert!((STEP_COS - step.cos()).abs() < 1e-16 && (STEP_SIN - step.sin()).abs() < 1e-16);
        for (i, [_, a, b]) in ramp_oklab().into_iter().enumerate() {
            let h = (HUE_START + HUE_TURN * i as f64 / (STEPS - 1) as f64).to_radians();
            assert!((a - CHROMA * h.cos()).abs() < 1e-13 && (b - CHROMA * h.sin()).abs() < 1e-13, "entry {i}");
        }
    }

    #[test]
    fn every_entry_is_inside_srgb_before_clipping() {
        for (i, [l, a, b]) in ramp_oklab().into_iter().enumerate() {
            for v in oklab_to_linear_srgb(l, a, b) {
                assert!((0.0..=1.0).contains(&v), "entry {i}: {v}");
            }
        }
    }

    #[test]
    fn lightness_of_the_8_bit_entries_rises_evenly() {
        // Decoded back from the rounded sRGB bytes, so rounding is included.
        let lin = |v: u8| {
            let e = v as f64 / 255.0;
            if e <= 0.040_45 { e / 12.92 } else { ((e + 0.055) / 1.055).powf(2.4) }
        };
        let ls: Vec<f64> = ramp().iter().map(|c| linear_to_oklab_l(c.map(lin))).collect();
        let step = (L_LIGHT - L_DARK) / (STEPS - 1) as f64;
        for w in ls.windows(2) {
            assert!(w[1] > w[0], "lightness must rise: {} then {}", w[0], w[1]);
            assert!((w[1] - w[0] - step).abs() < step, "uneven step {}", w[1] - w[0]);
        }
        assert!((ls[0] - L_DARK).abs() < 0.01 && (ls[STEPS - 1] - L_LIGHT).abs() < 0.01);
    }

    #[test]
    fn a_valid_map_sits_at_its_offset_and_the_frame_is_transparent() {
        // 3x2 map at offset (1, 2) on a 5x5 image.
        let map = [0.0, 0.5, 1.0, 1.0, 1.0, 1.0];
        let place = Placement { width: 5, height: 5, offset_x: 1, offset_y: 2, scale: 1 };
        let px = render(&map, 3, 2, &place, &Style { min: 0.0, max: 1.0, alpha: 200 }).unwrap();
        let at = |x: usize, y: usize| &px[(y * 5 + x) * 4..(y * 5 + x) * 4 + 4];
        let table = ramp();
        assert_eq!(at(1, 2), [table[0][0], table[0][1], table[0][2], 200]);
        assert_eq!(at(3, 2), [table[255][0], table[255][1], table[255][2], 200]);
        for (x, y) in [(0, 2), (4, 2), (1, 1), (1, 4), (0, 0)] {
            assert_eq!(at(x, y), [0, 0, 0, 0], "({x}, {y})");
        }
    }

    #[test]
    fn a_scaled_map_covers_blocks_starting_half_a_block_early() {
        // scale 2: sample j covers pixels 2j - 1 and 2j.
        assert_eq!((0..6).map(|p| index(p, 0, 2, 9)).collect::<Vec<_>>(), [Some(0), Some(1), Some(1), Some(2), Some(2), Some(3)]);
        assert_eq!((0..4).map(|p| index(p, 1, 2, 1)).collect::<Vec<_>>(), [None, Some(0), Some(0), None]);
    }

    #[test]
    fn bad_styles_and_lengths_are_refused() {
        let place = Placement { width: 2, height: 2, offset_x: 0, offset_y: 0, scale: 1 };
        assert!(render(&[0.0; 3], 2, 2, &place, &Style { min: 0.0, max: 1.0, alpha: 255 }).is_err());
        assert!(render(&[0.0; 4], 2, 2, &place, &Style { min: 1.0, max: 1.0, alpha: 255 }).is_err());
    }
}

//! PNG round trips through the `png` crate's encoder (every colour type and
//! bit depth), the shipped small files, and headers that ask for too much.

use ::png::{BitDepth, ColorType, Encoder};

use super::*;

fn encode(w: u32, h: u32, color: ColorType, depth: BitDepth, trns: Option<&[u8]>, palette: Option<&[u8]>, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut e = Encoder::new(&mut out, w, h);
    e.set_color(color);
    e.set_depth(depth);
    if let Some(p) = palette {
        e.set_palette(p.to_vec());
    }
    if let Some(t) = trns {
        e.set_trns(t.to_vec());
    }
    let mut wr = e.write_header().unwrap();
    wr.write_image_data(data).unwrap();
    wr.finish().unwrap();
    out
}

fn file(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/files/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn png_8_and_16_bit_colour_types_are_exact() {
    let (w, h) = (5u32, 3u32);
    for (color, ch) in [(ColorType::Grayscale, 1), (ColorType::GrayscaleAlpha, 2), (ColorType::Rgb, 3), (ColorType::Rgba, 4)] {
        let n = (w * h) as usize * ch;
        let v8: Vec<u8> = (0..n).map(|i| (i * 37 % 256) as u8).collect();
        let d = decode(&encode(w, h, color, BitDepth::Eight, None, None, &v8), usize::MAX).unwrap();
        assert_eq!((d.header.channels, d.header.bit_depth), (ch, 8));
        assert_eq!(d.samples, Samples::U8(v8));
        let v16: Vec<u16> = (0..n).map(|i| (i * 4099 % 65536) as u16).collect();
        let be: Vec<u8> = v16.iter().flat_map(|v| v.to_be_bytes()).collect();
        let d = decode(&encode(w, h, color, BitDepth::Sixteen, None, None, &be), usize::MAX).unwrap();
        assert_eq!((d.header.channels, d.header.bit_depth), (ch, 16));
        assert_eq!(d.samples, Samples::U16(v16));
    }
}

#[test]
fn low_bit_gray_scales_by_255_over_2b_minus_1() {
    for (depth, bits) in [(BitDepth::One, 1u32), (BitDepth::Two, 2), (BitDepth::Four, 4)] {
        // One row holding every level once, packed from the high bits.
        let levels: Vec<u8> = (0..(1u32 << bits)).map(|v| v as u8).collect();
        let per = (8 / bits) as usize;
        let packed: Vec<u8> = levels
            .chunks(per)
            .map(|c| c.iter().enumerate().fold(0u8, |acc, (i, &v)| acc | v << (8 - bits as usize * (i + 1))))
            .collect();
        let d = decode(&encode(levels.len() as u32, 1, ColorType::Grayscale, depth, None, None, &packed), usize::MAX).unwrap();
        let want: Vec<u8> = levels.iter().map(|&v| (v as u32 * 255 / ((1 << bits) - 1)) as u8).collect();
        assert_eq!(d.samples, Samples::U8(want), "{bits}-bit");
    }
}

#[test]
fn palette_expands_to_rgb_or_rgba_with_trns() {
    let palette = [10, 20, 30, 40, 50, 60, 70, 80, 90];
    let idx = [0u8, 1, 2, 1];
    let d = decode(&encode(4, 1, ColorType::Indexed, BitDepth::Eight, None, Some(&palette), &idx), usize::MAX).unwrap();
    assert_eq!(d.samples, Samples::U8(vec![10, 20, 30, 40, 50, 60, 70, 80, 90, 40, 50, 60]));
    let d = decode(&encode(4, 1, ColorType::Indexed, BitDepth::Eight, Some(&[0, 128]), Some(&palette), &idx), usize::MAX).unwrap();
    assert_eq!(d.header.channels, 4);
    assert_eq!(d.samples, Samples::U8(vec![10, 20, 30, 0, 40, 50, 60, 128, 70, 80, 90, 255, 40, 50, 60, 128]));
}

#[test]
fn trns_on_gray_and_rgb_becomes_alpha() {
    let d = decode(&encode(3, 1, ColorType::Grayscale, BitDepth::Eight, Some(&[0, 7]), None, &[7, 8, 7]), usize::MAX).unwrap();
    assert_eq!(d.samples, Samples::U8(vec![7, 0, 8, 255, 7, 0]));
    let d = decode(&encode(2, 1, ColorType::Rgb, BitDepth::Eight, Some(&[0, 1, 0, 2, 0, 3]), None, &[1, 2, 3, 1, 2, 4]), usize::MAX).unwrap();
    assert_eq!(d.samples, Samples::U8(vec![1, 2, 3, 0, 1, 2, 4, 255]));
}

#[test]
fn bands_of_rows_equal_the_whole_image() {
    let bytes = file("rgba.png");
    let whole = decode(&bytes, usize::MAX).unwrap();
    let mut rows = PngRows::open(bytes.as_slice(), usize::MAX).unwrap();
    let mut got = Vec::new();
    while rows.rows_left() > 0 {
        match rows.next_band(4).unwrap() {
            Samples::U8(v) => got.extend(v),
            Samples::U16(_) => panic!("8-bit file"),
        }
    }
    assert_eq!(Samples::U8(got), whole.samples);
}

#[test]
fn the_shipped_files_decode_to_their_shapes() {
    for (name, fmt, ch, bits) in [
        ("rgb.png", Format::Png, 3, 8),
        ("rgba.png", Format::Png, 4, 8),
        ("gray.png", Format::Png, 1, 8),
        ("rgb16.png", Format::Png, 3, 16),
        ("palette.png", Format::Png, 4, 8),
        ("interlaced.png", Format::Png, 4, 8),
        ("baseline420.jpg", Format::Jpeg, 3, 8),
        ("progressive444.jpg", Format::Jpeg, 3, 8),
        ("gray.jpg", Format::Jpeg, 1, 8),
        ("lossy.webp", Format::Webp, 3, 8),
        ("lossless.webp", Format::Webp, 3, 8),
        ("alpha.webp", Format::Webp, 4, 8),
    ] {
        let bytes = file(name);
        let d = decode(&bytes, usize::MAX).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!((d.header.format, d.header.width, d.header.height, d.header.channels, d.header.bit_depth), (fmt, 23, 17, ch, bits), "{name}");
        assert_eq!(d.samples.len(), 23 * 17 * ch, "{name}");
        assert_eq!(probe(&bytes, usize::MAX).unwrap(), d.header, "{name}");
    }
    // Interlaced and not, from the same pixels: the same samples.
    assert_eq!(decode(&file("interlaced.png"), usize::MAX).unwrap().samples, decode(&file("rgba.png"), usize::MAX).unwrap().samples);
}

#[test]
fn too_many_pixels_is_refused_from_the_header() {
    let png = file("rgb.png");
    assert!(matches!(decode(&png, 23 * 17 - 1), Err(DecodeError::TooLarge(_))));
    assert!(decode(&png, 23 * 17).is_ok());
    // IHDR 100000 x 100000 (CRC not fixed: the size is checked first).
    let mut big = png.clone();
    big[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    big[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    let crc = crc(&big[12..29]);
    big[29..33].copy_from_slice(&crc.to_be_bytes());
    assert!(matches!(decode(&big, usize::MAX), Err(DecodeError::TooLarge(_))));
    // JPEG SOF 65500 x 65500.
    let mut jpg = file("baseline420.jpg");
    let sof = jpg.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    jpg[sof + 5..sof + 7].copy_from_slice(&65500u16.to_be_bytes());
    jpg[sof + 7..sof + 9].copy_from_slice(&65500u16.to_be_bytes());
    assert!(matches!(decode(&jpg, usize::MAX), Err(DecodeError::TooLarge(_))));
}

#[test]
fn cmyk_jpeg_and_garbage_are_bad_files() {
    let mut jpg = file("baseline420.jpg");
    let sof = jpg.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    jpg[sof + 9] = 4;
    assert!(matches!(decode(&jpg, usize::MAX), Err(DecodeError::Bad(m)) if m.contains("CMYK")));
    assert!(matches!(decode(b"GIF89a....", usize::MAX), Err(DecodeError::Bad(_))));
    let mut png = file("rgb.png");
    let n = png.len();
    png[n - 20] ^= 0x55; // inside the IDAT: its CRC no longer matches
    assert!(matches!(decode(&png, usize::MAX), Err(DecodeError::Bad(_))));
}

/// CRC-32 of PNG chunks (for the crafted header above).
fn crc(bytes: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in bytes {
        c ^= b as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
        }
    }
    !c
}

#[test]
fn restart_markers_decode_close_to_libjpeg_turbo() {
    let d = decode(&file("restart.jpg"), usize::MAX).unwrap();
    let ppm = file("restart.ppm"); // djpeg's output: "P6\n23 17\n255\n" then RGB
    let pixels = &ppm[ppm.len() - 23 * 17 * 3..];
    let Samples::U8(ours) = d.samples else { panic!("8-bit") };
    let diffs: Vec<i32> = ours.iter().zip(pixels).map(|(&a, &b)| (a as i32 - b as i32).abs()).collect();
    let max = *diffs.iter().max().unwrap();
    let mean = diffs.iter().sum::<i32>() as f64 / diffs.len() as f64;
    assert!(max <= 4 && mean < 1.0, "max {max}, mean {mean}");
}

//! The WebAssembly surface of `decode`. A file is decoded one at a time and
//! its pixels are copied out to JavaScript: wasm memory holds the file plus
//! one band of rows (PNG, not interlaced) or the file plus the decoded
//! image (JPEG, WebP, interlaced PNG). Errors leave tagged: `ssimkit:file:`
//! (not a file we read, or a broken one; a TypeError in ts/backend.ts) or
//! `ssimkit:range:` (too many pixels, or memory the host will not give).

use wasm_bindgen::prelude::*;

use crate::decode::{self, DecodeError, Header, PngRows, Samples};
use crate::memory;

fn tag(e: DecodeError) -> JsError {
    match e {
        DecodeError::Bad(m) => JsError::new(&format!("ssimkit:file:{m}")),
        DecodeError::TooLarge(m) => JsError::new(&format!("ssimkit:range:{m}")),
    }
}

fn range(m: String) -> JsError {
    JsError::new(&format!("ssimkit:range:{m}"))
}

/// The limit as the TypeScript layer passed it (checked there: 1..2^26).
fn max_pixels(v: f64) -> usize {
    if v >= 1.0 { v.min(usize::MAX as f64) as usize } else { 0 }
}

fn format_name(h: &Header) -> &'static str {
    match h.format {
        decode::Format::Png => "png",
        decode::Format::Jpeg => "jpeg",
        decode::Format::Webp => "webp",
    }
}

/// The headers of a file: [format (0 png, 1 jpeg, 2 webp), width, height,
/// channels, bit depth, interlaced or progressive (0 / 1)].
#[wasm_bindgen(js_name = probeFile)]
pub fn probe_file(file: &[u8], max_pixels_: f64) -> Result<Vec<f64>, JsError> {
    let h = decode::probe(file, max_pixels(max_pixels_)).map_err(tag)?;
    let format = match h.format {
        decode::Format::Png => 0.0,
        decode::Format::Jpeg => 1.0,
        decode::Format::Webp => 2.0,
    };
    Ok(vec![format, h.width as f64, h.height as f64, h.channels as f64, h.bit_depth as f64, h.interlaced as u8 as f64])
}

/// The bytes `openFile` reckons decoding this file needs (`memory::decode_need`;
/// tests hold it to measured peaks).
#[wasm_bindgen(js_name = fileMemoryNeed)]
pub fn file_memory_need(file: &[u8], max_pixels_: f64) -> Result<f64, JsError> {
    let h = decode::probe(file, max_pixels(max_pixels_)).map_err(tag)?;
    Ok(memory::decode_need(&h, file.len()))
}

enum State {
    Rows(PngRows<Vec<u8>>),
    File(Vec<u8>),
    Done,
}

/// A file being decoded: its headers read and its size checked; `next_u8`
/// / `next_u16` hand out its rows, a band at a time where the format allows.
#[wasm_bindgen]
pub struct FileDecoder {
    header: Header,
    max_pixels: usize,
    state: State,
}

/// What SSIM with its map needs once this file is decoded (the default
/// window; the map, 4 bytes an output, is its one large allocation).
fn map_need(h: &Header) -> f64 {
    memory::need(&memory::Call {
        op: memory::Op::SsimStream { map: true },
        sample_bytes: h.bit_depth as usize / 8,
        width: h.width,
        height: h.height,
        channels: h.channels,
        planes: h.channels.min(4),
        n: 1,
        window: 11,
        levels: 1,
        threads: crate::threads::pool_threads() as usize,
    })
}

/// Opens a file (moved in, not copied again): reads its headers, refuses
/// more pixels than `max_pixels`, then makes sure the memory its decoding
/// needs can be had, all before a pixel buffer is allocated. `then_map`:
/// the caller scores it with SSIM's map next. The allocator grows memory by
/// the whole of a request that does not fit its free block, so a map larger
/// than the block the decode freed would grow memory by all of it (a 4K
/// map, 32 MiB, on top of a JPEG's 26 MiB); holding the larger of the two
/// needs now makes the decode and then the map carve from one block.
#[wasm_bindgen(js_name = openFile)]
pub fn open_file(file: Vec<u8>, max_pixels_: f64, then_map: bool) -> Result<FileDecoder, JsError> {
    let max_pixels = max_pixels(max_pixels_);
    let size = file.len();
    let (header, state) = match decode::sniff(&file) {
        Some(decode::Format::Png) => {
            let rows = PngRows::open(file, max_pixels).map_err(tag)?;
            (rows.header(), State::Rows(rows))
        }
        _ => (decode::probe(&file, max_pixels).map_err(tag)?, State::File(file)),
    };
    let need = memory::decode_need(&header, size);
    // Held beforehand only when large, as the metrics do (below that the
    // memory a call leaves is reused, and holding it would only grow it),
    // or when the map to come needs more than the decode (holding an
    // estimate above what the decode takes would grow memory to it for
    // nothing); the file is already in.
    let map = if then_map { map_need(&header) } else { 0.0 };
    let held = if map > need { map } else { need };
    let hold = map > need || need > memory::RESERVE_ABOVE;
    let refused = !(need <= memory::ADDRESSABLE) || (hold && !memory::hold(held - size as f64));
    if refused {
        return Err(range(format!(
            "{} this {}x{} file needs about {} of WebAssembly memory, and this host would not give it",
            if map > need { "scoring with its map" } else { "decoding" },
            header.width,
            header.height,
            memory::mib(held)
        )));
    }
    Ok(FileDecoder { header, max_pixels, state })
}

impl FileDecoder {
    fn next(&mut self, max_rows: usize) -> Result<Option<Samples>, DecodeError> {
        match core::mem::replace(&mut self.state, State::Done) {
            State::Rows(mut rows) if !self.header.interlaced => {
                if rows.rows_left() == 0 {
                    return Ok(None);
                }
                let band = rows.next_band(max_rows)?;
                self.state = State::Rows(rows);
                Ok(Some(band))
            }
            State::Rows(rows) => Ok(Some(rows.read_all()?.samples)),
            State::File(file) => Ok(Some(decode::decode(&file, self.max_pixels)?.samples)),
            State::Done => Ok(None),
        }
    }
}

#[wasm_bindgen]
impl FileDecoder {
    /// 'png', 'jpeg' or 'webp'.
    #[wasm_bindgen(getter)]
    pub fn format(&self) -> String {
        format_name(&self.header).into()
    }
    #[wasm_bindgen(getter)]
    pub fn width(&self) -> usize {
        self.header.width
    }
    #[wasm_bindgen(getter)]
    pub fn height(&self) -> usize {
        self.header.height
    }
    #[wasm_bindgen(getter)]
    pub fn channels(&self) -> usize {
        self.header.channels
    }
    #[wasm_bindgen(getter, js_name = bitDepth)]
    pub fn bit_depth(&self) -> u8 {
        self.header.bit_depth
    }
    /// The next rows of an 8-bit file (up to `max_rows`; a format that
    /// cannot stream gives all its rows at once), or undefined when done.
    pub fn next_u8(&mut self, max_rows: usize) -> Result<Option<Vec<u8>>, JsError> {
        match self.next(max_rows).map_err(tag)? {
            Some(Samples::U8(v)) => Ok(Some(v)),
            Some(Samples::U16(_)) => Err(range("a 16-bit file read as 8-bit (the TypeScript layer and the module disagree)".into())),
            None => Ok(None),
        }
    }
    /// As `next_u8`, for a 16-bit file.
    pub fn next_u16(&mut self, max_rows: usize) -> Result<Option<Vec<u16>>, JsError> {
        match self.next(max_rows).map_err(tag)? {
            Some(Samples::U16(v)) => Ok(Some(v)),
            Some(Samples::U8(_)) => Err(range("an 8-bit file read as 16-bit (the TypeScript layer and the module disagree)".into())),
            None => Ok(None),
        }
    }
}

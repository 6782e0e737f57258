//! Any bytes: decode (whole, and a PNG in bands) returns an error or an
//! image whose sample count matches its header; it never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ssimkit::decode::{decode, PngRows};

fuzz_target!(|data: &[u8]| {
    // A limit that keeps a mutated header's allocation small.
    let max = 1 << 20;
    if let Ok(d) = decode(data, max) {
        assert_eq!(d.samples.len(), d.header.width * d.header.height * d.header.channels);
    }
    if let Ok(mut rows) = PngRows::open(data, max) {
        if !rows.header().interlaced {
            while rows.rows_left() > 0 && rows.next_band(7).is_ok() {}
        }
    }
});

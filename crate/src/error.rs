//! Errors of the Rust API. The TypeScript layer checks every input before
//! calling the WebAssembly, so these are a second line, not the user's.

use core::fmt;

#[derive(Clone, Debug, PartialEq)]
pub enum Error {
    /// A size, length or option is out of its domain; the text says which.
    Range(String),
    /// The two images (or an image and its data) do not match.
    Mismatch(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Range(m) | Error::Mismatch(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}

pub(crate) fn range<T>(msg: impl Into<String>) -> Result<T, Error> {
    Err(Error::Range(msg.into()))
}

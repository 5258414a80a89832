//! Streaming body decoding under the size limit.
//!
//! Chunks are decoded as they arrive so that an oversized body (or a gzip
//! bomb) is refused as soon as it crosses the limit, without holding more
//! than the limit in memory.

use std::io::Write;

use flate2::write::{GzDecoder, ZlibDecoder};

use crate::limits::MAX_BODY_BYTES;

/// Why a body could not be taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyError {
    /// The body, decoded, is larger than the limit.
    TooLarge,
    /// `Content-Encoding` promised a format the bytes are not in.
    Corrupt(&'static str),
}

impl BodyError {
    pub fn message(&self) -> String {
        match self {
            BodyError::TooLarge => format!(
                "the response body is larger than {} bytes (1 MiB) once decoded",
                MAX_BODY_BYTES
            ),
            BodyError::Corrupt(encoding) => {
                format!(
                    "the response body is not valid {encoding} although Content-Encoding says so"
                )
            }
        }
    }
}

/// A `Vec` that refuses to grow past the limit.
#[derive(Default)]
struct Bounded {
    bytes: Vec<u8>,
    overflowed: bool,
}

impl Write for Bounded {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + data.len() > MAX_BODY_BYTES {
            self.overflowed = true;
            return Err(std::io::Error::other("body limit"));
        }
        self.bytes.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

enum Decoder {
    Identity(Bounded),
    Gzip(GzDecoder<Bounded>),
    Deflate(ZlibDecoder<Bounded>),
}

/// Takes a body chunk by chunk and yields it decoded.
pub struct BodySink {
    decoder: Decoder,
    wire_bytes: usize,
}

impl BodySink {
    /// A sink for a body sent with this `Content-Encoding` value (if any).
    /// Encodings we did not ask for are kept as they came.
    pub fn new(content_encoding: Option<&[u8]>) -> Self {
        let encoding = content_encoding
            .map(|v| String::from_utf8_lossy(v).trim().to_ascii_lowercase())
            .unwrap_or_default();
        let decoder = match encoding.as_str() {
            "gzip" | "x-gzip" => Decoder::Gzip(GzDecoder::new(Bounded::default())),
            "deflate" => Decoder::Deflate(ZlibDecoder::new(Bounded::default())),
            _ => Decoder::Identity(Bounded::default()),
        };
        BodySink {
            decoder,
            wire_bytes: 0,
        }
    }

    /// Adds the next chunk as read from the network.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), BodyError> {
        self.wire_bytes += chunk.len();
        if self.wire_bytes > MAX_BODY_BYTES {
            return Err(BodyError::TooLarge);
        }
        let written = match &mut self.decoder {
            Decoder::Identity(buf) => buf.write_all(chunk).map_err(|_| buf.overflowed),
            Decoder::Gzip(d) => d.write_all(chunk).map_err(|_| d.get_ref().overflowed),
            Decoder::Deflate(d) => d.write_all(chunk).map_err(|_| d.get_ref().overflowed),
        };
        written.map_err(|overflowed| self.error(overflowed))
    }

    /// The whole decoded body, once the network says it is complete.
    pub fn finish(self) -> Result<Vec<u8>, BodyError> {
        if self.wire_bytes == 0 {
            return Ok(Vec::new());
        }
        match self.decoder {
            Decoder::Identity(buf) => Ok(buf.bytes),
            Decoder::Gzip(d) => d
                .finish()
                .map(|b| b.bytes)
                .map_err(|_| BodyError::Corrupt("gzip")),
            Decoder::Deflate(d) => d
                .finish()
                .map(|b| b.bytes)
                .map_err(|_| BodyError::Corrupt("deflate")),
        }
    }

    fn error(&self, overflowed: bool) -> BodyError {
        match (&self.decoder, overflowed) {
            (_, true) => BodyError::TooLarge,
            (Decoder::Deflate(_), false) => BodyError::Corrupt("deflate"),
            _ => BodyError::Corrupt("gzip"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    fn decode(encoding: Option<&str>, chunks: &[&[u8]]) -> Result<Vec<u8>, BodyError> {
        let mut sink = BodySink::new(encoding.map(str::as_bytes));
        for chunk in chunks {
            sink.push(chunk)?;
        }
        sink.finish()
    }

    #[test]
    fn identity_bodies_pass_through() {
        assert_eq!(decode(None, &[b"ab", b"c"]).unwrap(), b"abc");
        assert_eq!(decode(Some("br"), &[b"raw"]).unwrap(), b"raw");
    }

    #[test]
    fn gzip_is_decoded_across_chunk_boundaries() {
        let packed = gzip(br#"{"data":{"fileName":"x"}}"#);
        let (a, b) = packed.split_at(7);
        assert_eq!(
            decode(Some(" GZIP "), &[a, b]).unwrap(),
            br#"{"data":{"fileName":"x"}}"#
        );
    }

    #[test]
    fn empty_body_is_empty_whatever_the_encoding() {
        assert_eq!(decode(Some("gzip"), &[]).unwrap(), b"");
    }

    #[test]
    fn corrupt_and_truncated_gzip_are_reported() {
        assert_eq!(
            decode(Some("gzip"), &[b"not gzip at all"]),
            Err(BodyError::Corrupt("gzip"))
        );
        let packed = gzip(&[b'x'; 1000]);
        let truncated = &packed[..packed.len() - 6];
        assert_eq!(
            decode(Some("gzip"), &[truncated]),
            Err(BodyError::Corrupt("gzip"))
        );
    }

    #[test]
    fn limit_holds_for_plain_and_for_gzip_bombs() {
        let big = vec![b'a'; MAX_BODY_BYTES + 1];
        assert_eq!(decode(None, &[&big]), Err(BodyError::TooLarge));
        let exact = vec![b'a'; MAX_BODY_BYTES];
        assert_eq!(decode(None, &[&exact]).unwrap().len(), MAX_BODY_BYTES);
        let bomb = gzip(&vec![0u8; 8 * MAX_BODY_BYTES]);
        assert!(bomb.len() < 64 * 1024);
        assert_eq!(decode(Some("gzip"), &[&bomb]), Err(BodyError::TooLarge));
    }
}

//! The benchmark's baseline: the same request made by native Rust in the
//! host process, a new connection each time as the component makes, with
//! the same hyper client wasmtime uses and the same decoding work.

use std::io::Read;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use tokio::net::TcpStream;
use wasmtime::{Result, bail};
use wasmtime_wasi_http::io::TokioIo;

/// GETs `http://{authority}{path}`, decodes gzip, parses the JSON and checks
/// it is the documented success, as the component does.
pub async fn download_from_cloud(
    authority: &str,
    path: &str,
    token: &str,
) -> Result<serde_json::Value> {
    let stream = TcpStream::connect(authority).await?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    let request = http::Request::get(path)
        .header(http::header::HOST, authority)
        .header(http::header::AUTHORIZATION, format!("ApiToken {token}"))
        .header(http::header::ACCEPT, "application/json")
        .header(http::header::ACCEPT_ENCODING, "gzip")
        .header(http::header::USER_AGENT, "native-baseline")
        .body(Empty::<Bytes>::new())?;
    let response = sender.send_request(request).await?;
    let gzipped = response
        .headers()
        .get(http::header::CONTENT_ENCODING)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"gzip"));
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    let body = if gzipped {
        let mut decoded = Vec::new();
        flate2::read::GzDecoder::new(&body[..]).read_to_end(&mut decoded)?;
        decoded
    } else {
        body.to_vec()
    };
    let json: serde_json::Value = serde_json::from_slice(&body)?;
    if !status.is_success() || !json["data"]["downloadUrl"].is_string() {
        bail!("not the documented success: {status}");
    }
    Ok(json)
}

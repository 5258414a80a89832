//! A SentinelOne console simulator on 127.0.0.1, for `make run` and tests.
//!
//! It speaks just enough HTTP/1.1, by hand, to misbehave on purpose: it can
//! hold a connection without answering, stall mid-body, cut a body short or
//! reset, which a well-behaved server library would not let it do.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use flate2::Compression;
use flate2::write::GzEncoder;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The documented success body, as the seed shows it.
pub const DOCUMENTED_FILE_NAME: &str =
    "ee24d1d448fffea3983da1a51ff4b2a37426a5651b9d93aee5959389de743f07";

/// The longest request head the simulator reads.
const MAX_HEAD: usize = 64 * 1024;

/// One answer the simulator gives to one request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// The documented 200: the seed's headers, a gzip body sent chunked.
    Documented,
    /// Any complete answer, framed with `Content-Length`.
    Full {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Reads the request, then never answers (until `hold` passes).
    NeverAnswer { hold: Duration },
    /// Sends the head and the first `sent` bytes of a longer body, then
    /// stalls for `hold`.
    StallBody { sent: usize, hold: Duration },
    /// Sends the head promising more body than it sends, then closes.
    Truncated,
    /// Closes the connection after reading the request, without a byte.
    Close,
    /// Answers with the `Authorization` header it received, in a header and
    /// in the body: a console or proxy that echoes secrets.
    EchoAuthorization,
}

impl Reply {
    /// A SentinelOne error answer: `{"errors":[{code, detail, title}]}`.
    pub fn sentinelone_error(status: u16, code: u64, title: &str, detail: Option<&str>) -> Reply {
        let body =
            serde_json::json!({"errors": [{"code": code, "detail": detail, "title": title}]});
        Reply::json(status, &body)
    }

    /// A JSON answer with the documented content type.
    pub fn json(status: u16, body: &serde_json::Value) -> Reply {
        Reply::Full {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
        }
    }

    /// An answer with extra headers added.
    pub fn with_header(self, name: &str, value: &str) -> Reply {
        match self {
            Reply::Full {
                status,
                mut headers,
                body,
            } => {
                headers.push((name.into(), value.into()));
                Reply::Full {
                    status,
                    headers,
                    body,
                }
            }
            other => other,
        }
    }
}

/// The documented success JSON.
pub fn documented_body() -> serde_json::Value {
    serde_json::json!({
        "data": {
            "downloadUrl": format!("https://mgmt-file-upload-us-east-1-prod.sentinelone.net/proxy/mgmt-file-upload-us-east-1-prod-pub.s3.amazonaws.com/pe/malicious/{DOCUMENTED_FILE_NAME}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20240421T171947Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&response-content-disposition=filename%3D{DOCUMENTED_FILE_NAME}.zip&X-Amz-Signature=0fb5573e7c8fde16f7dcf011f84c3a222e1bcdf276c55389287d81f1d87d984e"),
            "fileName": DOCUMENTED_FILE_NAME,
        }
    })
}

/// The documented body, gzip-compressed once: the simulator should cost
/// next to nothing per request, so benchmarks measure the client.
fn documented_gzip() -> &'static [u8] {
    static BODY: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BODY.get_or_init(|| gzip(documented_body().to_string().as_bytes()))
}

/// gzip-compresses `data`.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    let _ = encoder.write_all(data);
    encoder.finish().unwrap_or_default()
}

/// What the simulator saw of one request.
#[derive(Debug, Clone)]
pub struct SeenRequest {
    pub method: String,
    pub path: String,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
}

impl SeenRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A running simulator. Dropping it stops it.
pub struct Simulator {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<SeenRequest>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Simulator {
    /// Starts on an ephemeral loopback port. Replies are given in order; the
    /// last one repeats for every later request.
    pub async fn start(replies: Vec<Reply>) -> std::io::Result<Simulator> {
        Self::start_on(0, replies).await
    }

    /// Like [`Simulator::start`], on a chosen loopback port (0: any).
    pub async fn start_on(port: u16, replies: Vec<Reply>) -> std::io::Result<Simulator> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let seen = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Script {
            replies: if replies.is_empty() {
                vec![Reply::Documented]
            } else {
                replies
            },
            next: Mutex::new(0),
        });
        let task = tokio::spawn(serve(listener, script, seen.clone()));
        Ok(Simulator { addr, seen, task })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<SeenRequest> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct Script {
    replies: Vec<Reply>,
    next: Mutex<usize>,
}

impl Script {
    fn take(&self) -> Reply {
        let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
        let index = (*next).min(self.replies.len() - 1);
        *next += 1;
        self.replies[index].clone()
    }
}

async fn serve(listener: TcpListener, script: Arc<Script>, seen: Arc<Mutex<Vec<SeenRequest>>>) {
    while let Ok((stream, _)) = listener.accept().await {
        let script = script.clone();
        let seen = seen.clone();
        tokio::spawn(async move {
            let _ = handle(stream, &script, &seen).await;
        });
    }
}

async fn handle(
    mut stream: TcpStream,
    script: &Script,
    seen: &Mutex<Vec<SeenRequest>>,
) -> std::io::Result<()> {
    let Some(request) = read_head(&mut stream).await? else {
        return Ok(());
    };
    let reply = script.take();
    let authorization = request
        .header("authorization")
        .unwrap_or_default()
        .to_string();
    if let Ok(mut seen) = seen.lock() {
        seen.push(request);
    }
    match reply {
        Reply::Documented => {
            let mut out = head(200, &documented_headers());
            for chunk in documented_gzip().chunks(97) {
                out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
                out.extend_from_slice(chunk);
                out.extend_from_slice(b"\r\n");
            }
            out.extend_from_slice(b"0\r\n\r\n");
            stream.write_all(&out).await?;
        }
        Reply::Full {
            status,
            headers,
            body,
        } => {
            stream.write_all(&full(status, &headers, &body)).await?;
        }
        Reply::NeverAnswer { hold } => tokio::time::sleep(hold).await,
        Reply::StallBody { sent, hold } => {
            let body = vec![b' '; sent];
            let headers = vec![
                ("Content-Type".to_string(), "application/json".to_string()),
                ("Content-Length".to_string(), (sent + 1000).to_string()),
            ];
            let mut out = head(200, &headers);
            out.extend_from_slice(&body);
            stream.write_all(&out).await?;
            stream.flush().await?;
            tokio::time::sleep(hold).await;
        }
        Reply::Truncated => {
            let headers = vec![
                ("Content-Type".to_string(), "application/json".to_string()),
                ("Content-Length".to_string(), "500".to_string()),
            ];
            let mut out = head(200, &headers);
            out.extend_from_slice(br#"{"data":{"downloadUrl":"#);
            stream.write_all(&out).await?;
        }
        Reply::Close => {}
        Reply::EchoAuthorization => {
            let body = serde_json::json!({
                "data": {"downloadUrl": format!("https://files.invalid/?auth={authorization}"), "fileName": "echo"},
                "echo": {"authorization": authorization},
            });
            let headers = vec![
                ("Content-Type".to_string(), "application/json".to_string()),
                ("X-Echo-Authorization".to_string(), authorization.clone()),
            ];
            stream
                .write_all(&full(200, &headers, body.to_string().as_bytes()))
                .await?;
        }
    }
    stream.shutdown().await
}

async fn read_head(stream: &mut TcpStream) -> std::io::Result<Option<SeenRequest>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut chunk).await?;
        if n == 0 || buf.len() > MAX_HEAD {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let text = String::from_utf8_lossy(&buf);
    let mut lines = text.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_string();
    let path = request_line.next().unwrap_or_default().to_string();
    let headers = lines
        .take_while(|line| !line.is_empty())
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Ok(Some(SeenRequest {
        method,
        path,
        headers,
    }))
}

fn head(status: u16, headers: &[(String, String)]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} {}\r\n", reason(status)).into_bytes();
    for (name, value) in headers {
        out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out
}

fn full(status: u16, headers: &[(String, String)], body: &[u8]) -> Vec<u8> {
    let mut headers = headers.to_vec();
    headers.push(("Content-Length".into(), body.len().to_string()));
    headers.push(("Connection".into(), "close".into()));
    let mut out = head(status, &headers);
    out.extend_from_slice(body);
    out
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

/// The seed's response headers (framing ones aside, which HTTP sets).
fn documented_headers() -> Vec<(String, String)> {
    [
        ("Server", "nginx"),
        ("Date", "Sun, 21 Apr 2024 17:19:47 GMT"),
        ("Content-Type", "application/json"),
        ("Transfer-Encoding", "chunked"),
        ("Connection", "close"),
        ("X-RQID", "6774d02e-05e6-4a51-8c4c-168411f6fd66"),
        (
            "Access-Control-Allow-Origin",
            "https://cns.na1.sentinelone.net",
        ),
        ("Access-Control-Allow-Credentials", "true"),
        ("Vary", "Origin"),
        (
            "Strict-Transport-Security",
            "max-age=31536000; includeSubDomains",
        ),
        ("X-Frame-Options", "SAMEORIGIN"),
        ("X-Content-Type-Options", "nosniff"),
        (
            "Content-Security-Policy",
            "default-src 'self'; object-src 'none'",
        ),
        ("Cache-Control", "no-store"),
        ("Pragma", "no-cache"),
        ("Expires", "-1"),
        ("Content-Encoding", "gzip"),
    ]
    .iter()
    .map(|(n, v)| (n.to_string(), v.to_string()))
    .collect()
}

//! The thin I/O edge: one HTTP exchange over wasi:http, bounded by the
//! deadline at every step.
//!
//! waki's client offers only a connect timeout, so the exchange is driven
//! through the wasi:http bindings waki re-exports: request options give the
//! host its timeouts, and every wait polls the response (or body) together
//! with a clock pollable for the deadline, so the guest never blocks past it
//! whatever the host does.

use waki::bindings::wasi::clocks::monotonic_clock;
use waki::bindings::wasi::http::outgoing_handler;
use waki::bindings::wasi::http::types::{
    ErrorCode, Fields, IncomingResponse, Method, OutgoingRequest, RequestOptions,
    Scheme as WasiScheme, http_error_code,
};
use waki::bindings::wasi::io::poll::{self, Pollable};
use waki::bindings::wasi::io::streams::{InputStream, StreamError};

use crate::action::Transport;
use crate::body::BodySink;
use crate::console_url::Scheme;
use crate::error::ActionError;
use crate::request::HttpRequest;
use crate::response::RawResponse;

/// How much to ask for per body read.
const READ_CHUNK: u64 = 64 * 1024;

/// wasi:http, wasi:io and wasi:clocks as the action's transport.
pub struct WasiTransport;

impl Transport for WasiTransport {
    fn now_ns(&mut self) -> u64 {
        monotonic_clock::now()
    }

    fn sleep_until(&mut self, instant_ns: u64) {
        monotonic_clock::subscribe_instant(instant_ns).block();
    }

    fn send(
        &mut self,
        request: &HttpRequest,
        deadline_ns: u64,
    ) -> Result<RawResponse, ActionError> {
        let response = self.response_head(request, deadline_ns)?;
        let status = response.status();
        let headers = {
            let fields = response.headers();
            fields.entries()
        };
        let mut sink = BodySink::new(crate::headers::raw_value(&headers, "content-encoding"));
        let body = response
            .consume()
            .map_err(|()| transport("the response body was already taken"))?;
        {
            let stream = body
                .stream()
                .map_err(|()| transport("the response body stream was already taken"))?;
            read_body(&stream, &mut sink, deadline_ns)?;
        }
        drop(body);
        let body = sink
            .finish()
            .map_err(|e| ActionError::InvalidResponse(e.message()))?;
        Ok(RawResponse {
            status,
            headers,
            body,
        })
    }
}

impl WasiTransport {
    /// Sends the request and waits, until the deadline, for the status line
    /// and headers.
    fn response_head(
        &self,
        request: &HttpRequest,
        deadline_ns: u64,
    ) -> Result<IncomingResponse, ActionError> {
        let remaining = remaining_ns(deadline_ns).ok_or_else(|| timeout("before sending"))?;
        let outgoing = outgoing_request(request)?;
        let options = RequestOptions::new();
        // The host enforces these too; a host that refuses one still has the
        // guest-side deadline below.
        let _ = options.set_connect_timeout(Some(remaining));
        let _ = options.set_first_byte_timeout(Some(remaining));
        let _ = options.set_between_bytes_timeout(Some(remaining));
        let future = outgoing_handler::handle(outgoing, Some(options))
            .map_err(|code| from_error_code(&code, &request.authority, "while sending"))?;
        loop {
            if let Some(ready) = future.get() {
                return match ready {
                    Ok(Ok(response)) => Ok(response),
                    Ok(Err(_)) if remaining_ns(deadline_ns).is_none() => {
                        Err(timeout("while waiting for the response headers"))
                    }
                    Ok(Err(code)) => Err(from_error_code(
                        &code,
                        &request.authority,
                        "while waiting for the response",
                    )),
                    Err(()) => Err(transport("the response was already taken")),
                };
            }
            let pollable = future.subscribe();
            if !wait(&pollable, deadline_ns) {
                return Err(timeout("while waiting for the response headers"));
            }
        }
    }
}

fn outgoing_request(request: &HttpRequest) -> Result<OutgoingRequest, ActionError> {
    let headers = Fields::from_list(&request.headers)
        .map_err(|e| transport(&format!("the host refused a request header ({e:?})")))?;
    let outgoing = OutgoingRequest::new(headers);
    let scheme = match request.scheme {
        Scheme::Https => WasiScheme::Https,
        Scheme::Http => WasiScheme::Http,
    };
    let refused = |part: &str| transport(&format!("the host refused the request {part}"));
    outgoing
        .set_method(&Method::Get)
        .map_err(|()| refused("method"))?;
    outgoing
        .set_scheme(Some(&scheme))
        .map_err(|()| refused("scheme"))?;
    outgoing
        .set_authority(Some(&request.authority))
        .map_err(|()| refused("authority"))?;
    outgoing
        .set_path_with_query(Some(&request.path_with_query))
        .map_err(|()| refused("path"))?;
    Ok(outgoing)
}

/// Reads the body into `sink` until the stream closes or the deadline passes.
fn read_body(
    stream: &InputStream,
    sink: &mut BodySink,
    deadline_ns: u64,
) -> Result<(), ActionError> {
    loop {
        match stream.read(READ_CHUNK) {
            Ok(chunk) if chunk.is_empty() => {
                let pollable = stream.subscribe();
                if !wait(&pollable, deadline_ns) {
                    return Err(timeout("while reading the response body"));
                }
            }
            Ok(chunk) => sink
                .push(&chunk)
                .map_err(|e| ActionError::InvalidResponse(e.message()))?,
            Err(StreamError::Closed) => return Ok(()),
            Err(StreamError::LastOperationFailed(_)) if remaining_ns(deadline_ns).is_none() => {
                // The host's own between-bytes timeout, set to the deadline,
                // surfaces as a plain stream error: it is still the deadline.
                return Err(timeout("while reading the response body"));
            }
            Err(StreamError::LastOperationFailed(error)) => {
                return Err(match http_error_code(&error) {
                    Some(code) => from_error_code(&code, "", "while reading the response body"),
                    None => transport(&format!(
                        "the response body could not be read ({})",
                        error.to_debug_string()
                    )),
                });
            }
        }
    }
}

/// Blocks until `pollable` is ready (true) or the deadline passes (false).
fn wait(pollable: &Pollable, deadline_ns: u64) -> bool {
    if pollable.ready() {
        return true;
    }
    if remaining_ns(deadline_ns).is_none() {
        return false;
    }
    let deadline = monotonic_clock::subscribe_instant(deadline_ns);
    let ready = poll::poll(&[pollable, &deadline]);
    ready.contains(&0) || pollable.ready()
}

fn remaining_ns(deadline_ns: u64) -> Option<u64> {
    deadline_ns
        .checked_sub(monotonic_clock::now())
        .filter(|left| *left > 0)
}

fn timeout(phase: &str) -> ActionError {
    ActionError::Timeout(phase.to_string())
}

fn transport(message: &str) -> ActionError {
    ActionError::Transport(message.to_string())
}

/// wasi:http's error codes as the contract's cases, in words.
fn from_error_code(code: &ErrorCode, authority: &str, phase: &str) -> ActionError {
    let at = if authority.is_empty() {
        String::new()
    } else {
        format!(" {authority}")
    };
    match code {
        ErrorCode::DnsTimeout => timeout(&format!("{phase} (DNS lookup of{at})")),
        ErrorCode::ConnectionTimeout => timeout(&format!("{phase} (connecting to{at})")),
        ErrorCode::ConnectionReadTimeout | ErrorCode::HttpResponseTimeout => timeout(phase),
        ErrorCode::ConnectionWriteTimeout => timeout(&format!("{phase} (sending)")),
        ErrorCode::HttpResponseBodySize(_) => ActionError::InvalidResponse(
            "the response body is larger than the host allows".to_string(),
        ),
        ErrorCode::DnsError(payload) => transport(&format!(
            "could not resolve{at} (DNS error {})",
            payload.rcode.as_deref().unwrap_or("unknown")
        )),
        ErrorCode::ConnectionRefused => transport(&format!("connection refused by{at}")),
        ErrorCode::ConnectionTerminated | ErrorCode::HttpResponseIncomplete => transport(&format!(
            "the connection to{at} closed before a complete answer {phase}"
        )),
        ErrorCode::TlsCertificateError => {
            transport(&format!("the TLS certificate of{at} was rejected"))
        }
        ErrorCode::TlsProtocolError | ErrorCode::TlsAlertReceived(_) => {
            transport(&format!("the TLS handshake with{at} failed"))
        }
        ErrorCode::HttpRequestDenied => transport(&format!(
            "the host runtime denied the request to{at} (is this origin allowed?)"
        )),
        ErrorCode::HttpProtocolError => {
            transport(&format!("the answer from{at} was malformed HTTP {phase}"))
        }
        other => transport(&format!("the request to{at} failed {phase} ({other:?})")),
    }
}

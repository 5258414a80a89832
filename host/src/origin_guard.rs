//! The host's network policy: the guest may reach the console's origin and
//! nothing else.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpHooks};

/// Allows outgoing requests to exactly one origin (`scheme://host:port`).
#[derive(Clone, Default)]
pub struct OriginGuard {
    allowed: Option<String>,
    denied: Arc<AtomicUsize>,
}

impl OriginGuard {
    /// `None` denies every request.
    pub fn new(allowed: Option<String>, denied: Arc<AtomicUsize>) -> Self {
        OriginGuard { allowed, denied }
    }

    fn permits(&self, uri: &http::Uri) -> bool {
        let (Some(allowed), Some(scheme), Some(authority)) =
            (&self.allowed, uri.scheme_str(), uri.authority())
        else {
            return false;
        };
        let origin = format!("{scheme}://{authority}");
        origin.eq_ignore_ascii_case(allowed)
    }
}

impl WasiHttpHooks for OriginGuard {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        fut: Box<dyn Future<Output = Result<(), Error>> + Send>,
    ) -> Box<
        dyn Future<
                Output = Result<
                    (
                        http::Response<WasiBody>,
                        Box<dyn Future<Output = Result<(), Error>> + Send>,
                    ),
                    Error,
                >,
            > + Send,
    > {
        drop(fut);
        if !self.permits(request.uri()) {
            self.denied.fetch_add(1, Ordering::Relaxed);
            return Box::new(async { Err(Error::HttpRequestDenied) });
        }
        Box::new(async move {
            use http_body_util::BodyExt;
            let (response, io) = wasmtime_wasi_http::default_send_request(request, options).await?;
            Ok((
                response.map(BodyExt::boxed_unsync),
                Box::new(io) as Box<dyn Future<Output = Result<(), Error>> + Send>,
            ))
        })
    }
}

//! The action's flow: validate, send, retry within the deadline, classify,
//! redact. Pure logic over a [`Transport`], so it runs natively in tests.

use crate::error::ActionError;
use crate::output::Output;
use crate::request::{self, HttpRequest};
use crate::response::{self, RawResponse};
use crate::validate::{self, Connection};
use crate::{redact, retry};

const NANOS_PER_MILLI: u64 = 1_000_000;

/// The I/O the action needs: a monotonic clock, a way to wait, and one
/// HTTP exchange that gives up at a deadline.
pub trait Transport {
    /// Monotonic time in nanoseconds.
    fn now_ns(&mut self) -> u64;
    /// Waits until the monotonic clock reaches `instant_ns`.
    fn sleep_until(&mut self, instant_ns: u64);
    /// Sends `request` and reads the whole answer, body decoded and bounded.
    /// Fails with `timeout` if `deadline_ns` passes first.
    fn send(&mut self, request: &HttpRequest, deadline_ns: u64)
    -> Result<RawResponse, ActionError>;
}

/// Runs the action; whatever happens, the token is not in the result.
pub fn run(
    transport: &mut impl Transport,
    connection: &Connection,
    threat_id: &str,
) -> Result<Output, ActionError> {
    let token = connection.api_token.as_str();
    execute(transport, connection, threat_id)
        .map(|output| redact::output(output, token))
        .map_err(|error| redact::error(error, token))
}

fn execute(
    transport: &mut impl Transport,
    connection: &Connection,
    threat_id: &str,
) -> Result<Output, ActionError> {
    let checked = validate::check(connection, threat_id)?;
    let request = request::build(&checked);
    let deadline = transport
        .now_ns()
        .saturating_add(u64::from(checked.timeout_ms) * NANOS_PER_MILLI);
    let mut retries_done = 0;
    loop {
        let answer = transport
            .send(&request, deadline)
            .map_err(|error| with_deadline(error, checked.timeout_ms))?;
        if retry::is_retryable(answer.status) && retries_done < checked.max_retries {
            let wait = retry::delay_ms(retries_done, answer.header("retry-after"));
            let resume = transport
                .now_ns()
                .saturating_add(wait.saturating_mul(NANOS_PER_MILLI));
            // A retry that could not finish before the deadline is not
            // started: the caller gets the console's last answer instead.
            if resume < deadline {
                transport.sleep_until(resume);
                retries_done += 1;
                continue;
            }
        }
        return response::classify(response::to_output(&answer));
    }
}

/// Timeouts say which deadline passed, the transport says where.
fn with_deadline(error: ActionError, timeout_ms: u32) -> ActionError {
    match error {
        ActionError::Timeout(phase) => ActionError::Timeout(format!(
            "the {timeout_ms} ms deadline (connection.timeout_ms) passed {phase}"
        )),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;

    /// Plays back scripted answers on a virtual clock.
    struct Scripted {
        now: u64,
        answers: VecDeque<Result<RawResponse, ActionError>>,
        sent: Vec<(HttpRequest, u64)>,
        slept_until: Vec<u64>,
    }

    impl Scripted {
        fn new(answers: Vec<Result<RawResponse, ActionError>>) -> Self {
            Scripted {
                now: 1_000,
                answers: answers.into(),
                sent: vec![],
                slept_until: vec![],
            }
        }
    }

    impl Transport for Scripted {
        fn now_ns(&mut self) -> u64 {
            self.now
        }
        fn sleep_until(&mut self, instant_ns: u64) {
            self.slept_until.push(instant_ns);
            self.now = instant_ns;
        }
        fn send(
            &mut self,
            request: &HttpRequest,
            deadline_ns: u64,
        ) -> Result<RawResponse, ActionError> {
            self.sent.push((request.clone(), deadline_ns));
            self.now += NANOS_PER_MILLI;
            self.answers.pop_front().expect("no scripted answer left")
        }
    }

    fn answer(
        status: u16,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Result<RawResponse, ActionError> {
        Ok(RawResponse {
            status,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
                .collect(),
            body: body.as_bytes().to_vec(),
        })
    }

    const OK_BODY: &str = r#"{"data":{"downloadUrl":"https://files.invalid/x","fileName":"abc"}}"#;

    fn connection(timeout_ms: u32, max_retries: u32) -> Connection {
        Connection {
            base_url: "https://console.invalid".into(),
            api_token: "secret-token-1".into(),
            timeout_ms: Some(timeout_ms),
            max_retries: Some(max_retries),
        }
    }

    #[test]
    fn invalid_input_sends_nothing() {
        let mut t = Scripted::new(vec![]);
        let r = run(&mut t, &connection(1000, 2), "abc");
        assert!(matches!(r, Err(ActionError::InvalidInput(_))));
        assert!(t.sent.is_empty());
    }

    #[test]
    fn success_after_a_rate_limit_honours_retry_after() {
        let mut t = Scripted::new(vec![
            answer(429, &[("retry-after", "1")], ""),
            answer(200, &[], OK_BODY),
        ]);
        let output = run(&mut t, &connection(5000, 2), "42").unwrap();
        assert_eq!(output.status_code, 200);
        assert_eq!(t.sent.len(), 2);
        assert_eq!(
            t.slept_until,
            vec![1_000 + NANOS_PER_MILLI + 1000 * NANOS_PER_MILLI]
        );
        assert_eq!(
            t.sent[0].1,
            1_000 + 5000 * NANOS_PER_MILLI,
            "one deadline for all attempts"
        );
        assert_eq!(t.sent[1].1, t.sent[0].1);
    }

    #[test]
    fn retries_are_bounded_and_the_last_answer_is_returned() {
        let mut t = Scripted::new(
            (0..3)
                .map(|_| answer(503, &[], "<html>down</html>"))
                .collect(),
        );
        match run(&mut t, &connection(60_000, 2), "42") {
            Err(ActionError::HttpStatus(o)) => assert_eq!(o.status_code, 503),
            other => panic!("{other:?}"),
        }
        assert_eq!(t.sent.len(), 3);
    }

    #[test]
    fn no_retry_is_started_past_the_deadline() {
        let mut t = Scripted::new(vec![answer(429, &[("retry-after", "10")], "")]);
        assert!(matches!(
            run(&mut t, &connection(2000, 5), "42"),
            Err(ActionError::HttpStatus(_))
        ));
        assert_eq!(t.sent.len(), 1);
        assert!(t.slept_until.is_empty());
    }

    #[test]
    fn client_errors_are_not_retried() {
        let mut t = Scripted::new(vec![answer(
            404,
            &[],
            r#"{"errors":[{"code":4040010,"title":"Not Found"}]}"#,
        )]);
        assert!(matches!(
            run(&mut t, &connection(2000, 5), "42"),
            Err(ActionError::HttpStatus(_))
        ));
        assert_eq!(t.sent.len(), 1);
    }

    #[test]
    fn transport_failures_pass_through_redacted() {
        let mut t = Scripted::new(vec![Err(ActionError::Transport(
            "reset near secret-token-1".into(),
        ))]);
        assert_eq!(
            run(&mut t, &connection(2000, 2), "42"),
            Err(ActionError::Transport("reset near [REDACTED]".into()))
        );
    }

    #[test]
    fn an_echoed_token_never_comes_back() {
        let body = r#"{"data":{"downloadUrl":"https://x/?t=secret-token-1","fileName":"f"}}"#;
        let mut t = Scripted::new(vec![answer(
            200,
            &[("x-echo", "ApiToken secret-token-1")],
            body,
        )]);
        let shown = format!("{:?}", run(&mut t, &connection(2000, 2), "42"));
        assert!(!shown.contains("secret-token-1"), "{shown}");
    }
}

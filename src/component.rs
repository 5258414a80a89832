//! The component's exports: thin adapters from the WIT types to the action.

wit_bindgen::generate!({
    path: "wit",
    world: "action",
});

use exports::sentinelone::threats::download_from_cloud as wit;

use crate::error::ActionError;
use crate::output::Output;
use crate::validate::Connection;
use crate::wasi_transport::WasiTransport;
use crate::{action, json_entry};

struct Component;

impl wit::Guest for Component {
    fn download_from_cloud(
        connection: wit::Connection,
        inputs: wit::Inputs,
    ) -> Result<wit::Output, wit::ActionError> {
        let connection = Connection {
            base_url: connection.base_url,
            api_token: connection.api_token,
            timeout_ms: connection.timeout_ms,
            max_retries: connection.max_retries,
        };
        action::run(
            &mut WasiTransport,
            &connection,
            &inputs.path_parameters.threat_id,
        )
        .map(to_wit_output)
        .map_err(to_wit_error)
    }

    fn invoke_json(request: String) -> Result<String, String> {
        json_entry::invoke(&mut WasiTransport, &request)
    }
}

fn to_wit_output(output: Output) -> wit::Output {
    wit::Output {
        status_code: output.status_code,
        json_body: output.json_body.to_string(),
        reason: output.reason,
        response_headers: output.response_headers,
    }
}

fn to_wit_error(error: ActionError) -> wit::ActionError {
    match error {
        ActionError::InvalidInput(m) => wit::ActionError::InvalidInput(m),
        ActionError::HttpStatus(o) => wit::ActionError::HttpStatus(to_wit_output(*o)),
        ActionError::Timeout(m) => wit::ActionError::Timeout(m),
        ActionError::Transport(m) => wit::ActionError::Transport(m),
        ActionError::InvalidResponse(m) => wit::ActionError::InvalidResponse(m),
    }
}

export!(Component);

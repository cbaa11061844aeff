//! Per-call reports (issue 19): `POST /api/calls/{id}/report/`, each party's summary of its
//! connection. Extension beyond the reference, in its style; the reports come back in the call
//! JSON's `reports`.

use axum::{extract::State, http::StatusCode, Json};

use app::protocol::{CallConflict, CallReport, Detail, ErrorBody, ReportBody};

use super::{
    calls::CallPath,
    extract::{ApiJson, AuthUser},
};
use crate::{error::ApiError, AppState};

/// Posts the caller's report on a call they took part in.
#[utoipa::path(
    post,
    path = "/calls/{id}/report/",
    tag = "calls",
    security(("jwt" = [])),
    params(("id" = i64, Path, description = "The call's id")),
    request_body = ReportBody,
    responses(
        (status = CREATED, description = "The report, as the call JSON's `reports` lists it", body = CallReport),
        (status = BAD_REQUEST, description = "A field missing or out of bounds", body = ErrorBody),
        (status = UNAUTHORIZED, description = "No valid access token", body = Detail),
        (status = NOT_FOUND, description = "No such call, or the caller is not a party of it", body = Detail),
        (status = CONFLICT, description = "The call was not answered, ended more than 10 minutes ago, or has this party's report already", body = CallConflict),
        (status = PAYLOAD_TOO_LARGE, description = "A body over 1 KiB", body = Detail),
    )
)]
pub async fn report(
    State(state): State<AppState>,
    user: AuthUser,
    CallPath(id): CallPath,
    ApiJson(body): ApiJson<ReportBody>,
) -> Result<(StatusCode, Json<CallReport>), ApiError> {
    let report = state.calls.report(user.id, id, body).await?;
    Ok((StatusCode::CREATED, Json(report)))
}

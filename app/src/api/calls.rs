//! `/api/calls/...`: starting, answering and ending calls, and the lists.

use serde_json::Value;

use super::{post, post_empty, ApiFailure};
use crate::protocol::{
    Call, CallId, CallReport, CallType, MissedCount, ReportBody, StartCall, UserId,
};

/// `POST /api/calls/`: 201 a new call, 200 the glare call, 409 busy.
pub async fn start(receiver: UserId, call_type: CallType) -> Result<Call, ApiFailure> {
    post(
        "/api/calls/",
        &StartCall {
            receiver,
            call_type,
        },
    )
    .await
}

pub async fn get(id: CallId) -> Result<Call, ApiFailure> {
    super::get(&format!("/api/calls/{id}/")).await
}

pub async fn accept(id: CallId) -> Result<Call, ApiFailure> {
    post_empty(&format!("/api/calls/{id}/accept/")).await
}

pub async fn reject(id: CallId) -> Result<Call, ApiFailure> {
    post_empty(&format!("/api/calls/{id}/reject/")).await
}

pub async fn cancel(id: CallId) -> Result<Call, ApiFailure> {
    post_empty(&format!("/api/calls/{id}/cancel/")).await
}

pub async fn end(id: CallId) -> Result<Call, ApiFailure> {
    post_empty(&format!("/api/calls/{id}/end/")).await
}

/// This side's report of its connection during the call (issue 19); once per party.
pub async fn report(id: CallId, body: &ReportBody) -> Result<CallReport, ApiFailure> {
    post(&format!("/api/calls/{id}/report/"), body).await
}

/// This device rings (idempotent; 409 once the call moved on).
pub async fn ringing(id: CallId) -> Result<Value, ApiFailure> {
    post_empty(&format!("/api/calls/{id}/ringing/")).await
}

/// The live calls (ringing or in progress).
pub async fn active() -> Result<Vec<Call>, ApiFailure> {
    super::get("/api/calls/active/").await
}

/// The ended calls, newest first.
pub async fn history() -> Result<Vec<Call>, ApiFailure> {
    super::get("/api/calls/history/").await
}

/// The missed calls received.
pub async fn missed() -> Result<Vec<Call>, ApiFailure> {
    super::get("/api/calls/missed/").await
}

/// The missed-calls badge.
pub async fn missed_count() -> Result<MissedCount, ApiFailure> {
    super::get("/api/calls/missed/count/").await
}

/// Clears the badge; the count left.
pub async fn missed_seen() -> Result<MissedCount, ApiFailure> {
    post_empty("/api/calls/missed/seen/").await
}

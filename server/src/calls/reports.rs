//! Per-call reports (issue 19): each party of an answered call posts, once, what its own
//! connection did (direct or relayed, round trip, loss, worst grade, reconnects), at hang-up or
//! up to [`REPORT_WINDOW_MS`] after the call ended. The listings and `GET /api/calls/{id}/`
//! carry both parties' reports; they go with the call's other data (`calls purge`,
//! `user delete`, the retention sweep).

use std::collections::HashMap;

use app::protocol::{
    Call, CallId, CallReport, CallStatus, Grade, MediaPath, ReportBody, Timestamp, UserId,
    REPORT_WINDOW_MS,
};

use super::{CallError, Calls};
use crate::db::reports::ReportRow;

impl Calls {
    /// Stores `user`'s report on call `id`: a party (else 404) of a call that was answered and
    /// is in progress (a report at hang-up may overtake the end) or ended at most
    /// [`REPORT_WINDOW_MS`] ago (else 409), once (409), within the bounds (400).
    pub async fn report(
        &self,
        user: UserId,
        id: CallId,
        body: ReportBody,
    ) -> Result<CallReport, CallError> {
        let (stored, _) = self.party_call(user, id).await?;
        let now = self.clock.now_millis();
        let call = stored.view(user);
        if let Some(reason) = report_refused(&call, now) {
            return Err(CallError::Report {
                detail: reason,
                call: Box::new(call),
            });
        }
        body.check()
            .map_err(|(field, message)| CallError::Field { field, message })?;
        let row = to_row(id, user, &body, now);
        if !self.db.insert_report(&row).await? {
            return Err(CallError::Report {
                detail: "This call has your report already.",
                call: Box::new(call),
            });
        }
        tracing::info!(call_id = %id, path = body.path.as_str(), "call report");
        Ok(CallReport {
            user_id: user,
            body,
            created_at: Timestamp(now),
        })
    }

    /// Puts each call's reports in its `reports` (one query for all of them).
    pub(super) async fn with_reports(&self, mut calls: Vec<Call>) -> Result<Vec<Call>, CallError> {
        let ids: Vec<CallId> = calls.iter().map(|call| call.id).collect();
        let mut by_call: HashMap<i64, Vec<CallReport>> = HashMap::new();
        for row in self.db.reports_of(&ids).await? {
            let call_id = row.call_id;
            by_call.entry(call_id).or_default().push(to_report(row)?);
        }
        for call in &mut calls {
            call.reports = by_call.remove(&call.id.0).unwrap_or_default();
        }
        Ok(calls)
    }
}

/// Why `call` takes no report at `now` (epoch milliseconds), if it does not.
fn report_refused(call: &Call, now: i64) -> Option<&'static str> {
    match (call.status, call.accepted_at, call.ended_at) {
        (CallStatus::Accepted, _, _) => None,
        (CallStatus::Ended, Some(_), Some(ended)) if now - ended.0 <= REPORT_WINDOW_MS => None,
        (CallStatus::Ended, Some(_), _) => {
            Some("Reports are taken up to 10 minutes after the call ended.")
        }
        _ => Some("Only a call that was answered has a report."),
    }
}

fn to_row(call: CallId, user: UserId, body: &ReportBody, now: i64) -> ReportRow {
    ReportRow {
        call_id: call.0,
        user_id: user.0,
        path: body.path.as_str().to_owned(),
        ip_hidden: i64::from(body.ip_hidden),
        avg_rtt_ms: body.avg_rtt_ms,
        avg_jitter_ms: body.avg_jitter_ms,
        loss_basis_points: body.loss_basis_points,
        worst_grade: body.worst_grade.map(|grade| grade.as_str().to_owned()),
        reconnects: body.reconnects,
        connected_secs: body.connected_secs,
        samples: body.samples,
        created_at: now,
    }
}

/// The report from a row; an unknown value in the database is our bug, not the client's.
fn to_report(row: ReportRow) -> Result<CallReport, CallError> {
    let path = MediaPath::parse(&row.path)
        .ok_or_else(|| anyhow::anyhow!("call {}: bad report path {:?}", row.call_id, row.path))?;
    let worst_grade = match row.worst_grade.as_deref() {
        None => None,
        Some(text) => Some(
            [Grade::Good, Grade::Fair, Grade::Poor]
                .into_iter()
                .find(|grade| grade.as_str() == text)
                .ok_or_else(|| anyhow::anyhow!("call {}: bad grade {text:?}", row.call_id))?,
        ),
    };
    Ok(CallReport {
        user_id: UserId(row.user_id),
        body: ReportBody {
            path,
            ip_hidden: row.ip_hidden != 0,
            avg_rtt_ms: row.avg_rtt_ms,
            avg_jitter_ms: row.avg_jitter_ms,
            loss_basis_points: row.loss_basis_points,
            worst_grade,
            reconnects: row.reconnects,
            connected_secs: row.connected_secs,
            samples: row.samples,
        },
        created_at: Timestamp(row.created_at),
    })
}

//! The `call_reports` table (issue 19): each party's report of its connection during a call.

use app::protocol::CallId;

use super::{inserted, Db};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportRow {
    pub call_id: i64,
    pub user_id: i64,
    pub path: String,
    pub ip_hidden: i64,
    pub avg_rtt_ms: Option<i64>,
    pub avg_jitter_ms: Option<i64>,
    pub loss_basis_points: Option<i64>,
    pub worst_grade: Option<String>,
    pub reconnects: i64,
    pub connected_secs: i64,
    pub samples: i64,
    pub created_at: i64,
}

const REPORT_COLUMNS: &str = "call_id, user_id, path, ip_hidden, avg_rtt_ms, avg_jitter_ms, \
     loss_basis_points, worst_grade, reconnects, connected_secs, samples, created_at";

impl Db {
    /// Stores a report; false if this party reported on this call already (one each).
    pub async fn insert_report(&self, report: &ReportRow) -> sqlx::Result<bool> {
        let insert = sqlx::query(&format!(
            "INSERT INTO call_reports ({REPORT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        ))
        .bind(report.call_id)
        .bind(report.user_id)
        .bind(report.path.as_str())
        .bind(report.ip_hidden)
        .bind(report.avg_rtt_ms)
        .bind(report.avg_jitter_ms)
        .bind(report.loss_basis_points)
        .bind(report.worst_grade.as_deref())
        .bind(report.reconnects)
        .bind(report.connected_secs)
        .bind(report.samples)
        .bind(report.created_at)
        .execute(self.pool())
        .await;
        inserted(insert)
    }

    /// The reports of `calls` (one query for a page of the history), by call then party.
    pub async fn reports_of(&self, calls: &[CallId]) -> sqlx::Result<Vec<ReportRow>> {
        if calls.is_empty() {
            return Ok(Vec::new());
        }
        let marks = vec!["?"; calls.len()].join(", ");
        let sql = format!(
            "SELECT {REPORT_COLUMNS} FROM call_reports WHERE call_id IN ({marks}) \
             ORDER BY call_id, created_at, user_id"
        );
        let mut query = sqlx::query_as(&sql);
        for call in calls {
            query = query.bind(call.0);
        }
        query.fetch_all(self.pool()).await
    }

    /// Deletes the reports posted before `cutoff` (epoch milliseconds); how many went.
    pub async fn delete_reports_before(&self, cutoff: i64) -> sqlx::Result<u64> {
        let deleted = sqlx::query("DELETE FROM call_reports WHERE created_at < ?")
            .bind(cutoff)
            .execute(self.pool())
            .await?;
        Ok(deleted.rows_affected())
    }
}

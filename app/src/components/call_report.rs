//! The per-call report (issue 19): posting this side's summary when the call stops, and both
//! sides' reports in a history row, one line each with the full figures in an expandable
//! part. The summary and the words are [`crate::quality::report`]'s.

use leptos::prelude::*;

use crate::i18n::{t, t_with};
use crate::protocol::{Call, CallReport, UserId};
use crate::quality::report::{compact, details};

/// Both parties' reports of `call`, as `me` sees them ("You" and the other's name); nothing
/// when neither reported.
#[component]
pub fn CallReports(call: Call, me: UserId) -> impl IntoView {
    if call.reports.is_empty() {
        return ().into_any();
    }
    let other = if call.caller.id == me {
        &call.receiver
    } else {
        &call.caller
    };
    // Mine first, then theirs.
    let sides: Vec<(String, UserId, Option<CallReport>)> =
        [(t("report-you"), me), (other.username.clone(), other.id)]
            .into_iter()
            .map(|(name, id)| {
                let report = call.reports.iter().find(|r| r.user_id == id).cloned();
                (name, id, report)
            })
            .collect();
    let lines = sides
        .iter()
        .map(|(name, id, report)| {
            let text = report
                .as_ref()
                .map_or_else(|| t("report-none"), |r| compact(&r.body));
            view! {
                <li data-testid="call-report-line" data-user-id=id.to_string()>
                    <span class="call-report-who">{t_with("report-who", &[("name", name.as_str().into())])}" "</span>
                    {text}
                </li>
            }
        })
        .collect_view();
    let labels: Vec<String> = sides
        .iter()
        .find_map(|(_, _, report)| report.as_ref())
        .map(|r| {
            details(&r.body)
                .into_iter()
                .map(|(label, _)| label)
                .collect()
        })
        .unwrap_or_default();
    let columns: Vec<Vec<String>> = sides
        .iter()
        .map(|(_, _, report)| match report {
            Some(r) => details(&r.body)
                .into_iter()
                .map(|(_, value)| value)
                .collect(),
            None => vec!["–".to_owned(); labels.len()],
        })
        .collect();
    let rows = labels
        .iter()
        .enumerate()
        .map(|(i, label)| {
            view! {
                <tr>
                    <th scope="row">{label.clone()}</th>
                    {columns
                        .iter()
                        .map(|column| view! { <td>{column[i].clone()}</td> })
                        .collect_view()}
                </tr>
            }
        })
        .collect_view();
    let heads = sides
        .iter()
        .map(|(name, _, _)| view! { <th scope="col">{name.clone()}</th> })
        .collect_view();
    view! {
        <div class="call-report" data-testid="call-report">
            <ul class="call-report-lines muted small" aria-label=t("report-aria")>
                {lines}
            </ul>
            <details class="call-report-details" data-testid="call-report-details">
                <summary>{t("report-details")}</summary>
                <table class="call-report-table">
                    <caption class="sr-only">{t("report-caption")}</caption>
                    <thead>
                        <tr>
                            <td></td>
                            {heads}
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </details>
        </div>
    }
    .into_any()
}

/// Posts this side's report of call `id` (None: a call never answered, nothing to say), in
/// the background: the page goes on at once, and a failure is only logged.
#[cfg(feature = "hydrate")]
pub fn post(id: Option<crate::protocol::CallId>, body: Option<crate::protocol::ReportBody>) {
    let (Some(id), Some(body)) = (id, body) else {
        return;
    };
    leptos::task::spawn_local(async move {
        if let Err(failure) = crate::api::calls::report(id, &body).await {
            crate::rtc::log(&format!("call report not kept: {}", failure.message()));
        }
    });
}

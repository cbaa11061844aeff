//! Prometheus metrics. Events are recorded through the `metrics` facade where they happen (a
//! counter is an atomic add: nothing on the relay path waits); the exporter renders them for
//! `/metrics` (`http/metrics.rs`), which is served on `METRICS_ADDR` and, with `METRICS_TOKEN`,
//! on the public address to the token's bearer; by default nowhere.
//!
//! One recorder per process: tests run several servers in one, and they share it.

use std::{
    collections::HashMap,
    sync::{LazyLock, OnceLock, PoisonError, RwLock},
    time::Duration,
};

use app::protocol::{Call, CallStatus};
use axum::http::Method;
use metrics::{counter, gauge, histogram, Counter, Gauge, Histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub const SOCKETS_OPEN: &str = "callhub_sockets_open";
pub const CALLS_STARTED: &str = "callhub_calls_started_total";
pub const CALLS_ACCEPTED: &str = "callhub_calls_accepted_total";
pub const CALLS_FINISHED: &str = "callhub_calls_finished_total";
pub const CALL_SETUP: &str = "callhub_call_setup_seconds";
pub const RELAYED: &str = "callhub_messages_relayed_total";
pub const RELAY_LATENCY: &str = "callhub_relay_seconds";
pub const DROPPED: &str = "callhub_messages_dropped_total";
pub const HTTP_REQUESTS: &str = "callhub_http_requests_total";
pub const HTTP_LATENCY: &str = "callhub_http_request_seconds";
pub const DB_POOL: &str = "callhub_db_pool_connections";
pub const DB_POOL_TIMEOUTS: &str = "callhub_db_pool_timeouts_total";
pub const REDIS_UP: &str = "callhub_redis_up";
pub const BUS_LAG: &str = "callhub_bus_lag_seconds";
pub const CPU_JOBS: &str = "callhub_cpu_jobs";

/// In-process latencies (a relayed message, a REST request), 100 us to 10 s.
const LATENCY_BUCKETS: [f64; 16] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0,
];
/// From a call's start to its answer: a person picks up, within the ring timeout.
const SETUP_BUCKETS: [f64; 10] = [0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 20.0, 30.0, 45.0, 60.0];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process's recorder, installed on first use.
pub fn handle() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets(&LATENCY_BUCKETS)
            .and_then(|builder| {
                builder.set_buckets_for_metric(Matcher::Full(CALL_SETUP.into()), &SETUP_BUCKETS)
            })
            .expect("the bucket lists are not empty")
            .build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder was installed first: /metrics stays empty");
        }
        handle
    })
}

/// Folds histogram samples into their buckets; without it they accumulate until a scrape.
pub fn upkeep() {
    handle().run_upkeep();
}

/// Lowers its gauge again when dropped: a count of things open (sockets, CPU jobs) stays
/// right however they end.
pub struct Held(Gauge);

impl Held {
    fn raise(gauge: Gauge) -> Self {
        gauge.increment(1.0);
        Self(gauge)
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.0.decrement(1.0);
    }
}

/// A WebSocket of `kind` (`user` or `room`) is open while this lives.
pub fn socket_open(kind: &'static str) -> Held {
    Held::raise(gauge!(SOCKETS_OPEN, "kind" => kind))
}

/// A CPU job of `pool` is in `state` (`waiting` or `running`) while this lives.
pub fn cpu_job(pool: &'static str, state: &'static str) -> Held {
    Held::raise(gauge!(CPU_JOBS, "pool" => pool, "state" => state))
}

/// A call row was created (also one recorded as busy at once).
pub fn call_started() {
    counter!(CALLS_STARTED).increment(1);
}

/// A call changed status: an answer counts with its setup time, an end with its status and
/// reason (busy and do-not-disturb attempts are missed calls with those reasons).
pub fn call_changed(call: &Call) {
    match call.status {
        CallStatus::Initiated | CallStatus::Ringing => {}
        CallStatus::Accepted => {
            counter!(CALLS_ACCEPTED).increment(1);
            if let Some(accepted) = call.accepted_at {
                let millis = accepted.millis().saturating_sub(call.initiated_at.millis());
                histogram!(CALL_SETUP).record(millis as f64 / 1000.0);
            }
        }
        status => {
            let reason = call.end_reason.map_or("none", |reason| reason.as_str());
            counter!(CALLS_FINISHED, "status" => status.as_str(), "reason" => reason).increment(1);
        }
    }
}

/// A signaling message went to the other party's sockets, `elapsed` after it was read.
pub fn relayed(elapsed: Duration) {
    counter!(RELAYED).increment(1);
    histogram!(RELAY_LATENCY).record(elapsed.as_secs_f64());
}

/// A message was dropped: `outbox_full` (a socket that does not read, closed with 1013),
/// `signal_log_full` (not logged in `call_signals`; the relay went on) or `bus_queue_full` /
/// `bus_unavailable` (not published to the other instances).
pub fn dropped(reason: &'static str, count: u64) {
    counter!(DROPPED, "reason" => reason).increment(count);
}

/// The counter and the latency histogram of one method and status of a route.
type RequestSeries = HashMap<(&'static str, u16), (Counter, Histogram)>;

/// Handles by route template: a request finds its series here with no allocation, where the
/// facade would build five label strings and look two keys up in the registry each time.
static HTTP_SERIES: LazyLock<RwLock<HashMap<String, RequestSeries>>> =
    LazyLock::new(Default::default);

/// The method's label. Any method can be sent: the others share one, so a client cannot add
/// series.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// One REST request, by its route template (`/api/calls/{id}/`), so ids do not multiply series.
pub fn http_request(method: &Method, route: &str, status: u16, elapsed: Duration) {
    let key = (method_label(method), status);
    let seconds = elapsed.as_secs_f64();
    {
        let series = HTTP_SERIES.read().unwrap_or_else(PoisonError::into_inner);
        if let Some((requests, latency)) = series.get(route).and_then(|route| route.get(&key)) {
            requests.increment(1);
            latency.record(seconds);
            return;
        }
    }
    let requests = counter!(
        HTTP_REQUESTS,
        "method" => key.0,
        "route" => route.to_owned(),
        "status" => status.to_string()
    );
    let latency = histogram!(HTTP_LATENCY, "method" => key.0, "route" => route.to_owned());
    requests.increment(1);
    latency.record(seconds);
    HTTP_SERIES
        .write()
        .unwrap_or_else(PoisonError::into_inner)
        .entry(route.to_owned())
        .or_default()
        .insert(key, (requests, latency));
}

/// A request waited `ACQUIRE_TIMEOUT` for a database connection and got none (503).
pub fn db_pool_timeout() {
    counter!(DB_POOL_TIMEOUTS).increment(1);
}

/// A bus message from another instance arrived `lag` after it was published.
pub fn bus_lag(lag: Duration) {
    histogram!(BUS_LAG).record(lag.as_secs_f64());
}

/// What is sampled at scrape time rather than counted as it happens.
pub struct Sample {
    pub pool_size: u32,
    pub pool_idle: usize,
    /// None: a single instance, no Redis.
    pub redis_up: Option<bool>,
}

/// The Prometheus text of everything recorded, with `sample` set first.
pub fn render(sample: Sample) -> String {
    let idle = sample.pool_idle as f64;
    gauge!(DB_POOL, "state" => "idle").set(idle);
    gauge!(DB_POOL, "state" => "in_use").set((f64::from(sample.pool_size) - idle).max(0.0));
    if let Some(up) = sample.redis_up {
        gauge!(REDIS_UP).set(if up { 1.0 } else { 0.0 });
    }
    handle().render()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first request of a series registers it, the next ones use the cached handles: all
    /// are counted and timed, and unknown methods share one label.
    #[test]
    fn every_request_of_a_route_is_counted_once_its_series_is_cached() {
        handle();
        let route = "/test/cached/{id}/";
        for method in [Method::GET, Method::GET, Method::GET] {
            http_request(&method, route, 200, Duration::from_millis(1));
        }
        for method in ["BREW", "WHEN"] {
            let method = Method::from_bytes(method.as_bytes()).expect("a method");
            http_request(&method, route, 405, Duration::from_millis(1));
        }
        let text = render(Sample {
            pool_size: 0,
            pool_idle: 0,
            redis_up: None,
        });
        let value = |prefix: &str, labels: &[&str]| {
            text.lines()
                .find(|line| {
                    line.starts_with(prefix) && labels.iter().all(|label| line.contains(label))
                })
                .and_then(|line| line.rsplit(' ').next())
                .unwrap_or_else(|| panic!("no {prefix} {labels:?} in:\n{text}"))
                .to_owned()
        };
        let route = "route=\"/test/cached/{id}/\"";
        let get = "method=\"GET\"";
        assert_eq!(value("callhub_http_requests_total{", &[route, get]), "3");
        assert_eq!(
            value("callhub_http_request_seconds_count{", &[route, get]),
            "3"
        );
        let other = "method=\"OTHER\"";
        assert_eq!(value("callhub_http_requests_total{", &[route, other]), "2");
    }

    /// Every series the dashboard in docs/ queries is one this module records.
    #[test]
    fn the_grafana_dashboard_names_only_recorded_metrics() {
        let recorded = [
            SOCKETS_OPEN,
            CALLS_STARTED,
            CALLS_ACCEPTED,
            CALLS_FINISHED,
            CALL_SETUP,
            RELAYED,
            RELAY_LATENCY,
            DROPPED,
            HTTP_REQUESTS,
            HTTP_LATENCY,
            DB_POOL,
            DB_POOL_TIMEOUTS,
            REDIS_UP,
            BUS_LAG,
            CPU_JOBS,
        ];
        let dashboard = include_str!("../../docs/grafana-dashboard.json");
        let mut queried = 0;
        for (start, _) in dashboard.match_indices("callhub_") {
            let name: String = dashboard[start..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let base = name.strip_suffix("_bucket").unwrap_or(&name);
            assert!(recorded.contains(&base), "{name} is not recorded");
            queried += 1;
        }
        assert!(queried >= recorded.len(), "{queried} queries");
    }
}

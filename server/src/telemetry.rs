//! Structured logging with `tracing`. `RUST_LOG` filters, `LOG_FORMAT=json` switches to one JSON
//! object per line for log shippers.

use tracing_subscriber::{fmt, EnvFilter};

use crate::config::{Config, LogFormat};

pub fn init(config: &Config) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = fmt().with_env_filter(filter).with_target(true);
    // A second init (tests start many servers in one process) is harmless: keep the first.
    let _ = match config.log_format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

//! Process shutdown: SIGTERM (service managers, containers) and Ctrl-C both stop the server
//! gracefully.

use std::{sync::Arc, time::Duration};

use tokio::sync::watch;

/// Resolves on the first SIGTERM or Ctrl-C.
pub async fn signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut sigterm) => {
                sigterm.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();

    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C received, shutting down"),
        () = terminate => tracing::info!("SIGTERM received, shutting down"),
    }
}

/// Tells every open WebSocket the process is stopping and lets it close cleanly: axum's graceful
/// shutdown waits for in-flight requests but not for upgraded connections, which would otherwise
/// just be cut when the process exits.
#[derive(Clone)]
pub struct Drain(Arc<watch::Sender<bool>>);

impl Drain {
    pub fn new() -> Self {
        Self(Arc::new(watch::channel(false).0))
    }

    /// A socket's view of the drain; the socket counts as open until it drops it.
    pub fn subscribe(&self) -> watch::Receiver<bool> {
        self.0.subscribe()
    }

    /// Asks every socket, open now or upgraded later, to close.
    pub fn start(&self) {
        self.0.send_replace(true);
    }

    /// Waits until every socket has dropped its view, for at most `bound`; false on timeout.
    pub async fn finished(&self, bound: Duration) -> bool {
        tokio::time::timeout(bound, self.0.closed()).await.is_ok()
    }
}

impl Default for Drain {
    fn default() -> Self {
        Self::new()
    }
}

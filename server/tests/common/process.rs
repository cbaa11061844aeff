//! The real server binary as a child process, for what only a process can show: being killed,
//! being stopped by a signal, and what it writes to its log.

use std::{
    fs::File,
    net::{SocketAddr, TcpListener},
    path::{Path, PathBuf},
    process::{Child, Command, ExitStatus, Stdio},
    time::Duration,
};

/// A running `server` binary; killed when dropped.
pub struct ServerProcess {
    child: Child,
    pub addr: SocketAddr,
    pub log: PathBuf,
}

/// A port that was free a moment ago.
fn free_addr() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local addr")
}

impl ServerProcess {
    /// Starts the binary on `database_url` with its data in `data_dir` (the same directory keeps
    /// the generated secret, so tokens survive a restart), logging to `data_dir/<log_name>`, and
    /// waits until it answers. `env` adds or overrides variables.
    pub async fn start(
        data_dir: &Path,
        database_url: &str,
        log_name: &str,
        env: &[(&str, &str)],
    ) -> Self {
        Self::start_with_args(data_dir, database_url, log_name, env, &[]).await
    }

    /// [`ServerProcess::start`] with command-line arguments.
    pub async fn start_with_args(
        data_dir: &Path,
        database_url: &str,
        log_name: &str,
        env: &[(&str, &str)],
        args: &[&str],
    ) -> Self {
        let addr = free_addr();
        let log = data_dir.join(log_name);
        let out = File::create(&log).expect("create the server log");
        let err = out.try_clone().expect("clone the log handle");
        let mut command = Command::new(env!("CARGO_BIN_EXE_server"));
        command
            .args(args)
            .env_clear()
            // No .env file of the checkout applies: the child runs in its data directory.
            .current_dir(data_dir)
            .env("DATA_DIR", data_dir)
            .env("DATABASE_URL", database_url)
            .env("LEPTOS_SITE_ADDR", addr.to_string())
            .env("LEPTOS_SITE_ROOT", data_dir.join("site"))
            .env("LEPTOS_OUTPUT_NAME", "callhub")
            .env("STUN_URLS", "")
            .env("RUST_LOG", "info")
            .envs(super::LIFTED_RATE_LIMITS);
        for (name, value) in env {
            command.env(name, value);
        }
        let child = command
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .expect("start the server binary");
        let mut server = Self { child, addr, log };
        server.wait_ready().await;
        server
    }

    async fn wait_ready(&mut self) {
        let client = reqwest::Client::new();
        let url = self.url("/api/health/");
        for _ in 0..300 {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("the server exited ({status}): {}", self.log_text());
            }
            if let Ok(response) = client.get(&url).send().await {
                if response.status().is_success() {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the server did not answer in 30 s: {}", self.log_text());
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn ws_url(&self, path: &str) -> String {
        format!("ws://{}{}", self.addr, path)
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Sends `signal` (a `kill` name such as TERM or KILL).
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{signal} failed");
    }

    /// Waits for the process to exit, for at most `bound`.
    pub async fn exited_within(&mut self, bound: Duration) -> Option<ExitStatus> {
        let deadline = tokio::time::Instant::now() + bound;
        while tokio::time::Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        None
    }

    /// Polls the log until a line contains every one of `parts`, for at most 10 s.
    pub async fn wait_for_log(&self, parts: &[&str]) -> bool {
        for _ in 0..200 {
            if self
                .log_text()
                .lines()
                .any(|line| parts.iter().all(|part| line.contains(part)))
            {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

//! Socket holders: child processes of the bench (`bench --hold-sockets`), one per server
//! instance, each holding the user sockets of the accounts it is sent. A process may hold at
//! most 20,000 descriptors on our machines, so 100,000 sockets need several; the parent keeps
//! its own descriptors for the calls it measures meanwhile.
//!
//! The protocol, on the child's stdin and stdout, one line each: `open N` followed by N lines
//! `user_id token`; the child answers `open failed` (its totals) once every socket is open or
//! has failed. Closing stdin releases the sockets and ends the child.

use std::{fmt::Write as _, process::Stdio};

use anyhow::{anyhow, Context, Result};
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines},
    process::{Child, ChildStdin, ChildStdout, Command},
    sync::watch,
};

use app::protocol::UserId;

use crate::{
    client::{Account, Api},
    idle::Held,
};

pub struct Holder {
    child: Child,
    stdin: Option<ChildStdin>,
    replies: Lines<BufReader<ChildStdout>>,
}

/// What a holder holds: sockets open, and sockets that failed to open or were closed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Holding {
    pub open: usize,
    pub failed: usize,
}

impl Holder {
    /// Starts a holder for the server at `addr`.
    pub fn spawn(addr: &str) -> Result<Self> {
        let mut child = Command::new(std::env::current_exe()?)
            .args(["--addr", addr, "--hold-sockets"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .context("starting a socket holder")?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().context("holder without stdout")?;
        Ok(Self {
            child,
            stdin,
            replies: BufReader::new(stdout).lines(),
        })
    }

    /// Opens a user socket for each of `accounts`; the holder's totals once all are settled.
    pub async fn open(&mut self, accounts: &[Account]) -> Result<Holding> {
        let mut request = format!("open {}\n", accounts.len());
        for account in accounts {
            let _ = writeln!(request, "{} {}", account.id.0, account.token);
        }
        let stdin = self.stdin.as_mut().context("holder already stopped")?;
        stdin.write_all(request.as_bytes()).await?;
        stdin.flush().await?;
        let reply = self
            .replies
            .next_line()
            .await?
            .context("the socket holder exited")?;
        let (open, failed) = reply
            .split_once(' ')
            .ok_or_else(|| anyhow!("holder said {reply:?}"))?;
        Ok(Holding {
            open: open.parse()?,
            failed: failed.parse()?,
        })
    }

    /// Releases the sockets and waits for the holder to end.
    pub async fn stop(mut self) -> Result<()> {
        drop(self.stdin.take());
        self.child.wait().await?;
        Ok(())
    }
}

/// The holder's side: serves the protocol on stdin and stdout until stdin closes.
pub async fn serve(api: &Api) -> Result<()> {
    let (release, released) = watch::channel(false);
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut held: Vec<Held> = Vec::new();
    let mut total = 0;
    while let Some(line) = lines.next_line().await? {
        let count: usize = line
            .strip_prefix("open ")
            .ok_or_else(|| anyhow!("expected `open N`, got {line:?}"))?
            .parse()?;
        let mut accounts = Vec::with_capacity(count);
        for _ in 0..count {
            let line = lines.next_line().await?.context("accounts cut short")?;
            let (id, token) = line
                .split_once(' ')
                .ok_or_else(|| anyhow!("expected `user_id token`"))?;
            accounts.push(Account {
                id: UserId(id.parse()?),
                token: token.to_owned(),
            });
        }
        let sockets = Held::open(api, accounts, &released);
        sockets.settled(count).await?;
        held.push(sockets);
        total += count;
        let failed: usize = held.iter().map(Held::failed).sum();
        println!("{} {failed}", total - failed);
    }
    let _ = release.send(true);
    for sockets in held {
        sockets.errors().await;
    }
    Ok(())
}

//! The public API as a benchmark sees it: accounts, calls and the two WebSockets, over plain
//! HTTP and WebSocket on 127.0.0.1. No server internals.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::{anyhow, bail, Context, Result};
use futures_util::{SinkExt, StreamExt};
use http_body_util::{BodyExt, Empty};
use hyper::{
    body::Bytes,
    client::conn::http1::{handshake, SendRequest},
    header::{self, HeaderValue},
    Request,
};
use hyper_util::rt::TokioIo;
use tokio::{net::TcpStream, sync::Semaphore};
use tokio_tungstenite::{tungstenite::Message, MaybeTlsStream, WebSocketStream};

use app::protocol::{
    Call, CallId, CallType, Credentials, Register, ServerMsg, StartCall, TokenPair, User, UserId,
};

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Passes Django's validators (length, not numeric, not common, not like the username).
const PASSWORD: &str = "Bench-pass-9f3k2!x";

/// A signed-in benchmark user.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: UserId,
    pub token: String,
}

#[derive(Clone)]
pub struct Api {
    /// host:port
    pub addr: String,
    pub base: String,
    pub ws_base: String,
    pub http: reqwest::Client,
}

impl Api {
    pub fn new(addr: &str) -> Result<Self> {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(1024)
            .timeout(Duration::from_secs(30))
            .build()?;
        Ok(Self {
            addr: addr.to_owned(),
            base: format!("http://{addr}"),
            ws_base: format!("ws://{addr}"),
            http,
        })
    }

    /// `POST /api/users/` then `POST /api/token/`.
    pub async fn create_account(&self, username: &str) -> Result<Account> {
        let register = Register {
            username: username.to_owned(),
            email: format!("{username}@bench.test"),
            password: PASSWORD.to_owned(),
            password_confirm: PASSWORD.to_owned(),
        };
        let response = self
            .http
            .post(format!("{}/api/users/", self.base))
            .json(&register)
            .send()
            .await?;
        if response.status().as_u16() != 201 {
            bail!(
                "register {username}: {} {}",
                response.status(),
                response.text().await?
            );
        }
        let user: User = response.json().await?;
        let credentials = Credentials {
            username: username.to_owned(),
            password: PASSWORD.to_owned(),
        };
        let response = self
            .http
            .post(format!("{}/api/token/", self.base))
            .json(&credentials)
            .send()
            .await?;
        if !response.status().is_success() {
            bail!(
                "sign in {username}: {} {}",
                response.status(),
                response.text().await?
            );
        }
        let tokens: TokenPair = response.json().await?;
        Ok(Account {
            id: user.id,
            token: tokens.access,
        })
    }

    /// `count` fresh accounts created `concurrency` at a time; argon2 makes this the slow part of
    /// every scenario's setup, so it is timed and reported on its own.
    pub async fn create_accounts(
        &self,
        prefix: &str,
        count: usize,
        concurrency: usize,
    ) -> Result<Vec<Account>> {
        let permits = Arc::new(Semaphore::new(concurrency.max(1)));
        let mut tasks = Vec::with_capacity(count);
        for i in 0..count {
            let api = self.clone();
            let permits = permits.clone();
            let username = format!("{prefix}{i}");
            tasks.push(tokio::spawn(async move {
                let _permit = permits.acquire_owned().await?;
                api.create_account(&username).await
            }));
        }
        let mut accounts = Vec::with_capacity(count);
        for task in tasks {
            accounts.push(task.await??);
        }
        Ok(accounts)
    }

    /// `POST /api/calls/`.
    pub async fn start_call(&self, caller: &Account, receiver: UserId) -> Result<Call> {
        let response = self
            .http
            .post(format!("{}/api/calls/", self.base))
            .bearer_auth(&caller.token)
            .json(&StartCall {
                receiver,
                call_type: CallType::Audio,
            })
            .send()
            .await?;
        if response.status().as_u16() != 201 {
            bail!(
                "start call: {} {}",
                response.status(),
                response.text().await?
            );
        }
        Ok(response.json().await?)
    }

    /// `GET /api/calls/{id}/`.
    pub async fn call(&self, who: &Account, call: CallId) -> Result<Call> {
        let response = self
            .http
            .get(format!("{}/api/calls/{call}/", self.base))
            .bearer_auth(&who.token)
            .send()
            .await?;
        if !response.status().is_success() {
            bail!("get call {call}: {}", response.status());
        }
        Ok(response.json().await?)
    }

    /// `POST /api/calls/{id}/{action}/` (accept, end, ...).
    pub async fn call_action(&self, who: &Account, call: CallId, action: &str) -> Result<()> {
        let response = self
            .http
            .post(format!("{}/api/calls/{call}/{action}/", self.base))
            .bearer_auth(&who.token)
            .send()
            .await?;
        let status = response.status();
        let _ = response.bytes().await?;
        if !status.is_success() {
            bail!("{action}: {status}");
        }
        Ok(())
    }

    /// Opens `/ws/` and waits for `auth-ok`.
    pub async fn user_socket(&self, account: &Account) -> Result<Ws> {
        let url = format!("{}/ws/?token={}", self.ws_base, account.token);
        connect_authenticated(&url).await
    }

    /// Opens `/ws/call/{room_id}/` and waits for `auth-ok` (the room is joined then).
    pub async fn room_socket(&self, account: &Account, room_id: &str) -> Result<Ws> {
        let url = format!(
            "{}/ws/call/{room_id}/?token={}",
            self.ws_base, account.token
        );
        connect_authenticated(&url).await
    }
}

async fn connect_authenticated(url: &str) -> Result<Ws> {
    // TCP_NODELAY: with Nagle on, a small message after an unacknowledged one waits for the
    // peer's delayed ACK (~40 ms), which would be the client's latency, not the server's.
    let (mut ws, _) = tokio_tungstenite::connect_async_with_config(url, None, true)
        .await
        .context("connect")?;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let message = tokio::time::timeout(left, ws.next())
            .await
            .map_err(|_| anyhow!("no auth-ok within 30 s"))?
            .ok_or_else(|| anyhow!("closed before auth-ok"))??;
        match message {
            Message::Text(text) => match serde_json::from_str::<ServerMsg>(&text) {
                Ok(ServerMsg::AuthOk { .. }) => return Ok(ws),
                Ok(ServerMsg::Error { message, .. }) => bail!("refused: {message}"),
                _ => {}
            },
            Message::Close(frame) => bail!("closed before auth-ok: {frame:?}"),
            _ => {}
        }
    }
}

/// Sends one JSON text message.
pub async fn send_json<S>(sink: &mut S, value: &serde_json::Value) -> Result<()>
where
    S: futures_util::Sink<Message, Error = tokio_tungstenite::tungstenite::Error> + Unpin,
{
    sink.send(Message::text(value.to_string())).await?;
    Ok(())
}

/// Live calls `pairs` (accounts 2i calls 2i+1), accepted so they stay live past the ring timeout.
pub async fn start_calls(
    api: &Api,
    accounts: &[Account],
    pairs: usize,
    concurrency: usize,
) -> Result<Vec<Call>> {
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut tasks = Vec::new();
    for pair in accounts.chunks_exact(2).take(pairs) {
        let (caller, receiver) = (pair[0].clone(), pair[1].clone());
        let api = api.clone();
        let permits = permits.clone();
        tasks.push(tokio::spawn(async move {
            let _permit = permits.acquire_owned().await?;
            let call = api.start_call(&caller, receiver.id).await?;
            api.call_action(&receiver, call.id, "accept").await?;
            anyhow::Ok(call)
        }));
    }
    let mut calls = Vec::new();
    for task in tasks {
        calls.push(task.await??);
    }
    Ok(calls)
}

/// Ends every call (best effort): frees the users for the next scenario.
pub async fn end_calls(api: &Api, accounts: &[Account], calls: &[Call], concurrency: usize) {
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut tasks = Vec::new();
    for (pair, call) in accounts.chunks_exact(2).zip(calls) {
        let (caller, id) = (pair[0].clone(), call.id);
        let api = api.clone();
        let permits = permits.clone();
        tasks.push(tokio::spawn(async move {
            let _permit = permits.acquire_owned().await;
            let _ = api.call_action(&caller, id, "end").await;
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
}

/// Microseconds since `epoch`, the clock every timestamp in a payload uses (sender and receiver
/// live in this one process, so one-way latency needs no clock sync).
pub fn micros_since(epoch: Instant) -> u64 {
    epoch.elapsed().as_micros() as u64
}

/// One keep-alive HTTP/1.1 connection driven by hyper directly, for the request-rate runs:
/// reqwest's pool and request building cost the load generator about as much CPU per request as
/// the server spends answering it, and both share the two cores.
pub struct Connection {
    sender: SendRequest<Empty<Bytes>>,
    host: HeaderValue,
}

impl Connection {
    pub async fn open(addr: &str) -> Result<Self> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let (sender, connection) = handshake(TokioIo::new(stream)).await?;
        tokio::spawn(connection);
        Ok(Self {
            sender,
            host: HeaderValue::from_str(addr)?,
        })
    }

    /// `GET path` with the access token; fails unless the answer is a 2xx.
    pub async fn get(&mut self, path: &str, token: &str) -> Result<()> {
        let request = Request::get(path)
            .header(header::HOST, self.host.clone())
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Empty::new())?;
        self.sender.ready().await?;
        let response = self.sender.send_request(request).await?;
        let status = response.status();
        response.into_body().collect().await?;
        if !status.is_success() {
            bail!("GET {path}: {status}");
        }
        Ok(())
    }
}

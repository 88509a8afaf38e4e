//! A webhook receiver on the loopback, as the host application runs one: it keeps every request it
//! gets and answers each with the next status of its script (200 once the script is over).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One request received.
#[derive(Debug, Clone)]
pub struct Hook {
    pub at: Instant,
    pub path: String,
    /// Header names in lower case.
    pub headers: HashMap<String, String>,
    pub body: String,
}

impl Hook {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", String::as_str)
    }
}

#[derive(Clone)]
pub struct Receiver {
    /// `http://127.0.0.1:PORT`
    pub address: String,
    hooks: Arc<Mutex<Vec<Hook>>>,
    script: Arc<Mutex<VecDeque<u16>>>,
}

impl Receiver {
    /// Starts a receiver that answers `script`'s statuses in turn, then 200.
    pub async fn start(script: &[u16]) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let receiver = Receiver {
            address: format!("http://{}", listener.local_addr().expect("address")),
            hooks: Arc::default(),
            script: Arc::new(Mutex::new(script.iter().copied().collect())),
        };
        let serving = receiver.clone();
        tokio::spawn(async move {
            while let Ok((connection, _)) = listener.accept().await {
                tokio::spawn(serving.clone().serve(connection));
            }
        });
        receiver
    }

    /// Every request received so far.
    pub fn hooks(&self) -> Vec<Hook> {
        self.hooks.lock().expect("hooks").clone()
    }

    /// Waits until `count` requests came (at most `within`); returns them all.
    pub async fn wait_for(&self, count: usize, within: Duration) -> Vec<Hook> {
        let deadline = Instant::now() + within;
        loop {
            let hooks = self.hooks();
            if hooks.len() >= count || Instant::now() > deadline {
                return hooks;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Reads requests off one connection (kept alive) until it closes.
    async fn serve(self, mut connection: tokio::net::TcpStream) {
        let mut buffer = Vec::new();
        let mut chunk = [0u8; 8192];
        loop {
            let Some(end) = find(&buffer, b"\r\n\r\n") else {
                match connection.read(&mut chunk).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                }
                continue;
            };
            let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
            let mut lines = head.split("\r\n");
            let path = lines
                .next()
                .and_then(|line| line.split(' ').nth(1))
                .unwrap_or("")
                .to_owned();
            let headers: HashMap<String, String> = lines
                .filter_map(|line| line.split_once(':'))
                .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
                .collect();
            let length: usize = headers
                .get("content-length")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            while buffer.len() < end + 4 + length {
                match connection.read(&mut chunk).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                }
            }
            let body = String::from_utf8_lossy(&buffer[end + 4..end + 4 + length]).into_owned();
            buffer.drain(..end + 4 + length);
            self.hooks.lock().expect("hooks").push(Hook {
                at: Instant::now(),
                path,
                headers,
                body,
            });
            let status = self
                .script
                .lock()
                .expect("script")
                .pop_front()
                .unwrap_or(200);
            let answer = format!("HTTP/1.1 {status} Scripted\r\ncontent-length: 0\r\n\r\n");
            if connection.write_all(answer.as_bytes()).await.is_err() {
                return;
            }
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

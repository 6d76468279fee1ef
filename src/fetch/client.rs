//! `EutilsClient`: the only code that talks HTTP. Every request is a POST
//! (the API key stays out of URLs and logs), paced by one rate limiter
//! shared by every request and retry, and retried with capped exponential
//! backoff and jitter on what NCBI's service does when it is having a bad
//! moment: 429 (honouring Retry-After), 5xx, time-outs, resets, bodies that
//! are empty, cut short or carry an `ERROR`. A 400 or 414, a query NCBI
//! cannot read, an expired history: no retry.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::eutils::{self, BodyError};
use super::limiter::RateLimiter;
use super::{FetchError, Progress};

/// How a client is set up.
#[derive(Clone)]
pub struct ClientConfig {
    /// Base URL, ending in `/` (`https://eutils.ncbi.nlm.nih.gov/entrez/eutils/`).
    pub base: String,
    pub tool: String,
    pub email: String,
    pub api_key: Option<String>,
    /// Time allowed for one request, answer included.
    pub timeout: Duration,
    /// Tries per request, the first included.
    pub max_attempts: u32,
    /// First backoff; doubled each retry, capped at `max_backoff`.
    pub backoff: Duration,
    pub max_backoff: Duration,
    /// The longest wait a 429's Retry-After may impose (a larger one is cut
    /// to this, and the message says so).
    pub max_retry_after: Duration,
}

impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base", &self.base)
            .field("tool", &self.tool)
            .field("email", &self.email)
            .field("api_key", &self.api_key.as_ref().map(|_| "(set)"))
            .finish()
    }
}

pub const NCBI_BASE: &str = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/";

impl ClientConfig {
    pub fn new(base: &str, email: &str, api_key: Option<String>) -> ClientConfig {
        let mut base = base.to_string();
        if !base.ends_with('/') {
            base.push('/');
        }
        ClientConfig {
            base,
            tool: "scoper".into(),
            email: email.into(),
            api_key,
            timeout: Duration::from_secs(120),
            max_attempts: 6,
            backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(16),
            max_retry_after: Duration::from_secs(120),
        }
    }

    /// Requests a second NCBI allows this client.
    pub fn rate(&self) -> f64 {
        if self.api_key.is_some() {
            10.0
        } else {
            3.0
        }
    }
}

/// Counts, for the summary.
#[derive(Debug, Default)]
pub struct Stats {
    pub requests: AtomicU64,
    pub retries: AtomicU64,
    pub rate_limited: AtomicU64,
}

pub struct EutilsClient {
    http: reqwest::Client,
    config: ClientConfig,
    limiter: RateLimiter,
    pub stats: Stats,
    progress: Arc<dyn Progress>,
    jitter: std::sync::Mutex<u64>,
}

impl EutilsClient {
    pub fn new(
        config: ClientConfig,
        progress: Arc<dyn Progress>,
    ) -> Result<EutilsClient, FetchError> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(Duration::from_secs(20))
            .user_agent(concat!("scoper/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| FetchError::Setup(e.without_url().to_string()))?;
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(7)
            | 1;
        Ok(EutilsClient {
            http,
            limiter: RateLimiter::new(config.rate()),
            config,
            stats: Stats::default(),
            progress,
            jitter: std::sync::Mutex::new(seed),
        })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Where progress goes.
    pub fn progress(&self) -> &dyn Progress {
        &*self.progress
    }

    /// One E-utility request, retried until `check` accepts the body or a
    /// fault that no retry mends.
    pub async fn call<T>(
        &self,
        utility: &str,
        params: &[(String, String)],
        check: impl Fn(&[u8]) -> Result<T, BodyError>,
    ) -> Result<(T, Vec<u8>), FetchError> {
        let url = format!("{}{utility}.fcgi", self.config.base);
        let mut form =
            eutils::common(&self.config.tool, &self.config.email, self.config.api_key.as_deref());
        form.extend(params.iter().cloned());
        let mut last = String::new();
        let mut unreachable = 0;
        let mut rate_limited = false;
        for attempt in 1..=self.config.max_attempts {
            if attempt > 1 {
                self.stats.retries.fetch_add(1, Ordering::Relaxed);
                self.progress.retry(utility, &last);
                tokio::time::sleep(self.backoff(attempt)).await;
            }
            self.limiter.acquire().await;
            self.stats.requests.fetch_add(1, Ordering::Relaxed);
            let sent = self.http.post(&url).form(&form).send().await;
            let resp = match sent {
                Ok(r) => r,
                Err(e) => {
                    if e.is_connect() {
                        unreachable += 1;
                        // Nobody there twice in a row: no network, or a wrong URL.
                        if unreachable >= 2 {
                            return Err(FetchError::Unreachable {
                                base: self.config.base.clone(),
                                reason: root_cause(&e),
                            });
                        }
                    }
                    last = describe(&e);
                    continue;
                }
            };
            let status = resp.status().as_u16();
            rate_limited = status == 429;
            let retry_after = resp
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim().to_string());
            let body = match resp.bytes().await {
                Ok(b) => b.to_vec(),
                Err(e) => {
                    last = format!("the answer was cut off ({})", describe(&e));
                    continue;
                }
            };
            match status {
                200 => match check(&body) {
                    Ok(v) => return Ok((v, body)),
                    Err(e) if e.is_transient() => last = e.to_string(),
                    Err(BodyError::Ncbi(m)) if eutils::is_expired_history(&m) => {
                        return Err(FetchError::Expired(m))
                    }
                    Err(BodyError::Ncbi(m)) => {
                        return Err(FetchError::Ncbi { utility: utility.into(), message: m })
                    }
                    Err(e) => last = e.to_string(),
                },
                429 => {
                    self.stats.rate_limited.fetch_add(1, Ordering::Relaxed);
                    let asked = retry_after.as_deref().and_then(seconds).unwrap_or(1);
                    let cap = self.config.max_retry_after;
                    let wait = Duration::from_secs(asked).min(cap);
                    self.limiter.back_off(wait).await;
                    last = if Duration::from_secs(asked) > cap {
                        format!(
                            "NCBI answered 429 (rate limit exceeded) and asked to wait {}s; \
                             waited {}s, scoper's limit (SCOPER_MAX_RETRY_AFTER)",
                            retry_after.as_deref().unwrap_or_default(),
                            wait.as_secs()
                        )
                    } else {
                        format!(
                            "NCBI answered 429 (rate limit exceeded); waited {}s",
                            wait.as_secs()
                        )
                    };
                }
                500..=599 => last = format!("NCBI answered {status}"),
                400 => {
                    let text = String::from_utf8_lossy(&body).into_owned();
                    if eutils::is_expired_history(&text) {
                        return Err(FetchError::Expired(snippet(&text)));
                    }
                    return Err(FetchError::Http {
                        utility: utility.into(),
                        status,
                        body: snippet(&text),
                    });
                }
                _ => {
                    return Err(FetchError::Http {
                        utility: utility.into(),
                        status,
                        body: snippet(&String::from_utf8_lossy(&body)),
                    })
                }
            }
        }
        Err(FetchError::GaveUp {
            utility: utility.into(),
            attempts: self.config.max_attempts,
            last,
            rate_limited,
        })
    }

    /// Capped exponential backoff with ±25 % jitter.
    fn backoff(&self, attempt: u32) -> Duration {
        let base = self.config.backoff.as_secs_f64() * 2f64.powi(attempt as i32 - 2);
        let capped = base.min(self.config.max_backoff.as_secs_f64());
        let mut s = self.jitter.lock().unwrap();
        *s ^= *s << 13;
        *s ^= *s >> 7;
        *s ^= *s << 17;
        let j = 0.75 + (*s % 1000) as f64 / 2000.0;
        Duration::from_secs_f64(capped * j)
    }
}

/// A Retry-After in seconds; a number too large for any clock is the
/// longest wait there is (capped by the caller).
fn seconds(v: &str) -> Option<u64> {
    match v.parse::<u64>() {
        Ok(n) => Some(n),
        Err(_) if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) => Some(u64::MAX),
        Err(_) => None,
    }
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "no answer in time".into()
    } else {
        format!("connection failed: {}", root_cause(e))
    }
}

/// The innermost cause of a reqwest error, without its URL.
fn root_cause(e: &reqwest::Error) -> String {
    let mut source: &dyn std::error::Error = e;
    while let Some(s) = source.source() {
        source = s;
    }
    source.to_string()
}

fn snippet(text: &str) -> String {
    let one = crate::parse::normalize_ws(text);
    let mut s: String = one.chars().take(300).collect();
    if one.chars().count() > 300 {
        s.push('…');
    }
    s
}

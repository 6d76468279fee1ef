//! `RateLimiter`: one per client, shared by every request, retries
//! included. NCBI allows 3 requests a second without an API key and 10 with
//! one; the limiter spaces requests by the interval plus headroom, as every
//! well-behaved client does.

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// Headroom over the allowed rate: 5 %, 0.35 s between requests without a
/// key, as EDirect (Biopython uses 0.37 s).
const HEADROOM: f64 = 1.05;

pub struct RateLimiter {
    interval: Duration,
    next: Mutex<Option<Instant>>,
}

impl RateLimiter {
    /// A limiter for `per_second` requests a second (with headroom).
    pub fn new(per_second: f64) -> RateLimiter {
        RateLimiter {
            interval: Duration::from_secs_f64(HEADROOM / per_second),
            next: Mutex::new(None),
        }
    }

    /// The time between two requests.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Waits for the next free slot, and takes it.
    pub async fn acquire(&self) {
        let slot = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            let slot = match *next {
                Some(t) if t > now => t,
                _ => now,
            };
            *next = Some(slot + self.interval);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }

    /// Pushes every later slot back by `wait` (the server said Retry-After).
    pub async fn back_off(&self, wait: Duration) {
        let mut next = self.next.lock().await;
        // A wait too long to add to the clock means "as late as can be".
        let now = Instant::now();
        let after = now.checked_add(wait).unwrap_or(now + Duration::from_secs(86_400 * 365));
        if next.is_none_or(|t| t < after) {
            *next = Some(after);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "current_thread", start_paused = true)]
    async fn requests_are_spaced_by_the_interval_with_headroom() {
        let limiter = std::sync::Arc::new(RateLimiter::new(3.0));
        let start = Instant::now();
        let mut handles = Vec::new();
        for _ in 0..7 {
            let l = limiter.clone();
            handles.push(tokio::spawn(async move {
                l.acquire().await;
                Instant::now()
            }));
        }
        let mut times = Vec::new();
        for h in handles {
            times.push(h.await.unwrap().duration_since(start));
        }
        times.sort();
        for w in times.windows(2) {
            assert!(w[1] - w[0] >= Duration::from_millis(349), "{times:?}");
        }
        // Never more than 3 in any one-second window.
        for (i, t) in times.iter().enumerate() {
            let in_window = times[i..].iter().filter(|u| **u - *t < Duration::from_secs(1)).count();
            assert!(in_window <= 3, "{times:?}");
        }
    }

    #[tokio::test(flavor = "current_thread", start_paused = true)]
    async fn retry_after_pushes_every_later_request_back() {
        let limiter = RateLimiter::new(10.0);
        limiter.acquire().await;
        let start = Instant::now();
        limiter.back_off(Duration::from_secs(2)).await;
        limiter.acquire().await;
        assert!(Instant::now().duration_since(start) >= Duration::from_secs(2));
    }
}

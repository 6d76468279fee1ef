//! A stand-in for NCBI E-utilities on 127.0.0.1, for the tests and the fetch
//! benchmark (`scoper-eutils-mock`). It follows the checklist of EUTILS.md
//! §7 as far as scoper's client needs it: esearch and efetch over GET and
//! POST, the history server (WebEnv, query keys, expiry), the 9,999 cap with
//! NCBI's own error text, `[CRDT]`/`[MDAT]` date ranges and `[UID]` ranges
//! in the term, `datetype`/`mindate`/`maxdate` (a lone one ignored), 414 on a
//! long GET, the rate limit with the 429 body NCBI sends, latency, a fault
//! queue and a seeded fault mode, and a log of every request.
//!
//! Its PubMed is synthetic: `records` citations with PMIDs from
//! `first_pmid` up, created (CRDT) evenly over `days` days from `first_day`;
//! only those created on or before `today` are visible. Any well-formed term
//! matches them all; the range clauses narrow it. Threads and blocking
//! sockets only: it needs no runtime.

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// `(year, month, day)` of a day count since 1970-01-01 (H. Hinnant's
/// civil-from-days algorithm).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Days since 1970-01-01 of a date (H. Hinnant's days-from-civil).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// What can go wrong, on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// HTTP 429 with NCBI's JSON body and `Retry-After: 1`.
    RateLimited,
    /// HTTP 500 with NCBI's HTML diagnostic page.
    ServerError,
    /// HTTP 502 Bad Gateway.
    BadGateway,
    /// HTTP 503 "Service unavailable!".
    Unavailable,
    /// HTTP 200 with `<ERROR>Search Backend failed: ...</ERROR>`.
    BackendError,
    /// HTTP 200 with an empty body.
    EmptyBody,
    /// HTTP 200, plain text "Unable to route request!".
    Unroutable,
    /// The connection is closed without an answer.
    Reset,
    /// No answer for longer than any client waits.
    Hang,
    /// The body stops in the middle (Content-Length promises more).
    Truncated,
    /// Well-formed XML holding one record fewer than asked for.
    FewerRecords,
    /// HTTP 400 on one efetch, fine the next time.
    Transient400,
    /// The history server forgets every WebEnv, then answers.
    ExpireHistory,
    /// HTTP 200 with `<ERROR>NCBI C++ Exception: ...</ERROR>`.
    CppException,
    /// The body arrives a few bytes at a time, slower than any client waits.
    Trickle,
    /// PubMed XML that stops after the first record, with no closing tag.
    CutAfterRecords,
}

impl Fault {
    /// Every kind, for the seeded random mode.
    pub const ALL: [Fault; 15] = [
        Fault::RateLimited,
        Fault::ServerError,
        Fault::BadGateway,
        Fault::Unavailable,
        Fault::BackendError,
        Fault::EmptyBody,
        Fault::Unroutable,
        Fault::Reset,
        Fault::Hang,
        Fault::Truncated,
        Fault::FewerRecords,
        Fault::Transient400,
        Fault::CppException,
        Fault::Trickle,
        Fault::CutAfterRecords,
    ];
}

/// How the mock is set up.
#[derive(Debug, Clone)]
pub struct MockConfig {
    pub records: usize,
    pub first_pmid: u64,
    /// Day (days since 1970-01-01) the first record was created.
    pub first_day: i64,
    /// Records are created evenly over this many days.
    pub days: i64,
    /// Records created after this day are not visible yet.
    pub today: i64,
    /// Delay before every answer.
    pub latency: Duration,
    /// Enforce 3 requests/s (10 with an api_key), answering 429 beyond.
    pub rate_limit: bool,
    /// Random faults: (probability per request, seed).
    pub random_faults: Option<(f64, u64)>,
    /// A GET whose URL is longer than this gets 414.
    pub max_get_url: usize,
    /// How long a Hang lasts.
    pub hang: Duration,
    /// Append one line a request (`ms method utility status`) to this file.
    pub log_file: Option<std::path::PathBuf>,
    /// The `Retry-After` of a 429, as sent (seconds; any text, to try
    /// clients on absurd values).
    pub retry_after: String,
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            records: 100,
            first_pmid: 990_100_001,
            first_day: 20_089, // 2025-01-01
            days: 300,
            today: 20_089 + 299,
            latency: Duration::ZERO,
            rate_limit: true,
            random_faults: None,
            max_get_url: 4096,
            hang: Duration::from_secs(30),
            log_file: None,
            retry_after: "1".into(),
        }
    }
}

/// One request as the mock saw it.
#[derive(Debug, Clone)]
pub struct Logged {
    /// Time since the mock started.
    pub at: Duration,
    pub method: String,
    /// `esearch`, `efetch`...
    pub utility: String,
    pub params: HashMap<String, String>,
    pub status: u16,
    pub fault: Option<Fault>,
}

struct State {
    config: MockConfig,
    started: Instant,
    log: Vec<Logged>,
    faults: VecDeque<(Option<String>, Fault)>,
    storm: Option<(Option<String>, Fault)>,
    /// WebEnv → query key → PMIDs.
    history: HashMap<String, Vec<Vec<u64>>>,
    webenv_counter: u64,
    /// Recent request times per api key (or IP).
    recent: HashMap<String, VecDeque<Instant>>,
    /// PMID → (modification day, version) for revised records.
    revised: HashMap<u64, (i64, u32)>,
    /// PMIDs retracted (by a revision).
    retracted: std::collections::HashSet<u64>,
    rng: u64,
}

/// A running mock; it stops when dropped.
pub struct MockServer {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
}

impl MockServer {
    /// Starts a mock on a free port of 127.0.0.1.
    pub fn start(config: MockConfig) -> std::io::Result<MockServer> {
        Self::start_on(config, 0)
    }

    /// Starts a mock on `port` of 127.0.0.1 (0: any free port).
    pub fn start_on(config: MockConfig, port: u16) -> std::io::Result<MockServer> {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let addr = listener.local_addr()?;
        let rng = config.random_faults.map(|(_, s)| s).unwrap_or(1) | 1;
        let state = Arc::new(Mutex::new(State {
            config,
            started: Instant::now(),
            log: Vec::new(),
            faults: VecDeque::new(),
            storm: None,
            history: HashMap::new(),
            webenv_counter: 0,
            recent: HashMap::new(),
            revised: HashMap::new(),
            retracted: Default::default(),
            rng,
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let (st, sp) = (state.clone(), stop.clone());
        thread::spawn(move || {
            for conn in listener.incoming() {
                if sp.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(conn) = conn {
                    let st = st.clone();
                    thread::spawn(move || {
                        let _ = serve(conn, &st);
                    });
                }
            }
        });
        Ok(MockServer { addr, state, stop })
    }

    /// The base URL to give scoper (`--eutils-url`).
    pub fn url(&self) -> String {
        format!("http://{}/entrez/eutils/", self.addr)
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Logged> {
        self.state.lock().unwrap().log.clone()
    }

    /// Makes the next request to `utility` (any, when `None`) fail with `fault`.
    pub fn push_fault(&self, utility: Option<&str>, fault: Fault) {
        self.state.lock().unwrap().faults.push_back((utility.map(String::from), fault));
    }

    /// Makes every request fail with `fault` (None: stop).
    pub fn storm(&self, fault: Option<Fault>) {
        self.state.lock().unwrap().storm = fault.map(|f| (None, f));
    }

    /// Makes every request to `utility` fail with `fault`.
    pub fn storm_on(&self, utility: &str, fault: Fault) {
        self.state.lock().unwrap().storm = Some((Some(utility.to_string()), fault));
    }

    /// Forgets every WebEnv, as NCBI does after some hours.
    pub fn expire_history(&self) {
        self.state.lock().unwrap().history.clear();
    }

    /// Moves the mock's today: later records become visible.
    pub fn set_today(&self, day: i64) {
        self.state.lock().unwrap().config.today = day;
    }

    /// Marks a record as revised on `day`, with a new version.
    pub fn revise(&self, pmid: u64, day: i64, version: u32) {
        self.state.lock().unwrap().revised.insert(pmid, (day, version));
    }

    /// Marks a record as retracted on `day`: modified that day, with the
    /// publication type and the `RetractionIn` link PubMed adds (the
    /// version stays).
    pub fn retract(&self, pmid: u64, day: i64) {
        let mut st = self.state.lock().unwrap();
        let version = st.revised.get(&pmid).map(|r| r.1).unwrap_or(1);
        st.revised.insert(pmid, (day, version));
        st.retracted.insert(pmid);
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
    }
}

/// What to send back.
struct Answer {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
    headers: Vec<(String, String)>,
    /// Bytes of the body actually sent (for truncation).
    cut: Option<usize>,
    /// Close without answering.
    reset: bool,
    hang: Option<Duration>,
    /// The fault this answer plays, for the log.
    fault: Option<Fault>,
    /// Send the body in small pieces over this long.
    trickle: Option<Duration>,
}

impl Answer {
    fn new(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Answer {
        Answer {
            status,
            content_type,
            body: body.into(),
            headers: Vec::new(),
            cut: None,
            reset: false,
            hang: None,
            fault: None,
            trickle: None,
        }
    }

    fn xml(body: impl Into<Vec<u8>>) -> Answer {
        Answer::new(200, "text/xml; charset=UTF-8", body)
    }
}

fn serve(conn: TcpStream, state: &Arc<Mutex<State>>) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("").to_string();
    let mut length = 0usize;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" || h == "\n" {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                length = v.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body)?;
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let mut params = parse_form(query);
    params.extend(parse_form(&String::from_utf8_lossy(&body)));
    let utility = path.rsplit('/').next().unwrap_or("").trim_end_matches(".fcgi").to_string();
    let (answer, latency) = {
        let mut st = state.lock().unwrap();
        let answer = respond(&mut st, &method, &target, &utility, &params);
        let status = if answer.reset || answer.hang.is_some() { 0 } else { answer.status };
        let at = st.started.elapsed();
        let fault = answer.fault;
        if let Some(path) = &st.config.log_file {
            if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
                let _ = writeln!(f, "{} {method} {utility} {status}", at.as_millis());
            }
        }
        st.log.push(Logged { at, method, utility, params, status, fault });
        (answer, st.config.latency)
    };
    thread::sleep(latency);
    let mut conn = conn;
    if let Some(h) = answer.hang {
        thread::sleep(h);
        return Ok(());
    }
    if answer.reset {
        return Ok(());
    }
    let reason = match answer.status {
        200 => "OK",
        400 => "Bad Request",
        414 => "Request-URI Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    };
    let mut head = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        answer.status,
        answer.content_type,
        answer.body.len()
    );
    for (k, v) in &answer.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    conn.write_all(head.as_bytes())?;
    let n = answer.cut.unwrap_or(answer.body.len()).min(answer.body.len());
    if let Some(total) = answer.trickle {
        let pieces = 50;
        for piece in answer.body[..n].chunks(n.div_ceil(pieces).max(1)) {
            conn.write_all(piece)?;
            conn.flush()?;
            thread::sleep(total / pieces as u32);
        }
        return Ok(());
    }
    conn.write_all(&answer.body[..n])?;
    conn.flush()
}

fn respond(
    st: &mut State,
    method: &str,
    target: &str,
    utility: &str,
    params: &HashMap<String, String>,
) -> Answer {
    if method == "GET" && target.len() > st.config.max_get_url {
        return Answer::new(
            414,
            "text/html",
            "<html><body><h1>414 Request-URI Too Large</h1></body></html>",
        );
    }
    let key = params.get("api_key").cloned().unwrap_or_else(|| "127.0.0.1".to_string());
    let limit: usize = if params.contains_key("api_key") { 10 } else { 3 };
    let now = Instant::now();
    let recent = st.recent.entry(key.clone()).or_default();
    while recent.front().is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1)) {
        recent.pop_front();
    }
    recent.push_back(now);
    let count = recent.len();
    let mut headers = vec![
        ("X-RateLimit-Limit".to_string(), limit.to_string()),
        ("X-RateLimit-Remaining".to_string(), limit.saturating_sub(count).to_string()),
    ];
    if st.config.rate_limit && count > limit {
        return rate_limited(&key, count, limit, &st.config.retry_after);
    }
    if let Some(f) = next_fault(st, utility) {
        if let Some(mut a) = fault_answer(st, f, utility, params, &key, count, limit) {
            a.fault = Some(f);
            return a;
        }
    }
    let mut a = match utility {
        "esearch" => esearch(st, params),
        "efetch" => efetch(st, params, None),
        "einfo" => Answer::xml(format!(
            "<?xml version=\"1.0\" ?>\n<eInfoResult><DbInfo><DbName>pubmed</DbName><Count>{}</Count>\
             </DbInfo></eInfoResult>",
            visible(st).len()
        )),
        _ => Answer::new(404, "text/html", "not an E-utility of this mock"),
    };
    a.headers.append(&mut headers);
    a
}

fn rate_limited(key: &str, count: usize, limit: usize, retry_after: &str) -> Answer {
    let mut a = Answer::new(
        429,
        "application/json",
        format!(
            "{{\"error\":\"API rate limit exceeded\",\"api-key\":\"{key}\",\"count\":\"{count}\",\"limit\":\"{limit}\"}}"
        ),
    );
    a.headers.push(("Retry-After".into(), retry_after.into()));
    a.headers.push(("X-RateLimit-Limit".into(), limit.to_string()));
    a.headers.push(("X-RateLimit-Remaining".into(), "0".into()));
    a
}

fn next_fault(st: &mut State, utility: &str) -> Option<Fault> {
    if let Some((u, f)) = &st.storm {
        if u.as_deref().is_none_or(|u| u == utility) {
            return Some(*f);
        }
    }
    if let Some(i) = st.faults.iter().position(|(u, _)| u.as_deref().is_none_or(|u| u == utility)) {
        return st.faults.remove(i).map(|(_, f)| f);
    }
    let (p, _) = st.config.random_faults?;
    // xorshift: deterministic for a seed.
    st.rng ^= st.rng << 13;
    st.rng ^= st.rng >> 7;
    st.rng ^= st.rng << 17;
    let roll = (st.rng % 1_000_000) as f64 / 1_000_000.0;
    if roll < p {
        let kinds: Vec<Fault> = Fault::ALL.iter().copied().filter(|f| *f != Fault::Hang).collect();
        return Some(kinds[(st.rng >> 20) as usize % kinds.len()]);
    }
    None
}

fn fault_answer(
    st: &mut State,
    f: Fault,
    utility: &str,
    params: &HashMap<String, String>,
    key: &str,
    count: usize,
    limit: usize,
) -> Option<Answer> {
    let html = |status, title: &str| {
        Answer::new(
            status,
            "text/html",
            format!("<html><head><title>{title}</title></head><body>{title}</body></html>"),
        )
    };
    Some(match f {
        Fault::RateLimited => rate_limited(key, count, limit, &st.config.retry_after),
        Fault::ServerError => Answer::new(
            500,
            "text/html",
            "<html><head><title>NCBI/eutils202 - WWW Error 500 Diagnostic</title></head><body>\
             <h1>Server Error</h1><p>This could be a transient problem, please try the query \
             again.</p></body></html>",
        ),
        Fault::BadGateway => html(502, "Bad Gateway!"),
        Fault::Unavailable => html(503, "Service unavailable!"),
        Fault::BackendError if params.get("retmode").is_some_and(|m| m == "json") => Answer::new(
            200,
            "application/json",
            "{\"header\":{\"type\":\"esearch\",\"version\":\"0.3\"},\"esearchresult\":{\"ERROR\":\
             \"Search Backend failed: Couldn't resolve #pmquerysrv-mz?dbaf=pubmed, the address table \
             is empty.\"}}",
        ),
        Fault::CppException => {
            let root = if utility == "efetch" { "eFetchResult" } else { "eSearchResult" };
            Answer::xml(format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<{root}><ERROR>NCBI C++ Exception:\n    \
                 Error: TXCLIENT(CException::eUnknown) \"/pubmed/query.cpp\", line 351: \
                 ncbi::CQueryTranslator::Run() --- query failed</ERROR></{root}>"
            ))
        }
        Fault::Trickle => {
            let mut a = match utility {
                "efetch" => efetch(st, params, None),
                _ => esearch(st, params),
            };
            a.trickle = Some(st.config.hang);
            a
        }
        Fault::CutAfterRecords if utility == "efetch" => {
            let mut a = efetch(st, params, None);
            let body = String::from_utf8_lossy(&a.body).into_owned();
            if let Some(end) = body.find("</PubmedArticle>") {
                a.cut = Some(end + "</PubmedArticle>".len());
            }
            a
        }
        Fault::CutAfterRecords => return None,
        Fault::BackendError => {
            let root = if utility == "efetch" { "eFetchResult" } else { "eSearchResult" };
            Answer::xml(format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<{root}><ERROR>Search Backend failed: \
                 Couldn't resolve #pmquerysrv-mz?dbaf=pubmed, the address table is empty.</ERROR></{root}>"
            ))
        }
        Fault::EmptyBody => Answer::xml(Vec::new()),
        Fault::Unroutable => Answer::new(
            200,
            "text/plain",
            "Unable to route request! service name: /http/service/ratecontrol/eutils",
        ),
        Fault::Reset => Answer { reset: true, ..Answer::xml(Vec::new()) },
        Fault::Hang => Answer { hang: Some(st.config.hang), ..Answer::xml(Vec::new()) },
        Fault::Truncated => {
            let mut a = match utility {
                "efetch" => efetch(st, params, None),
                _ => esearch(st, params),
            };
            a.cut = Some(a.body.len() / 2);
            a
        }
        Fault::FewerRecords if utility == "efetch" => efetch(st, params, Some(1)),
        Fault::FewerRecords => return None,
        Fault::ExpireHistory => {
            st.history.clear();
            return None;
        }
        Fault::Transient400 => Answer::new(
            400,
            "text/xml",
            "<?xml version=\"1.0\" ?>\n<eFetchResult><ERROR>Bad Request</ERROR></eFetchResult>",
        ),
    })
}

/// Records visible today, with their creation and modification days.
struct Citation {
    pmid: u64,
    crdt: i64,
    mdat: i64,
    version: u32,
    retracted: bool,
}

fn citation(st: &State, i: usize) -> Citation {
    let c = &st.config;
    let crdt = c.first_day + (i as i64 * c.days) / c.records.max(1) as i64;
    let pmid = c.first_pmid + i as u64;
    let (mdat, version) = st.revised.get(&pmid).copied().unwrap_or((crdt, 1));
    Citation { pmid, crdt, mdat, version, retracted: st.retracted.contains(&pmid) }
}

fn visible(st: &State) -> Vec<Citation> {
    (0..st.config.records).map(|i| citation(st, i)).filter(|c| c.crdt <= st.config.today).collect()
}

/// `2025/03/01` (or `2025/03`, `2025`) → a day; `end` picks the last day.
fn day_of(s: &str, end: bool) -> Option<i64> {
    let parts: Vec<i64> = s
        .trim()
        .trim_matches('"')
        .split('/')
        .map(|p| p.trim().parse().ok())
        .collect::<Option<_>>()?;
    let (y, m, d) = match parts.as_slice() {
        [y] => (*y, if end { 12 } else { 1 }, if end { 31 } else { 1 }),
        [y, m] => (*y, *m, if end { days_in_month(*y, *m) } else { 1 }),
        [y, m, d] => (*y, *m, *d),
        _ => return None,
    };
    Some(days_from_civil(y, m, d))
}

fn days_in_month(y: i64, m: i64) -> i64 {
    days_from_civil(if m == 12 { y + 1 } else { y }, if m == 12 { 1 } else { m + 1 }, 1)
        - days_from_civil(y, m, 1)
}

/// The filters a term carries: CRDT and MDAT day ranges, UID ranges.
#[derive(Default)]
struct Filters {
    crdt: Vec<(i64, i64)>,
    mdat: Vec<(i64, i64)>,
    uid: Vec<(u64, u64)>,
}

/// Reads the range clauses of a term; `Err` is NCBI's words for a bad term.
fn parse_term(term: &str) -> Result<Filters, String> {
    let depth = term.chars().try_fold(0i32, |d, c| match c {
        '(' => Some(d + 1),
        ')' if d == 0 => None,
        ')' => Some(d - 1),
        _ => Some(d),
    });
    if depth != Some(0) || term.matches('"').count() % 2 == 1 || term.trim().is_empty() {
        return Err(format!(
            "Search Backend failed: Exception:\nquery syntax error: unbalanced parentheses or \
             quotes in \"{}\"",
            term.trim()
        ));
    }
    let mut f = Filters::default();
    let lower = term.to_ascii_lowercase();
    for (tag, into_dates) in [("[crdt]", true), ("[mdat]", false), ("[lr]", false), ("[uid]", true)]
    {
        let mut from = 0;
        while let Some(at) = lower[from..].find(tag) {
            let end = from + at;
            // Walk back over `A[tag] : B` or `A:B`.
            let head = &term[..end];
            let colon = head.rfind(':');
            if let Some(c) = colon {
                let b = head[c + 1..].trim();
                let before = head[..c].trim_end();
                let a_src = before
                    .strip_suffix(tag)
                    .or_else(|| before.strip_suffix(&tag.to_uppercase()))
                    .unwrap_or(before);
                let start = a_src.rfind(['(', ' ']).map(|i| i + 1).unwrap_or(0);
                let a = a_src[start..].trim();
                if tag == "[uid]" {
                    if let (Ok(a), Ok(b)) = (a.parse::<u64>(), b.parse::<u64>()) {
                        f.uid.push((a, b));
                    }
                } else if let (Some(a), Some(b)) = (day_of(a, false), day_of(b, true)) {
                    if into_dates {
                        f.crdt.push((a, b));
                    } else {
                        f.mdat.push((a, b));
                    }
                }
            }
            from = end + tag.len();
        }
    }
    Ok(f)
}

fn matching(st: &State, params: &HashMap<String, String>) -> Result<Vec<u64>, String> {
    let term = params.get("term").map(String::as_str).unwrap_or("");
    let f = parse_term(term)?;
    // datetype/mindate/maxdate: both dates or neither (a lone one is ignored).
    let window = match (params.get("mindate"), params.get("maxdate")) {
        (Some(a), Some(b)) => day_of(a, false).zip(day_of(b, true)),
        _ => None,
    };
    let on_mdat = params.get("datetype").is_some_and(|d| d == "mdat");
    let mut ids: Vec<u64> = visible(st)
        .into_iter()
        .filter(|c| f.crdt.iter().all(|(a, b)| (*a..=*b).contains(&c.crdt)))
        .filter(|c| f.mdat.iter().all(|(a, b)| (*a..=*b).contains(&c.mdat)))
        .filter(|c| f.uid.iter().all(|(a, b)| (*a..=*b).contains(&c.pmid)))
        .filter(|c| {
            window.is_none_or(|(a, b)| (a..=b).contains(if on_mdat { &c.mdat } else { &c.crdt }))
        })
        .map(|c| c.pmid)
        .collect();
    ids.sort_unstable_by(|a, b| b.cmp(a)); // most recent first, as PubMed
    Ok(ids)
}

const ESEARCH_DOCTYPE: &str =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<!DOCTYPE eSearchResult \
    PUBLIC \"-//NLM//DTD esearch 20060628//EN\" \
    \"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd\">\n";

const RETSTART_CAP: &str = "Search Backend failed: Exception:\n'retstart' cannot be larger than \
    9998. For PubMed, ESearch can only retrieve the first 9,999 records matching the query. To \
    obtain more than 9,999 PubMed records, consider using EDirect that includes additional logic \
    to batch PubMed search results automatically so that an arbitrary number can be retrieved. \
    For details see https://www.ncbi.nlm.nih.gov/books/NBK25499/";

fn esearch(st: &mut State, params: &HashMap<String, String>) -> Answer {
    let json = params.get("retmode").is_some_and(|m| m == "json");
    let error = |msg: &str| {
        if json {
            // NCBI puts the raw newline of its message into the JSON string.
            Answer::new(
                200,
                "application/json",
                format!("{{\"header\":{{\"type\":\"esearch\",\"version\":\"0.3\"}},\"esearchresult\":{{\"ERROR\":\"{msg}\"}}}}"),
            )
        } else {
            Answer::xml(format!(
                "{ESEARCH_DOCTYPE}<eSearchResult><ERROR>{}</ERROR></eSearchResult>",
                xml_escape(msg)
            ))
        }
    };
    let ids = match (params.get("WebEnv"), params.get("query_key")) {
        (Some(env), Some(k)) => {
            let k: usize = k.parse().unwrap_or(0);
            match st.history.get(env).and_then(|keys| keys.get(k.wrapping_sub(1))) {
                Some(ids) => ids.clone(),
                None => return error(&format!("Unable to obtain query #{k}")),
            }
        }
        _ => match matching(st, params) {
            Ok(ids) => ids,
            Err(msg) => return error(&msg),
        },
    };
    let retstart: usize = params.get("retstart").and_then(|v| v.parse().ok()).unwrap_or(0);
    let retmax: usize = params.get("retmax").and_then(|v| v.parse().ok()).unwrap_or(20);
    if retstart >= 9999 && !ids.is_empty() {
        return error(RETSTART_CAP);
    }
    let mut warning = None;
    let mut take = retmax;
    if retstart + retmax > 9999 {
        take = 9999 - retstart;
        warning =
            Some(format!("Restrictions achieved. start and count adjusted to {retstart}, {take}"));
    }
    let page: Vec<u64> = ids.iter().skip(retstart).take(take).copied().collect();
    let history = if params.get("usehistory").is_some_and(|v| v == "y") {
        let env = match params.get("WebEnv") {
            Some(e) if st.history.contains_key(e) => e.clone(),
            _ => {
                st.webenv_counter += 1;
                let e = format!("MCID_{:024x}", 0x5c0_9e12_0000_u64 + st.webenv_counter);
                st.history.insert(e.clone(), Vec::new());
                e
            }
        };
        let keys = st.history.get_mut(&env).expect("webenv");
        if params.get("query_key").is_none() {
            keys.push(ids.clone());
        }
        Some((env, params.get("query_key").cloned().unwrap_or_else(|| keys.len().to_string())))
    } else {
        None
    };
    if json {
        let idlist: Vec<String> = page.iter().map(|i| format!("\"{i}\"")).collect();
        let hist = history
            .map(|(e, k)| format!(",\"querykey\":\"{k}\",\"webenv\":\"{e}\""))
            .unwrap_or_default();
        return Answer::new(
            200,
            "application/json",
            format!(
                "{{\"header\":{{\"type\":\"esearch\",\"version\":\"0.3\"}},\"esearchresult\":{{\"count\":\"{}\",\"retmax\":\"{}\",\"retstart\":\"{retstart}\",\"idlist\":[{}]{hist}}}}}",
                ids.len(),
                page.len(),
                idlist.join(",")
            ),
        );
    }
    let mut x = format!(
        "{ESEARCH_DOCTYPE}<eSearchResult><Count>{}</Count><RetMax>{}</RetMax><RetStart>{retstart}</RetStart>",
        ids.len(),
        page.len()
    );
    if let Some((e, k)) = history {
        x.push_str(&format!("<QueryKey>{k}</QueryKey><WebEnv>{e}</WebEnv>"));
    }
    x.push_str("<IdList>");
    for id in &page {
        x.push_str(&format!("<Id>{id}</Id>"));
    }
    x.push_str("</IdList><TranslationSet/>");
    let mut warnings = Vec::new();
    if ids.is_empty() {
        warnings.push("No items found.".to_string());
    }
    warnings.extend(warning);
    if !warnings.is_empty() {
        x.push_str("<WarningList>");
        for w in warnings {
            x.push_str(&format!("<OutputMessage>{w}</OutputMessage>"));
        }
        x.push_str("</WarningList>");
    }
    x.push_str(&format!(
        "<QueryTranslation>{}</QueryTranslation></eSearchResult>\n",
        xml_escape(params.get("term").map(String::as_str).unwrap_or(""))
    ));
    Answer::xml(x)
}

fn efetch(st: &mut State, params: &HashMap<String, String>, drop_one: Option<usize>) -> Answer {
    if params.get("rettype").is_some_and(|r| !r.is_empty() && r != "xml") {
        return Answer::xml(Vec::new());
    }
    let wanted: Vec<u64> = match (params.get("WebEnv"), params.get("query_key")) {
        (Some(env), Some(k)) => {
            let k: usize = k.parse().unwrap_or(0);
            let Some(ids) = st.history.get(env).and_then(|keys| keys.get(k.wrapping_sub(1))) else {
                return Answer::new(
                    400,
                    "text/xml",
                    "<?xml version=\"1.0\" ?>\n<!DOCTYPE eEfetchResult PUBLIC \"-//NLM//DTD efetch 20131226//EN\" \
                     \"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20131226/efetch.dtd\">\n<eFetchResult><ERROR>\
                     Cannot retrieve history data: Unable to obtain query #1</ERROR></eFetchResult>",
                );
            };
            let retstart: usize = params.get("retstart").and_then(|v| v.parse().ok()).unwrap_or(0);
            let retmax: usize = params.get("retmax").and_then(|v| v.parse().ok()).unwrap_or(20);
            // History paging stops at the cap too (EUTILS.md §2.2).
            if retstart >= 9999 {
                return Answer::xml(format!(
                    "<?xml version=\"1.0\" ?>\n<eFetchResult><ERROR>{}</ERROR></eFetchResult>",
                    xml_escape(RETSTART_CAP)
                ));
            }
            if retstart >= ids.len() {
                return Answer::new(
                    400,
                    "text/xml",
                    format!(
                        "<?xml version=\"1.0\" ?>\n<eFetchResult><ERROR>Cannot retrieve history data: OUT \
                         OF RANGE. Parameter retstart={retstart} + 1 is greater than number of records \
                         available in history. History includes {} IDs.</ERROR></eFetchResult>",
                        ids.len()
                    ),
                );
            }
            ids.iter().skip(retstart).take(retmax.min(9999 - retstart)).copied().collect()
        }
        _ => params
            .get("id")
            .map(|s| s.split(',').filter_map(|p| p.trim().parse().ok()).collect())
            .unwrap_or_default(),
    };
    let c = &st.config;
    let mut found: Vec<Citation> = wanted
        .iter()
        .filter_map(|&p| {
            let i = p.checked_sub(c.first_pmid)? as usize;
            (i < c.records).then(|| citation(st, i)).filter(|x| x.crdt <= c.today)
        })
        .collect();
    if let Some(n) = drop_one {
        found.truncate(found.len().saturating_sub(n));
    }
    let mut x = String::from(
        "<?xml version=\"1.0\" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC \"-//NLM//DTD PubMedArticle, 1st \
         January 2025//EN\" \"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd\">\n<PubmedArticleSet>",
    );
    for cit in &found {
        x.push_str(&article(cit));
    }
    x.push_str("</PubmedArticleSet>\n");
    Answer::xml(x)
}

/// A synthetic citation, compact as efetch writes them.
fn article(c: &Citation) -> String {
    let (y, m, d) = civil_from_days(c.crdt);
    let (ry, rm, rd) = civil_from_days(c.mdat);
    let revised = if c.version > 1 { " (revised)" } else { "" };
    let (retraction_type, retraction_link) = if c.retracted {
        (
            "<PublicationType UI=\"D016441\">Retracted Publication</PublicationType>",
            "<CommentsCorrectionsList><CommentsCorrections RefType=\"RetractionIn\"><RefSource>Mock \
             J Learn Health Syst. 2026</RefSource><PMID Version=\"1\">1</PMID></CommentsCorrections>\
             </CommentsCorrectionsList>",
        )
    } else {
        ("", "")
    };
    format!(
        "<PubmedArticle><MedlineCitation Status=\"MEDLINE\" Owner=\"NLM\"><PMID Version=\"{v}\">{p}</PMID>\
         <DateRevised><Year>{ry}</Year><Month>{rm:02}</Month><Day>{rd:02}</Day></DateRevised>\
         <Article PubModel=\"Electronic\"><Journal><JournalIssue CitedMedium=\"Internet\"><PubDate>\
         <Year>{y}</Year><Month>{m:02}</Month></PubDate></JournalIssue><Title>Mock Journal of Learning \
         Health Systems</Title></Journal><ArticleTitle>Synthetic record {p}: a learning health system \
         in <i>practice</i>{revised}.</ArticleTitle><Abstract><AbstractText>Routine data from practice \
         became knowledge and went back into practice at the Universit&#xe0; di Prova.</AbstractText>\
         </Abstract><AuthorList CompleteYN=\"Y\"><Author ValidYN=\"Y\"><LastName>M&#xfc;ller</LastName>\
         <ForeName>Anna</ForeName><Initials>A</Initials></Author></AuthorList><Language>eng</Language>\
         <PublicationTypeList><PublicationType UI=\"D016428\">Journal Article</PublicationType>\
         {retraction_type}</PublicationTypeList></Article>{retraction_link}</MedlineCitation><PubmedData><History><PubMedPubDate \
         PubStatus=\"entrez\"><Year>{y}</Year><Month>{m}</Month><Day>{d}</Day></PubMedPubDate></History>\
         <PublicationStatus>epublish</PublicationStatus><ArticleIdList><ArticleId IdType=\"pubmed\">{p}\
         </ArticleId></ArticleIdList></PubmedData></PubmedArticle>",
        v = c.version,
        p = c.pmid
    )
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// `a=1&b=x+y%21` → map.
fn parse_form(s: &str) -> HashMap<String, String> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match u8::from_str_radix(&s[i + 1..i + 3], 16) {
                Ok(v) => {
                    out.push(v);
                    i += 2;
                }
                Err(_) => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn term_ranges_are_read() {
        let f = parse_term(
            "(lhs) AND (\"2025/01/01\"[CRDT] : \"2025/01/31\"[CRDT]) AND 990100001:990100050[UID]",
        )
        .unwrap();
        assert_eq!(f.crdt, [(days_from_civil(2025, 1, 1), days_from_civil(2025, 1, 31))]);
        assert_eq!(f.uid, [(990100001, 990100050)]);
        assert!(parse_term("((unbalanced").is_err());
        assert_eq!(day_of("2024/02", true), Some(days_from_civil(2024, 2, 29)));
        assert_eq!(percent_decode("a+b%21%2C"), "a b!,");
    }
}

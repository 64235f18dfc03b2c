//! JWT authentication at the router (`authentication.jwt`), through HTTP: a mock
//! identity provider serves a JWKS of Ed25519 keys generated here, tokens are
//! signed with them, and the mock subgraphs record whether anything reached them.
//! Also the cache of verified tokens, and rate limits keyed by the token's subject.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::jwt::{TestKey, now};
use common::{Answer, MockSubgraph, TestRouter, config_with};
use jsonwebtoken::jwk::JwkSet;
use serde_json::{Value, json};
use switchyard::config::{
    JwksSource, JwksUrl, JwtAlgorithm, JwtConfig, JwtHeaderConfig, PerClientLimit, RateLimitKey,
};
use tokio::sync::oneshot;

const QUERY: &str = "{ me { name } }";
const ISSUER: &str = "https://issuer.test";
const AUDIENCE: &str = "switchyard";

/// Claims the default test config accepts.
fn good_claims() -> Value {
    json!({"sub": "1", "iss": ISSUER, "aud": AUDIENCE, "iat": now(), "exp": now() + 600})
}

/// A mock identity provider serving a JWKS that tests can replace, counting
/// fetches.
struct Jwks {
    url: String,
    set: Arc<Mutex<JwkSet>>,
    fetches: Arc<AtomicUsize>,
    _stop: oneshot::Sender<()>,
}

impl Jwks {
    async fn serve(keys: &[&TestKey]) -> Self {
        let set = Arc::new(Mutex::new(JwkSet { keys: Vec::new() }));
        let fetches = Arc::new(AtomicUsize::new(0));
        let (served, counter) = (set.clone(), fetches.clone());
        let app = axum::Router::new().route(
            "/.well-known/jwks.json",
            axum::routing::get(move || {
                let set = served.lock().unwrap().clone();
                counter.fetch_add(1, Ordering::SeqCst);
                async move { axum::Json(set) }
            }),
        );
        let (base, stop) = common::serve_app(app).await;
        let jwks = Jwks {
            url: format!("{base}/.well-known/jwks.json"),
            set,
            fetches,
            _stop: stop,
        };
        jwks.publish(keys);
        jwks
    }

    fn publish(&self, keys: &[&TestKey]) {
        self.set.lock().unwrap().keys = keys.iter().map(|k| k.jwk.clone()).collect();
    }

    fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }

    /// Waits (without a deadline: the test harness has one) until the router's
    /// background task has fetched the set at least once.
    async fn fetched_once(&self) {
        while self.fetches() == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }
}

fn jwt_config(jwks_url: &str) -> JwtConfig {
    JwtConfig {
        jwks: vec![JwksSource::Url(JwksUrl {
            url: jwks_url.to_owned(),
            refresh_interval_secs: 3600,
        })],
        algorithms: vec![JwtAlgorithm::EdDSA],
        issuers: vec![ISSUER.to_owned()],
        audiences: vec![AUDIENCE.to_owned()],
        leeway_secs: 0,
        header: JwtHeaderConfig::default(),
        cookie: None,
        cache_size: 10_000,
    }
}

/// The accounts subgraph (the only one `QUERY` needs) and a router
/// authenticating against `jwks`.
async fn start(jwks: &Jwks, adjust: impl FnOnce(&mut JwtConfig)) -> (MockSubgraph, TestRouter) {
    let accounts = MockSubgraph::start(common::accounts).await;
    let mut config = config_with(&[("accounts", &accounts.url)]).await;
    let mut jwt = jwt_config(&jwks.url);
    adjust(&mut jwt);
    config.authentication.jwt = Some(jwt);
    let router = TestRouter::start(config).await;
    (accounts, router)
}

async fn post_with_token(router: &TestRouter, token: &str) -> Answer {
    let authorization = format!("Bearer {token}");
    router
        .post_with(
            json!({ "query": QUERY }),
            &[("authorization", &authorization)],
        )
        .await
}

/// A 401 `UNAUTHENTICATED` that does not quote the token, and no subgraph called.
fn assert_refused(answer: &Answer, token: &str, accounts: &MockSubgraph, why: &str) {
    assert_refused_after(answer, token, accounts, why, 0);
}

/// [`assert_refused`] when the subgraph had already received `earlier` requests.
fn assert_refused_after(
    answer: &Answer,
    token: &str,
    accounts: &MockSubgraph,
    why: &str,
    earlier: usize,
) {
    assert_eq!(answer.status, 401, "{why}: {answer:?}");
    assert_eq!(
        answer.body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{why}: {answer:?}"
    );
    assert!(answer.body.get("data").is_none(), "{why}: {answer:?}");
    let message = answer.body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains(why), "{message:?} should say {why:?}");
    for part in token.split('.') {
        assert!(!message.contains(part), "the message quotes the token");
    }
    assert!(answer.headers.contains_key("www-authenticate"));
    assert_eq!(
        accounts.requests().len(),
        earlier,
        "no subgraph may be called"
    );
}

#[tokio::test]
async fn a_valid_token_is_served_and_still_forwarded() {
    let key = TestKey::generate("a");
    let jwks = Jwks::serve(&[&key]).await;
    let (accounts, router) = start(&jwks, |_| {}).await;
    let token = key.sign(&good_claims());
    let answer = post_with_token(&router, &token).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(
        answer.body,
        json!({"data": {"me": {"name": "Ada Lovelace"}}})
    );
    let requests = accounts.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].headers.get("authorization"),
        Some(&format!("Bearer {token}"))
    );
}

#[tokio::test]
async fn no_token_is_served_anonymously() {
    let key = TestKey::generate("a");
    let jwks = Jwks::serve(&[&key]).await;
    let (accounts, router) = start(&jwks, |_| {}).await;
    let answer = router.post(json!({ "query": QUERY })).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(
        answer.body,
        json!({"data": {"me": {"name": "Ada Lovelace"}}})
    );
    assert_eq!(accounts.requests().len(), 1);
    assert_eq!(accounts.requests()[0].headers.get("authorization"), None);
}

#[tokio::test]
async fn a_header_with_another_scheme_is_not_a_jwt() {
    let key = TestKey::generate("a");
    let jwks = Jwks::serve(&[&key]).await;
    let (accounts, router) = start(&jwks, |_| {}).await;
    let answer = router
        .post_with(
            json!({ "query": QUERY }),
            &[("authorization", "Basic dXNlcjpwYXNz")],
        )
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(accounts.requests().len(), 1);
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let key = TestKey::generate("a");
    let jwks = Jwks::serve(&[&key]).await;
    let (accounts, router) = start(&jwks, |_| {}).await;
    let mut claims = good_claims();
    claims["iat"] = json!(now() - 600);
    claims["exp"] = json!(now() - 300);
    let token = key.sign(&claims);
    let answer = post_with_token(&router, &token).await;
    assert_refused(&answer, &token, &accounts, "expired");
}

#[tokio::test]
async fn a_token_not_valid_yet_is_refused() {
    let key = TestKey::generate("a");
    let jwks = Jwks::serve(&[&key]).await;
    let (accounts, router) = start(&jwks, |_| {}).await;
    let mut claims = good_claims();
    claims["nbf"] = json!(now() + 300);
    let token = key.sign(&claims);
    let answer = post_with_token(&router, &token).await;
    assert_refused(&answer, &token, &accounts, "not valid yet");
}

#[tokio::test]
async fn a_token_signed_by_another_key_is_refused() {
    let key = TestKey::generate("a");
    // Same kid, different key: what a forger would send.
    let forger = TestKey::generate("a");
    let jwks = Jwks::serve(&[&key]).await;
    let (accounts, router) = start(&jwks, |_| {}).await;
    let token = forger.sign(&good_claims());
    let answer = post_with_token(&router, &token).await;
    assert_refused(&answer, &token, &accounts, "signature");
}

#[tokio::test]
async fn a_token_for_another_audience_is_refused() {
    let key = TestKey::generate("a");
    let jwks = Jwks::serve(&[&key]).await;
    let (accounts, router) = start(&jwks, |_| {}).await;
    let mut claims = good_claims();
    claims["aud"] = json!("some-other-api");
    let token = key.sign(&claims);
    let answer = post_with_token(&router, &token).await;
    assert_refused(&answer, &token, &accounts, "audience");
}

#[tokio::test]
async fn a_token_of_another_issuer_is_refused() {
    let key = TestKey::generate("a");
    let jwks = Jwks::serve(&[&key]).await;
    let (accounts, router) = start(&jwks, |_| {}).await;
    let mut claims = good_claims();
    claims["iss"] = json!("https://elsewhere.test");
    let token = key.sign(&claims);
    let answer = post_with_token(&router, &token).await;
    assert_refused(&answer, &token, &accounts, "issuer");
}

#[tokio::test]
async fn a_token_of_an_algorithm_not_accepted_is_refused() {
    let key = TestKey::generate("a");
    let jwks = Jwks::serve(&[&key]).await;
    let (accounts, router) = start(&jwks, |jwt| jwt.algorithms = vec![JwtAlgorithm::RS256]).await;
    let token = key.sign(&good_claims());
    let answer = post_with_token(&router, &token).await;
    assert_refused(&answer, &token, &accounts, "algorithm");
}

#[tokio::test]
async fn a_malformed_token_is_refused() {
    let key = TestKey::generate("a");
    let jwks = Jwks::serve(&[&key]).await;
    let (accounts, router) = start(&jwks, |_| {}).await;
    let token = "not-a.jwt.at-all";
    let answer = post_with_token(&router, token).await;
    assert_refused(&answer, token, &accounts, "malformed");
}

#[tokio::test]
async fn a_token_in_the_configured_cookie_is_verified() {
    let key = TestKey::generate("a");
    let jwks = Jwks::serve(&[&key]).await;
    let (accounts, router) = start(&jwks, |jwt| jwt.cookie = Some("session".into())).await;
    let token = key.sign(&good_claims());
    let cookie = format!("theme=dark; session={token}");
    let answer = router
        .post_with(json!({ "query": QUERY }), &[("cookie", &cookie)])
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(accounts.requests().len(), 1);

    let forged = TestKey::generate("a").sign(&good_claims());
    let cookie = format!("session={forged}");
    let answer = router
        .post_with(json!({ "query": QUERY }), &[("cookie", &cookie)])
        .await;
    assert_eq!(answer.status, 401, "{answer:?}");
    assert_eq!(accounts.requests().len(), 1);
}

#[tokio::test]
async fn a_rotated_key_is_fetched_on_its_unknown_kid() {
    let old = TestKey::generate("old");
    let new = TestKey::generate("new");
    let jwks = Jwks::serve(&[&old]).await;
    let (accounts, router) = start(&jwks, |_| {}).await;
    jwks.fetched_once().await;
    let answer = post_with_token(&router, &old.sign(&good_claims())).await;
    assert_eq!(answer.status, 200, "{answer:?}");

    // The provider rotates: tokens now name a key the router has not seen.
    jwks.publish(&[&new]);
    let fetched = jwks.fetches();
    let answer = post_with_token(&router, &new.sign(&good_claims())).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(jwks.fetches(), fetched + 1);
    assert_eq!(accounts.requests().len(), 2);

    // The old key is gone with the old set.
    let token = old.sign(&good_claims());
    let answer = post_with_token(&router, &token).await;
    assert_eq!(answer.status, 401, "{answer:?}");
}

#[tokio::test]
async fn unknown_kids_do_not_flood_the_identity_provider() {
    let key = TestKey::generate("a");
    let jwks = Jwks::serve(&[&key]).await;
    let (accounts, router) = start(&jwks, |_| {}).await;
    jwks.fetched_once().await;
    // Once a token verifies, the first fetch is installed (not in flight).
    let answer = post_with_token(&router, &key.sign(&good_claims())).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let fetched = jwks.fetches();

    let stranger = TestKey::generate("unknown");
    let token = stranger.sign(&good_claims());
    let answer = post_with_token(&router, &token).await;
    assert_refused_after(&answer, &token, &accounts, "unknown key", 1);
    assert_eq!(
        jwks.fetches(),
        fetched + 1,
        "one refetch for the unknown kid"
    );

    // Another unknown kid right after a fruitless refetch: refused without one.
    let token = TestKey::generate("unknown-too").sign(&good_claims());
    let answer = post_with_token(&router, &token).await;
    assert_refused_after(&answer, &token, &accounts, "unknown key", 1);
    assert_eq!(jwks.fetches(), fetched + 1, "no second refetch");
}

#[tokio::test]
async fn an_unreachable_jwks_at_start_is_not_fatal() {
    // Nothing listens: the router starts, and tokens are refused until the keys
    // can be fetched; requests without a token are served.
    let closed = common::closed_url().await;
    let accounts = MockSubgraph::start(common::accounts).await;
    let mut config = config_with(&[("accounts", &accounts.url)]).await;
    config.authentication.jwt = Some(jwt_config(&closed));
    let router = TestRouter::start(config).await;
    let key = TestKey::generate("a");
    let token = key.sign(&good_claims());
    let answer = post_with_token(&router, &token).await;
    assert_refused(&answer, &token, &accounts, "unknown key");
    let answer = router.post(json!({ "query": QUERY })).await;
    assert_eq!(answer.status, 200, "{answer:?}");
}

#[tokio::test]
async fn a_jwks_file_is_read_at_start() {
    let key = TestKey::generate("a");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jwks.json");
    let set = JwkSet {
        keys: vec![key.jwk.clone()],
    };
    std::fs::write(&path, serde_json::to_string(&set).unwrap()).unwrap();
    let accounts = MockSubgraph::start(common::accounts).await;
    let mut config = config_with(&[("accounts", &accounts.url)]).await;
    let mut jwt = jwt_config("http://unused.invalid/");
    jwt.jwks = vec![JwksSource::File(switchyard::config::JwksFile {
        file: path,
    })];
    config.authentication.jwt = Some(jwt.clone());
    let router = TestRouter::start(config.clone()).await;
    let answer = post_with_token(&router, &key.sign(&good_claims())).await;
    assert_eq!(answer.status, 200, "{answer:?}");

    // A missing file is a config mistake: the router does not start.
    jwt.jwks = vec![JwksSource::File(switchyard::config::JwksFile {
        file: dir.path().join("missing.json"),
    })];
    config.authentication.jwt = Some(jwt);
    let error = switchyard::Router::from_supergraph_sdl(common::SUPERGRAPH, config)
        .err()
        .expect("a missing JWKS file stops the start");
    assert!(error.to_string().contains("missing.json"), "{error}");
}

// The cache of verified tokens (`cache_size`).

/// Waits (without a deadline: the test harness has one) until the clock has
/// passed `exp`, in whole seconds as verification reckons it.
async fn wait_past(exp: i64) {
    while now() <= exp {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_cached_token_stops_working_when_it_expires() {
    let key = TestKey::generate("a");
    let jwks = Jwks::serve(&[&key]).await;
    let (accounts, router) = start(&jwks, |jwt| jwt.leeway_secs = 0).await;
    let exp = now() + 2;
    let mut claims = good_claims();
    claims["exp"] = json!(exp);
    let token = key.sign(&claims);
    for _ in 0..3 {
        let answer = post_with_token(&router, &token).await;
        assert_eq!(answer.status, 200, "{answer:?}");
    }
    assert_eq!(router.router.cached_tokens(), 1, "verified once, kept");

    wait_past(exp).await;
    let answer = post_with_token(&router, &token).await;
    assert_refused_after(&answer, &token, &accounts, "expired", 3);
    assert_eq!(
        router.router.cached_tokens(),
        0,
        "the expired entry is dropped"
    );
}

#[tokio::test]
async fn a_cached_token_whose_key_a_refresh_removed_stops_working() {
    let old = TestKey::generate("old");
    let new = TestKey::generate("new");
    let jwks = Jwks::serve(&[&old]).await;
    let (accounts, router) = start(&jwks, |jwt| {
        jwt.jwks = vec![JwksSource::Url(JwksUrl {
            url: jwks.url.clone(),
            refresh_interval_secs: 1,
        })];
    })
    .await;
    jwks.fetched_once().await;
    let token = old.sign(&good_claims());
    for _ in 0..2 {
        let answer = post_with_token(&router, &token).await;
        assert_eq!(answer.status, 200, "{answer:?}");
    }
    assert_eq!(router.router.cached_tokens(), 1);

    // The background refresh brings a set without the old key. Two more fetches
    // started means the first of them has been installed.
    jwks.publish(&[&new]);
    let fetched = jwks.fetches();
    while jwks.fetches() < fetched + 2 {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let answer = post_with_token(&router, &token).await;
    assert_refused_after(&answer, &token, &accounts, "unknown key", 2);
    let answer = post_with_token(&router, &new.sign(&good_claims())).await;
    assert_eq!(answer.status, 200, "{answer:?}");
}

#[tokio::test]
async fn a_cached_token_whose_key_a_refetch_for_an_unknown_kid_removed_stops_working() {
    let old = TestKey::generate("old");
    let new = TestKey::generate("new");
    let jwks = Jwks::serve(&[&old]).await;
    let (accounts, router) = start(&jwks, |_| {}).await;
    jwks.fetched_once().await;
    let token = old.sign(&good_claims());
    let answer = post_with_token(&router, &token).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(router.router.cached_tokens(), 1);

    // A token of the new key makes the router refetch: the old key is gone.
    jwks.publish(&[&new]);
    let answer = post_with_token(&router, &new.sign(&good_claims())).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let answer = post_with_token(&router, &token).await;
    assert_refused_after(&answer, &token, &accounts, "unknown key", 2);
}

#[tokio::test]
async fn a_bad_token_is_never_cached_as_good() {
    let key = TestKey::generate("a");
    let jwks = Jwks::serve(&[&key]).await;
    let (accounts, router) = start(&jwks, |_| {}).await;
    let token = key.sign(&good_claims());
    let answer = post_with_token(&router, &token).await;
    assert_eq!(answer.status, 200, "{answer:?}");

    // The good token's signature on other claims, a damaged signature, and a
    // well-signed token the claims checks refuse: each refused every time.
    let (signed, signature) = token.rsplit_once('.').unwrap();
    let (header, _) = signed.split_once('.').unwrap();
    let mut forged_claims = good_claims();
    forged_claims["sub"] = json!("2");
    let forged = format!(
        "{header}.{}.{signature}",
        URL_SAFE_NO_PAD.encode(forged_claims.to_string())
    );
    // One character inside the signature (the last one also carries unused bits).
    let mut damaged = token.clone().into_bytes();
    let inside = damaged.len() - 10;
    damaged[inside] = if damaged[inside] == b'A' { b'B' } else { b'A' };
    let damaged = String::from_utf8(damaged).unwrap();
    let mut other_audience = good_claims();
    other_audience["aud"] = json!("someone-else");
    let other_audience = key.sign(&other_audience);
    for (bad, why) in [
        (&forged, "signature"),
        (&damaged, "signature"),
        (&other_audience, "audience"),
    ] {
        for _ in 0..2 {
            let answer = post_with_token(&router, bad).await;
            assert_refused_after(&answer, bad, &accounts, why, 1);
        }
    }
    assert_eq!(router.router.cached_tokens(), 1, "only the good token");
}

#[tokio::test]
async fn a_cache_size_of_zero_verifies_every_request() {
    let key = TestKey::generate("a");
    let jwks = Jwks::serve(&[&key]).await;
    let (_accounts, router) = start(&jwks, |jwt| jwt.cache_size = 0).await;
    let token = key.sign(&good_claims());
    for _ in 0..2 {
        let answer = post_with_token(&router, &token).await;
        assert_eq!(answer.status, 200, "{answer:?}");
    }
    assert_eq!(router.router.cached_tokens(), 0);
}

// `rate_limit.key: subject`: budgets per verified subject.

async fn start_limited_by_subject(jwks: &Jwks, limit: &str) -> (MockSubgraph, TestRouter) {
    let accounts = MockSubgraph::start(common::accounts).await;
    let mut config = config_with(&[("accounts", &accounts.url)]).await;
    config.authentication.jwt = Some(jwt_config(&jwks.url));
    config.rate_limit.per_client = Some(PerClientLimit::Text(limit.into()));
    config.rate_limit.key = RateLimitKey::Subject;
    let router = TestRouter::start(config).await;
    (accounts, router)
}

fn claims_of(subject: &str) -> Value {
    let mut claims = good_claims();
    claims["sub"] = json!(subject);
    claims
}

fn assert_rate_limited(answer: &Answer) {
    assert_eq!(answer.status, 429, "{answer:?}");
    assert_eq!(
        answer.body["errors"][0]["extensions"]["code"], "RATE_LIMITED",
        "{answer:?}"
    );
    let retry_after: u64 = answer.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after >= 1, "Retry-After {retry_after}");
}

#[tokio::test]
async fn subjects_from_one_address_have_separate_budgets() {
    let key = TestKey::generate("a");
    let jwks = Jwks::serve(&[&key]).await;
    // Two per hour, refilled one per 30 minutes: no refill during the test.
    let (accounts, router) = start_limited_by_subject(&jwks, "2/1h").await;
    let alice = key.sign(&claims_of("alice"));
    let bob = key.sign(&claims_of("bob"));
    for token in [&alice, &alice] {
        let answer = post_with_token(&router, token).await;
        assert_eq!(answer.status, 200, "{answer:?}");
    }
    assert_rate_limited(&post_with_token(&router, &alice).await);

    // Bob, from the same address, has his own budget.
    for _ in 0..2 {
        let answer = post_with_token(&router, &bob).await;
        assert_eq!(answer.status, 200, "{answer:?}");
    }
    assert_rate_limited(&post_with_token(&router, &bob).await);

    // Another token of Alice's (another expiry) draws on the same budget.
    let mut claims = claims_of("alice");
    claims["exp"] = json!(now() + 900);
    assert_rate_limited(&post_with_token(&router, &key.sign(&claims)).await);
    assert_eq!(
        accounts.requests().len(),
        4,
        "refused requests reach no subgraph"
    );

    // Anonymous requests count against the address, which the subjects left
    // untouched; so does a token that does not verify (401 while the address
    // has budget, 429 after).
    let stranger = TestKey::generate("stranger");
    let bad = stranger.sign(&claims_of("mallory"));
    let answer = post_with_token(&router, &bad).await;
    assert_eq!(answer.status, 401, "{answer:?}");
    let answer = router.post(json!({ "query": QUERY })).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_rate_limited(&router.post(json!({ "query": QUERY })).await);
    assert_rate_limited(&post_with_token(&router, &bad).await);
    // Alice's and Bob's budgets are still theirs alone: both stay limited, and
    // a third subject is served.
    let carol = key.sign(&claims_of("carol"));
    let answer = post_with_token(&router, &carol).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(
        answer.body,
        json!({"data": {"me": {"name": "Ada Lovelace"}}})
    );
}

#[tokio::test]
async fn a_subject_keeps_its_budget_across_addresses() {
    let key = TestKey::generate("a");
    let jwks = Jwks::serve(&[&key]).await;
    let (_accounts, router) = start_limited_by_subject(&jwks, "1/1h").await;
    let alice = key.sign(&claims_of("alice"));
    let answer = post_with_token(&router, &alice).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    // From 127.0.0.2 (all of 127.0.0.0/8 is loopback on Linux): still Alice.
    let elsewhere = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
        .build()
        .unwrap();
    let response = elsewhere
        .post(router.url("/graphql"))
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {alice}"))
        .body(json!({ "query": QUERY }).to_string())
        .send()
        .await
        .unwrap();
    assert_rate_limited(&Answer::read(response).await);
}

#[test]
fn the_config_reads_from_yaml() {
    let yaml = r#"
authentication:
  jwt:
    jwks:
      - url: https://issuer.test/.well-known/jwks.json
        refresh_interval_secs: 60
      - file: keys/jwks.json
    algorithms: [EdDSA, RS256]
    issuers: [https://issuer.test]
    audiences: [switchyard]
    leeway_secs: 30
    header: { name: x-token, prefix: "" }
    cookie: session
"#;
    let config =
        switchyard::RouterConfig::from_yaml(yaml, std::path::Path::new("/etc/switchyard")).unwrap();
    config.check().unwrap();
    let jwt = config.authentication.jwt.unwrap();
    assert_eq!(
        jwt.jwks,
        vec![
            JwksSource::Url(JwksUrl {
                url: "https://issuer.test/.well-known/jwks.json".into(),
                refresh_interval_secs: 60,
            }),
            JwksSource::File(switchyard::config::JwksFile {
                file: "/etc/switchyard/keys/jwks.json".into()
            }),
        ]
    );
    assert_eq!(
        jwt.algorithms,
        vec![JwtAlgorithm::EdDSA, JwtAlgorithm::RS256]
    );
    assert_eq!(jwt.header.name, "x-token");
    assert_eq!(jwt.cookie.as_deref(), Some("session"));

    // A typo in a source is refused, not ignored.
    let typo = "authentication: { jwt: { jwks: [ { url: http://x/jwks, refresh_secs: 5 } ] } }";
    assert!(switchyard::RouterConfig::from_yaml(typo, std::path::Path::new(".")).is_err());
    // No key set at all.
    let empty = "authentication: { jwt: { jwks: [] } }";
    let config = switchyard::RouterConfig::from_yaml(empty, std::path::Path::new(".")).unwrap();
    assert!(config.check().is_err());
}

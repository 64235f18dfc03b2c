//! The configuration file: its JSON Schema (held by a snapshot so any change to
//! the config surface is reviewed), defaults, and refusal of unknown keys.

use std::path::Path;

use switchyard::config::RouterConfig;

#[test]
fn json_schema_snapshot() {
    insta::assert_snapshot!(RouterConfig::json_schema());
}

#[test]
fn empty_file_is_all_defaults() {
    let config = RouterConfig::from_yaml("", Path::new("/etc")).unwrap();
    assert_eq!(config, RouterConfig::default());
    assert_eq!(config.limits.max_body_bytes, 2 * 1024 * 1024);
    assert_eq!(config.timeouts.subgraph_request_ms, 30_000);
    assert_eq!(config.plan_cache.capacity, 512);
    assert_eq!(config.plan_cache.max_bytes, 64 * 1024 * 1024);
    assert_eq!(config.headers.forward, vec!["authorization".to_owned()]);
    assert!(config.csrf.enabled);
    assert!(config.traffic_shaping.dedup);
    assert!(!config.expose_query_plan);
    assert!(!config.playground.enabled);
    assert!(config.cors.allow_origins.is_empty());
}

#[test]
fn full_file_parses_and_resolves_paths() {
    let yaml = r#"
listen: 0.0.0.0:8080
supergraph: supergraph.graphql
override_subgraph_urls:
  products: http://products:4001/graphql
timeouts:
  subgraph_request_ms: 500
limits:
  max_depth: 10
  max_aliases: null
headers:
  forward: [authorization, x-request-id]
cors:
  allow_origins: [https://shop.example]
  allow_credentials: true
csrf:
  required_headers: [x-my-csrf]
plan_cache:
  capacity: 16
  max_bytes: 1048576
expose_query_plan: true
playground:
  enabled: true
traffic_shaping:
  dedup: false
override_labels:
  enabled: [discounts-v2]
  header: x-switchyard-override-labels
"#;
    let config = RouterConfig::from_yaml(yaml, Path::new("/etc/switchyard")).unwrap();
    config.check().unwrap();
    assert_eq!(config.listen.to_string(), "0.0.0.0:8080");
    assert_eq!(
        config.supergraph.as_deref(),
        Some(Path::new("/etc/switchyard/supergraph.graphql"))
    );
    assert_eq!(config.timeouts.subgraph_request_ms, 500);
    // Sections given in part keep the defaults of the keys they leave out.
    assert_eq!(config.timeouts.request_ms, 60_000);
    assert_eq!(config.limits.max_depth, Some(10));
    assert_eq!(config.plan_cache.max_bytes, 1_048_576);
    assert_eq!(config.limits.max_aliases, None);
    assert_eq!(config.limits.max_body_bytes, 2 * 1024 * 1024);
    assert!(config.csrf.enabled);
    assert!(!config.traffic_shaping.dedup);
    assert_eq!(config.override_labels.enabled, vec!["discounts-v2"]);
    assert_eq!(
        config.override_labels.header.as_deref(),
        Some("x-switchyard-override-labels")
    );
}

#[test]
fn unknown_keys_are_refused() {
    let error = RouterConfig::from_yaml("limits:\n  max_dept: 3\n", Path::new("."))
        .unwrap_err()
        .to_string();
    assert!(error.contains("unknown field `max_dept`"), "{error}");
    assert!(RouterConfig::from_yaml("listn: 1.2.3.4:5\n", Path::new(".")).is_err());
    assert!(RouterConfig::from_yaml("override_labels:\n  enable: [a]\n", Path::new(".")).is_err());
}

#[test]
fn contradictions_are_refused() {
    let both =
        "supergraph: a.graphql\nsubgraphs:\n  - name: a\n    routing_url: http://a/graphql\n";
    let config = RouterConfig::from_yaml(both, Path::new(".")).unwrap();
    assert!(config.check().is_err());
    let star_with_credentials = "cors:\n  allow_origins: ['*']\n  allow_credentials: true\n";
    let config = RouterConfig::from_yaml(star_with_credentials, Path::new(".")).unwrap();
    assert!(config.check().is_err());
    let bad_header = "headers:\n  forward: ['bad header']\n";
    let config = RouterConfig::from_yaml(bad_header, Path::new(".")).unwrap();
    assert!(config.check().is_err());
    let bad_label_header = "override_labels:\n  header: 'bad header'\n";
    let config = RouterConfig::from_yaml(bad_label_header, Path::new(".")).unwrap();
    assert!(config.check().is_err());
}

#[test]
fn rate_limit_is_off_by_default_and_takes_text_or_fields() {
    use std::time::Duration;
    use switchyard::config::RateLimitKey;

    let config = RouterConfig::from_yaml("", Path::new("/etc")).unwrap();
    assert_eq!(config.rate_limit.per_client, None);
    assert_eq!(config.rate_limit.key, RateLimitKey::ClientAddress);

    for (yaml, requests, period) in [
        (
            "rate_limit: { per_client: 100/1s }",
            100,
            Duration::from_secs(1),
        ),
        (
            "rate_limit: { per_client: \"5/15m\", key: client_address }",
            5,
            Duration::from_secs(900),
        ),
        (
            "rate_limit: { per_client: { requests: 10, period_ms: 500 } }",
            10,
            Duration::from_millis(500),
        ),
    ] {
        let config = RouterConfig::from_yaml(yaml, Path::new("/etc")).unwrap();
        config.check().unwrap();
        let (count, every) = config.rate_limit.per_client.unwrap().parse().unwrap();
        assert_eq!((count.get(), every), (requests, period), "{yaml}");
    }

    for bad in [
        "rate_limit: { per_client: 0/1s }",
        "rate_limit: { per_client: 5/0s }",
        "rate_limit: { per_client: 5 }",
        "rate_limit: { per_client: five/1s }",
        "rate_limit: { per_client: { requests: 0, period_ms: 1000 } }",
        "rate_limit: { per_client: { requests: 5, period_ms: 0 } }",
    ] {
        let refused = RouterConfig::from_yaml(bad, Path::new("/etc"))
            .map_err(|e| e.to_string())
            .and_then(|config| config.check().map_err(|e| e.to_string()));
        assert!(refused.is_err(), "{bad}");
    }
    // `address` names the client address too; `subject` needs authentication.
    let config = RouterConfig::from_yaml(
        "rate_limit: { per_client: 5/1s, key: address, trusted_proxies: [10.0.0.0/8, 192.0.2.7, \"::1/128\"] }",
        Path::new("/etc"),
    )
    .unwrap();
    config.check().unwrap();
    assert_eq!(config.rate_limit.key, RateLimitKey::ClientAddress);
    assert_eq!(config.rate_limit.trusted_proxies().unwrap().len(), 3);
    for refused in [
        "rate_limit: { per_client: 5/1s, key: subject }",
        "rate_limit: { per_client: 5/1s, trusted_proxies: [10.0.0.0/33] }",
        "rate_limit: { per_client: 5/1s, trusted_proxies: [proxy.internal] }",
    ] {
        let config = RouterConfig::from_yaml(refused, Path::new("/etc")).unwrap();
        assert!(config.check().is_err(), "{refused}");
    }
    let config = RouterConfig::from_yaml(
        "rate_limit: { per_client: 5/1s, key: subject }\nauthentication: { jwt: { jwks: [{ url: \"https://idp.test/jwks\" }] } }",
        Path::new("/etc"),
    )
    .unwrap();
    config.check().unwrap();
    assert_eq!(config.rate_limit.key, RateLimitKey::Subject);
    assert_eq!(config.authentication.jwt.unwrap().cache_size, 10_000);

    // Unknown keys, and keys that are no identity (an unverified token's
    // subject), are refused.
    for unsupported in [
        "rate_limit: { per_client: 5/1s, key: token_subject }",
        "rate_limit: { per_client: { requests: 5, period_ms: 1000, burst: 9 } }",
        "rate_limit: { per_clients: 5/1s }",
    ] {
        assert!(
            RouterConfig::from_yaml(unsupported, Path::new("/etc")).is_err(),
            "{unsupported}"
        );
    }
}

#[test]
fn metrics_are_on_by_default_on_a_listener_of_their_own() {
    let config = RouterConfig::from_yaml("", Path::new("/etc")).unwrap();
    let metrics = &config.telemetry.metrics;
    assert!(metrics.enabled);
    assert_eq!(metrics.listen.to_string(), "127.0.0.1:9090");
    assert_eq!(metrics.path, "/metrics");

    let yaml = "telemetry:\n  metrics:\n    listen: 0.0.0.0:9100\n    path: /prometheus\n";
    let config = RouterConfig::from_yaml(yaml, Path::new("/etc")).unwrap();
    assert_eq!(config.telemetry.metrics.listen.to_string(), "0.0.0.0:9100");
    assert!(config.check().is_ok());

    let refused = |yaml: &str| {
        let config = RouterConfig::from_yaml(yaml, Path::new("/etc")).unwrap();
        config.check().unwrap_err().to_string()
    };
    let same_port = refused("listen: 127.0.0.1:9090\n");
    assert!(same_port.contains("listener of their own"), "{same_port}");
    for path in ["metrics", "/", "/a//b", "/{x}"] {
        let error = refused(&format!("telemetry: {{metrics: {{path: '{path}'}}}}\n"));
        assert!(error.contains("telemetry.metrics.path"), "{path}: {error}");
    }
    // Off, nothing about it is checked.
    let off = "listen: 127.0.0.1:9090\ntelemetry: {metrics: {enabled: false}}\n";
    assert!(
        RouterConfig::from_yaml(off, Path::new("/etc"))
            .unwrap()
            .check()
            .is_ok()
    );
    let typo = RouterConfig::from_yaml("telemetry: {metrics: {enable: true}}\n", Path::new("/"));
    assert!(
        typo.unwrap_err()
            .to_string()
            .contains("unknown field `enable`")
    );
}

#[test]
fn tracing_is_off_by_default_and_its_settings_are_checked() {
    let config = RouterConfig::from_yaml("", Path::new("/etc")).unwrap();
    let tracing = &config.telemetry.tracing;
    assert!(!tracing.enabled);
    assert_eq!(tracing.sampling, 1.0);
    assert_eq!(tracing.service_name, "switchyard");
    assert_eq!(
        tracing.settings().export_url(),
        "http://127.0.0.1:4318/v1/traces"
    );
    assert_eq!(
        config.telemetry.logging.format,
        switchyard::config::LogFormat::Text
    );

    let yaml = "telemetry:\n  tracing:\n    enabled: true\n    sampling: 0.25\n    \
                otlp: {protocol: grpc}\n  logging: {format: json}\n";
    let config = RouterConfig::from_yaml(yaml, Path::new("/etc")).unwrap();
    assert!(config.check().is_ok());
    let settings = config.telemetry.tracing.settings();
    assert_eq!(settings.protocol, switchyard_telemetry::OtlpProtocol::Grpc);
    assert_eq!(settings.export_url(), "http://127.0.0.1:4317");
    assert_eq!(settings.sampling, 0.25);
    assert_eq!(
        config.telemetry.logging.format,
        switchyard::config::LogFormat::Json
    );

    let refused = |yaml: &str| {
        let config = RouterConfig::from_yaml(yaml, Path::new("/etc")).unwrap();
        config.check().unwrap_err().to_string()
    };
    let ratio = refused("telemetry: {tracing: {enabled: true, sampling: 1.5}}\n");
    assert!(
        ratio.contains("telemetry.tracing: sampling 1.5 is not a ratio"),
        "{ratio}"
    );
    // A wrong value is refused before it is turned on.
    let ratio = refused("telemetry: {tracing: {sampling: -0.5}}\n");
    assert!(ratio.contains("telemetry.tracing"), "{ratio}");
    for endpoint in ["collector:4318", "ftp://collector", "http://"] {
        let error = refused(&format!(
            "telemetry: {{tracing: {{enabled: true, otlp: {{endpoint: '{endpoint}'}}}}}}\n"
        ));
        assert!(
            error.contains("telemetry.tracing: endpoint"),
            "{endpoint}: {error}"
        );
    }
    let name = refused("telemetry: {tracing: {service_name: ' '}}\n");
    assert!(name.contains("service_name"), "{name}");
    for typo in [
        "telemetry: {tracing: {sample: 0.5}}\n",
        "telemetry: {tracing: {otlp: {protocol: thrift}}}\n",
        "telemetry: {logging: {format: xml}}\n",
    ] {
        assert!(
            RouterConfig::from_yaml(typo, Path::new("/")).is_err(),
            "{typo}"
        );
    }
}

#[test]
fn playground_sign_in_is_parsed_into_the_form_the_page_renders() {
    let yaml = r#"
playground:
  enabled: true
  auth:
    sign_in:
      operation: |
        mutation LogIn($user: String!, $secret: String!, $remember: Boolean = false) {
          session: logIn(user: $user, secret: $secret, remember: $remember) {
            ...Credentials
          }
        }
        fragment Credentials on Session { credentials { accessToken } }
      token_path: session.credentials.accessToken
      hint: Any account works here.
      variables:
        user: { default: someone@example.com }
        secret: { secret: true }
"#;
    let config = RouterConfig::from_yaml(yaml, Path::new("/etc")).unwrap();
    config.check().unwrap();
    let settings = serde_json::to_value(config.playground.settings().unwrap()).unwrap();
    assert_eq!(
        settings,
        serde_json::json!({ "auth": { "sign_in": {
            "operation": config.playground.auth.sign_in.as_ref().unwrap().operation,
            "operation_name": "LogIn",
            "token_path": ["session", "credentials", "accessToken"],
            "hint": "Any account works here.",
            "variables": [
                { "name": "user", "type": "String!", "required": true, "default": "someone@example.com", "secret": false },
                { "name": "secret", "type": "String!", "required": true, "default": null, "secret": true },
                { "name": "remember", "type": "Boolean", "required": false, "default": null, "secret": false },
            ],
        } } })
    );

    let plain = RouterConfig::from_yaml("playground: { enabled: true }", Path::new("/")).unwrap();
    assert_eq!(
        serde_json::to_value(plain.playground.settings().unwrap()).unwrap(),
        serde_json::json!({ "auth": { "sign_in": null } })
    );
}

#[test]
fn a_bad_playground_sign_in_is_a_config_error_that_says_what_is_wrong() {
    let refused = |operation: &str, token_path: &str, variables: &str| {
        let yaml = format!(
            "playground:\n  auth:\n    sign_in:\n      operation: {operation:?}\n      \
             token_path: {token_path:?}\n      variables: {variables}\n"
        );
        let config = RouterConfig::from_yaml(&yaml, Path::new("/")).unwrap();
        let error = config.check().unwrap_err().to_string();
        assert!(error.contains("playground.auth.sign_in"), "{error}");
        error
    };
    let ok = "mutation($e: String!) { signIn(email: $e) { token } }";
    for (operation, token_path, variables, expected) in [
        ("mutation { signIn(", "signIn.token", "{}", "does not parse"),
        ("", "signIn.token", "{}", "does not parse"),
        (
            "fragment F on Query { a }",
            "a",
            "{}",
            "must be used in an operation",
        ),
        ("type Query { a: Int }", "a", "{}", "not a valid operation"),
        (
            "mutation($e: String!) { signIn { token } }",
            "signIn.token",
            "{}",
            "not a valid operation",
        ),
        (
            "query A { a } query B { b }",
            "a",
            "{}",
            "exactly one operation",
        ),
        (
            "subscription { tokens { token } }",
            "tokens.token",
            "{}",
            "not a subscription",
        ),
        (ok, "signIn.jwt", "{}", "selects no `jwt`"),
        (ok, "signIn", "{}", "ends at `signIn`"),
        (ok, "signIn.token.value", "{}", "goes past `token`"),
        (ok, "signIn..token", "{}", "joined by dots"),
        (ok, "", "{}", "joined by dots"),
        (
            ok,
            "signIn.token",
            "{ password: { secret: true } }",
            "$password",
        ),
    ] {
        let error = refused(operation, token_path, variables);
        assert!(
            error.contains(expected),
            "{operation} / {token_path}: {error}"
        );
        assert!(!error.contains('\n'), "one line: {error}");
    }
    // Typos in the section are refused when the file is read.
    for typo in [
        "playground: { auth: { signin: {} } }",
        "playground: { auth: { sign_in: { operation: 'mutation { a }', token_path: a, hnt: x } } }",
        "playground: { auth: { sign_in: { operation: 'mutation { a }' } } }",
        "playground: { auth: { sign_in: { operation: 'mutation { a }', token_path: a, variables: { a: { hidden: true } } } } }",
    ] {
        assert!(
            RouterConfig::from_yaml(typo, Path::new("/")).is_err(),
            "{typo}"
        );
    }
}

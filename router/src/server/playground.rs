//! The playground page served when `playground.enabled` is set.
//!
//! The built-in page is self-contained (no CDN: it works offline): an editor for
//! the operation and variables that POSTs to `/graphql` and shows the answer.
//! Embedders can replace it with a full GraphiQL build through
//! `Router::with_playground_html`.

pub const BUILT_IN_PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Switchyard playground</title>
<style>
body { font-family: system-ui, sans-serif; margin: 0; display: grid; grid-template-columns: 1fr 1fr; height: 100vh; }
textarea, pre { font-family: ui-monospace, monospace; font-size: 14px; box-sizing: border-box; width: 100%; margin: 0; padding: 8px; border: 1px solid #ccc; }
#left { display: grid; grid-template-rows: auto 3fr 1fr; gap: 4px; padding: 8px; }
#right { padding: 8px; overflow: auto; }
button { padding: 6px 16px; }
</style>
</head>
<body>
<div id="left">
  <div><button id="run">Run</button> <label><input type="checkbox" id="plan"> show query plan</label></div>
  <textarea id="query" spellcheck="false">{
  __typename
}</textarea>
  <textarea id="variables" spellcheck="false">{}</textarea>
</div>
<div id="right"><pre id="result"></pre></div>
<script>
document.getElementById('run').onclick = async () => {
  const out = document.getElementById('result');
  let variables;
  try { variables = JSON.parse(document.getElementById('variables').value || '{}'); }
  catch (e) { out.textContent = 'Variables are not valid JSON: ' + e; return; }
  const headers = { 'content-type': 'application/json', 'accept': 'application/graphql-response+json, application/json;q=0.9' };
  if (document.getElementById('plan').checked) headers['x-switchyard-plan'] = 'true';
  try {
    const response = await fetch(window.location.pathname === '/' ? '/graphql' : window.location.pathname, {
      method: 'POST', headers, body: JSON.stringify({ query: document.getElementById('query').value, variables }) });
    const body = await response.json();
    out.textContent = 'HTTP ' + response.status + '\n' + JSON.stringify(body, null, 2);
  } catch (e) { out.textContent = String(e); }
};
</script>
</body>
</html>
"#;

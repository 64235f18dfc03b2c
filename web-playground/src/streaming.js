// Streamed answers for GraphiQL: a subscription over Server-Sent Events, and an
// operation with `@defer` as multipart incremental delivery. Each returns an
// async iterator of results, which GraphiQL shows as they come (replacing the
// previous event of a subscription, merging `incremental` parts of `@defer`).
// No package imports: the parsers are tested under plain `node --test`.
/** Reads `response`'s body as text chunks until it ends or `signal` aborts. */
async function* chunks(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      yield decoder.decode(value, { stream: true });
    }
  } finally {
    reader.releaseLock();
  }
}

/**
 * The `next` events of a graphql-sse stream, as results; ends at `complete`.
 * An answer that is not an event stream (a refusal) is yielded as one result.
 */
export async function* sseResults(response) {
  if (!(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    yield await response.json();
    return;
  }
  let buffer = '';
  for await (const chunk of chunks(response)) {
    buffer += chunk.replace(/\r\n/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (event === 'complete') return;
      if (event === 'next' && data.length) yield JSON.parse(data.join('\n'));
    }
  }
}

/**
 * The JSON parts of a `multipart/mixed` answer (incremental delivery), as
 * results; a plain JSON answer (no `@defer` active) is yielded as one result.
 */
export async function* multipartResults(response) {
  const type = response.headers.get('content-type') ?? '';
  const boundary = /boundary="?([^";]+)"?/.exec(type)?.[1];
  if (!type.startsWith('multipart/mixed') || !boundary) {
    yield await response.json();
    return;
  }
  const delimiter = `\r\n--${boundary}`;
  let buffer = '';
  for await (const chunk of chunks(response)) {
    buffer += chunk;
    for (;;) {
      const start = buffer.indexOf(delimiter);
      if (start < 0) break;
      const next = buffer.indexOf(delimiter, start + delimiter.length);
      if (next < 0) break;
      const part = buffer.slice(start + delimiter.length, next);
      buffer = buffer.slice(next);
      const body = part.indexOf('\r\n\r\n');
      if (body >= 0) {
        const json = part.slice(body + 4).trim();
        if (json) yield JSON.parse(json);
      }
    }
    if (buffer.startsWith(`${delimiter}--`)) return;
  }
}

// Unit tests of the playground's stream readers (no browser): run with
// `node --test web-playground/e2e/streaming.test.mjs` (cargo test runs it too).
import test from 'node:test';
import assert from 'node:assert/strict';
import { multipartResults, sseResults } from '../src/streaming.js';

/** A response whose body arrives in these chunks. */
function response(type, chunks) {
  const encoder = new TextEncoder();
  const body = new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
  return new Response(body, { headers: { 'content-type': type } });
}

async function all(iterator) {
  const out = [];
  for await (const item of iterator) out.push(item);
  return out;
}

test('SSE: next events in order, split anywhere, heartbeats skipped, up to complete', async () => {
  const stream = response('text/event-stream', [
    ':\n\nevent: next\ndata: {"data":{"n":1}}\n',
    '\nevent: ne',
    'xt\r\ndata: {"data":{"n":2}}\r\n\r\n',
    'event: complete\ndata:\n\nevent: next\ndata: {"data":{"n":3}}\n\n',
  ]);
  assert.deepEqual(await all(sseResults(stream)), [{ data: { n: 1 } }, { data: { n: 2 } }]);
});

test('SSE: a refusal answered as JSON is one result', async () => {
  const refusal = response('application/json', ['{"errors":[{"message":"no"}]}']);
  assert.deepEqual(await all(sseResults(refusal)), [{ errors: [{ message: 'no' }] }]);
});

test('multipart: every part, split anywhere, until the closing delimiter', async () => {
  const part = (json) => `\r\n---\r\ncontent-type: application/json; charset=utf-8\r\n\r\n${json}`;
  const body = part('{"data":{"a":1},"hasNext":true}') + part('{"incremental":[{"data":{"b":2},"path":[]}],"hasNext":false}') + '\r\n-----\r\n';
  const stream = response('multipart/mixed;boundary="-";deferSpec=20220824', [body.slice(0, 30), body.slice(30, 77), body.slice(77)]);
  assert.deepEqual(await all(multipartResults(stream)), [
    { data: { a: 1 }, hasNext: true },
    { incremental: [{ data: { b: 2 }, path: [] }], hasNext: false },
  ]);
});

test('multipart: a plain JSON answer is one result', async () => {
  const plain = response('application/json', ['{"data":{"a":1}}']);
  assert.deepEqual(await all(multipartResults(plain)), [{ data: { a: 1 } }]);
});

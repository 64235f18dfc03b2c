// Unit tests of the authorization panel's pure parts (no browser): run with
// `node --test web-playground/e2e/auth.test.mjs` (cargo test runs it too).
import test from 'node:test';
import assert from 'node:assert/strict';
import { headersSignedOut, headersWithToken, formVariables, tokenAt, variableValue } from '../src/auth.js';

test('the token replaces any Authorization header and keeps the others', () => {
  const before = JSON.stringify({ 'x-tenant': 'a', authorization: 'Bearer old', AUTHORIZATION: 'x' });
  assert.deepEqual(JSON.parse(headersWithToken(before, ' new-token ')), { 'x-tenant': 'a', Authorization: 'Bearer new-token' });
  assert.deepEqual(JSON.parse(headersWithToken('', 'Bearer pasted')), { Authorization: 'Bearer pasted' }, 'not Bearer Bearer');
  assert.deepEqual(JSON.parse(headersWithToken('{ not json', 't')), { Authorization: 'Bearer t' });
  assert.deepEqual(JSON.parse(headersWithToken('[1]', 't')), { Authorization: 'Bearer t' });
  assert.throws(() => headersWithToken('{}', '  '), /empty/);
  assert.deepEqual(JSON.parse(headersSignedOut(before)), { 'x-tenant': 'a' });
});

test('the token is read at its path, or the answer says why not', () => {
  const answer = { data: { session: { credentials: { accessToken: 'tok' } } } };
  assert.equal(tokenAt(answer, ['session', 'credentials', 'accessToken']), 'tok');
  const refused = tokenAt({ data: { session: null }, errors: [{ message: 'wrong password' }] }, ['session', 'token']);
  assert.ok(refused instanceof Error);
  assert.equal(refused.message, 'wrong password');
  assert.match(tokenAt({ data: {} }, ['session', 'token']).message, /data\.session is missing/);
  assert.match(tokenAt({ data: { t: 3 } }, ['t']).message, /data\.t is not a string/);
  assert.match(tokenAt(null, ['t']).message, /data\.t is missing/);
});

test('typed text becomes a value of the variable type', () => {
  assert.equal(variableValue('e', 'String!', 'a@b.c'), 'a@b.c');
  assert.equal(variableValue('e', 'String!', ' spaced '), ' spaced ', 'passwords are kept as typed');
  assert.equal(variableValue('n', 'Int', '42'), 42);
  assert.equal(variableValue('n', 'Float!', '1.5'), 1.5);
  assert.throws(() => variableValue('n', 'Int', '1.5'), /\$n must be a whole number/);
  assert.throws(() => variableValue('n', 'Int', 'x'), /whole number/);
  assert.equal(variableValue('r', 'Boolean', 'true'), true);
  assert.throws(() => variableValue('r', 'Boolean', 'yes'), /true or false/);
  assert.deepEqual(variableValue('ids', '[ID!]!', '["a"]'), ['a']);
  assert.throws(() => variableValue('ids', '[ID!]', 'a'), /JSON list/);
  assert.deepEqual(variableValue('input', 'SignInInput!', '{"email":"a"}'), { email: 'a' });
  assert.equal(variableValue('role', 'Role', 'ADMIN'), 'ADMIN');
  assert.equal(variableValue('e', 'String', ''), undefined);
});

test('the variables of a sign-in leave out empty optional ones and refuse empty required ones', () => {
  const variables = [
    { name: 'email', type: 'String!', required: true },
    { name: 'remember', type: 'Boolean', required: false },
    { name: 'days', type: 'Int', required: false },
  ];
  assert.deepEqual(formVariables(variables, { email: 'a@b.c', remember: '', days: '7' }), { email: 'a@b.c', days: 7 });
  assert.throws(() => formVariables(variables, { email: '' }), /\$email is required/);
});

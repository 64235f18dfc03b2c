// The authorization panel's pure parts (no React, no browser; unit-tested by
// e2e/auth.test.mjs): editing the Authorization header in the headers editor's
// JSON text, reading the token out of a sign-in answer, and turning what a
// person typed into a variable's value. The token is never logged or stored
// anywhere but the headers editor's text.

/** The headers editor's object without any `Authorization` header (unparseable text gives {}). */
export function headersWithoutAuthorization(headersText) {
  let headers = {};
  try {
    const parsed = JSON.parse(headersText || '{}');
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) headers = parsed;
  } catch {
    // Unparseable headers are replaced rather than sent broken.
  }
  for (const name of Object.keys(headers)) {
    if (name.toLowerCase() === 'authorization') delete headers[name];
  }
  return headers;
}

/**
 * The headers editor's text with `Authorization: Bearer <token>` (replacing any
 * previous one, keeping the other headers). A pasted `Bearer …` is not doubled.
 */
export function headersWithToken(headersText, token) {
  const bare = token.trim().replace(/^bearer\s+/i, '');
  if (!bare) throw new Error('the token is empty');
  return JSON.stringify({ ...headersWithoutAuthorization(headersText), Authorization: `Bearer ${bare}` }, null, 2);
}

/** The headers editor's text without the Authorization header. */
export function headersSignedOut(headersText) {
  return JSON.stringify(headersWithoutAuthorization(headersText), null, 2);
}

/**
 * The token at `path` (response keys) in a GraphQL answer, or an Error saying
 * why there is none: the answer's errors, or where the path ended.
 */
export function tokenAt(answer, path) {
  const errors = (answer?.errors ?? []).map((e) => e?.message).filter(Boolean);
  let value = answer?.data;
  for (const [i, key] of path.entries()) {
    if (value === null || typeof value !== 'object' || !(key in value) || value[key] === null) {
      const at = ['data', ...path.slice(0, i + 1)].join('.');
      return new Error(errors.length ? errors.join('; ') : `no token in the answer: ${at} is missing`);
    }
    value = value[key];
  }
  if (typeof value !== 'string' || !value) {
    return new Error(`no token in the answer: data.${path.join('.')} is not a string`);
  }
  return value;
}

/** The named type under list and non-null wrappers (`[ID!]!` gives ID). */
function namedType(type) {
  return type.replace(/[[\]!\s]/g, '');
}

/**
 * The value of a variable of GraphQL `type` from the text of its input:
 * `undefined` (left out of the request) when empty; a number for Int and Float,
 * true/false for Boolean, JSON for lists and for text that reads as a JSON
 * object (an input object), else the text itself (String, ID, enums, custom
 * scalars). Throws with the variable's name when the text cannot be that type.
 */
export function variableValue(name, type, text) {
  if (text === '') return undefined;
  const named = namedType(type);
  const fail = (what) => {
    throw new Error(`$${name} must be ${what}`);
  };
  if (type.trim().replace(/!$/, '').startsWith('[')) {
    try {
      return JSON.parse(text);
    } catch {
      return fail(`a JSON list for ${type}`);
    }
  }
  if (named === 'Int' || named === 'Float') {
    const number = Number(text.trim());
    if (text.trim() === '' || !Number.isFinite(number) || (named === 'Int' && !Number.isInteger(number))) {
      return fail(named === 'Int' ? 'a whole number' : 'a number');
    }
    return number;
  }
  if (named === 'Boolean') {
    if (text.trim() === 'true') return true;
    if (text.trim() === 'false') return false;
    return fail('true or false');
  }
  if (text.trim().startsWith('{')) {
    try {
      return JSON.parse(text);
    } catch {
      // Not JSON: a string that starts with a brace.
    }
  }
  return text;
}

/**
 * The variables of the sign-in operation from the form's texts (`{ name: text }`), or throws
 * naming the first required one left empty or typed wrongly.
 */
export function formVariables(variables, texts) {
  const values = {};
  for (const variable of variables) {
    const value = variableValue(variable.name, variable.type, texts[variable.name] ?? '');
    if (value === undefined) {
      if (variable.required) throw new Error(`$${variable.name} is required`);
      continue;
    }
    values[variable.name] = value;
  }
  return values;
}

// The API as the pages use it: same-origin requests with the session cookie (the browser sends
// it; the page never sees it), the session's CSRF token on every change, JSON errors as ApiError.

let csrfToken = null;
let onSignedOut = () => {};

export function useSession(session, signedOut) {
  csrfToken = session ? session.csrfToken : null;
  if (signedOut) onSignedOut = signedOut;
}

export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.message ? body.message : `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

/**
 * One request. Options: body (sent as JSON), version (If-Match), comment (X-Rollgate-Comment,
 * recorded in the audit trail), signal. Resolves to the parsed answer (null for 204) and its
 * ETag as .etag on objects.
 */
export async function api(method, path, {body, version, comment, signal} = {}) {
  const headers = {'Accept': 'application/json'};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (version !== undefined && version !== null) headers['If-Match'] = `"${version}"`;
  // A header carries ASCII only: other text goes as an RFC 8187 ext-value, which the server decodes.
  if (comment) headers['X-Rollgate-Comment'] = /^[\x20-\x7e]*$/.test(comment) && !/^utf-8''/i.test(comment)
    ? comment : `UTF-8''${encodeURIComponent(comment)}`;
  const response = await fetch(path, {
    method, headers, signal, credentials: 'same-origin', cache: 'no-store',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = response.status === 204 ? '' : await response.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = {status: response.status, code: 'not_json', message: text.slice(0, 200)}; }
  }
  if (!response.ok) {
    if (response.status === 401 && path !== '/api/v1/session') onSignedOut();
    throw new ApiError(response.status, data);
  }
  return data;
}

export const get = (path, options) => api('GET', path, options);

/** Every item of a paginated list. */
export async function all(path, limit = 500) {
  const items = [];
  let cursor = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page = await get(`${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

/** Path segments are encoded where they are put together, so a key cannot change the path. */
export function path(strings, ...values) {
  return strings.reduce((out, s, i) => out + s + (i < values.length ? encodeURIComponent(values[i]) : ''), '');
}

// The dashboard's only way to the cloud: the public APIs on this same origin
// (identity /identity/v3, compute /v2.1, image /image/v2, network
// /network/v2.0), with the user's token in the X-Auth-Token header. The
// session (token, user, project, roles) lives in sessionStorage: gone with
// the tab, never in a URL.

const KEY = 'stratus.session';

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

let session = null;
const expiredListeners = [];

export function getSession() {
  if (session) return session;
  try {
    session = JSON.parse(sessionStorage.getItem(KEY) || 'null');
  } catch {
    session = null;
  }
  return session;
}

function setSession(s) {
  session = s;
  if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
  else sessionStorage.removeItem(KEY);
}

export const isAdmin = () => Boolean(getSession()?.roles?.includes('admin'));

// Called with a message when the API answers 401 to a signed-in session.
export function onExpired(fn) {
  expiredListeners.push(fn);
}

// The message in any of the APIs' error bodies: Nova's {"<kind>": {"message"}},
// Keystone's {"error": {"message"}}, Neutron's {"NeutronError": {"message"}},
// Glance's plain text.
export function errorMessage(status, body) {
  if (body && typeof body === 'object') {
    for (const v of Object.values(body)) {
      if (v && typeof v === 'object' && typeof v.message === 'string') return v.message;
    }
    if (typeof body.message === 'string') return body.message;
  }
  if (typeof body === 'string' && body.trim()) return body.trim().slice(0, 300);
  return `HTTP ${status}`;
}

// One API call. `body` (an object) is sent as JSON; `raw` as it is (uploads).
// Resolves to the parsed JSON (null when there is none); rejects with an
// ApiError carrying the API's own message.
export async function call(method, path, { body, raw, headers = {}, auth = true, onProgress } = {}) {
  const h = { Accept: 'application/json', ...headers };
  const s = getSession();
  if (auth && s) h['X-Auth-Token'] = s.token;
  let payload;
  if (body !== undefined) {
    h['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  } else if (raw !== undefined) {
    payload = raw;
  }
  const res = onProgress ? await xhr(method, path, h, payload, onProgress) : await fetch(path, { method, headers: h, body: payload });
  const text = await res.text();
  let parsed = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  if (!res.ok) {
    if (res.status === 401 && auth && s) {
      setSession(null);
      for (const fn of expiredListeners) fn('Your session has expired or was revoked. Please log in again.');
    }
    throw new ApiError(res.status, errorMessage(res.status, parsed), parsed);
  }
  return { data: parsed, headers: res.headers, status: res.status };
}

// fetch() cannot report upload progress: XMLHttpRequest can. Returns a
// Response-like object.
function xhr(method, path, headers, payload, onProgress) {
  return new Promise((resolve, reject) => {
    const r = new XMLHttpRequest();
    r.open(method, path);
    for (const [k, v] of Object.entries(headers)) r.setRequestHeader(k, v);
    r.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded, e.total);
    r.onerror = () => reject(new ApiError(0, 'The connection to the API failed.', null));
    r.onload = () => resolve({
      ok: r.status >= 200 && r.status < 300,
      status: r.status,
      text: async () => r.responseText,
      headers: { get: (n) => r.getResponseHeader(n) },
    });
    r.send(payload);
  });
}

export const get = async (path) => (await call('GET', path)).data;
export const post = async (path, body) => (await call('POST', path, { body })).data;
export const put = async (path, body) => (await call('PUT', path, { body })).data;
export const del = async (path) => (await call('DELETE', path)).data;

// Keystone v3 password authentication scoped to a project by name
// (domain "Default"), or re-scoping the current token to another project.
async function issue(identity, project) {
  const scope = project.id ? { project: { id: project.id } } : { project: { name: project.name, domain: { name: 'Default' } } };
  const res = await call('POST', '/identity/v3/auth/tokens', { body: { auth: { identity, scope } }, auth: false });
  const t = res.data.token;
  setSession({
    token: res.headers.get('X-Subject-Token'),
    expires: t.expires_at,
    user: { id: t.user.id, name: t.user.name },
    project: { id: t.project.id, name: t.project.name },
    roles: (t.roles || []).map((r) => r.name),
  });
  return getSession();
}

export function login(username, password, projectName) {
  return issue({ methods: ['password'], password: { user: { name: username, domain: { name: 'Default' }, password } } },
    { name: projectName });
}

export async function switchProject(projectId) {
  const s = getSession();
  return issue({ methods: ['token'], token: { id: s.token } }, { id: projectId });
}

export async function logout() {
  const s = getSession();
  setSession(null);
  if (!s) return;
  try {
    await fetch('/identity/v3/auth/tokens', { method: 'DELETE', headers: { 'X-Auth-Token': s.token, 'X-Subject-Token': s.token } });
  } catch {
    // the token dies with its expiry anyway
  }
}

// Small caches of what changes rarely (flavors and images for the table's names).
const caches = new Map();
export async function cached(key, loader, ttlMs = 30000) {
  const hit = caches.get(key);
  if (hit && Date.now() - hit.at < ttlMs) return hit.value;
  const value = await loader();
  caches.set(key, { at: Date.now(), value });
  return value;
}
export const invalidate = (key) => caches.delete(key);

// The dashboard's entry point: the header, the router (history API, one
// URL per page: /dashboard/instances/filter/<vm_state> and so on) and the
// session's life (login, switch project, logout, expiry).
import * as api from './api.js';
import { h, clear, notify } from './ui.js';
import * as login from './views/login.js';
import * as instances from './views/instances.js';
import * as detail from './views/instance_detail.js';
import * as launch from './views/launch.js';
import * as images from './views/images.js';
import * as keypairs from './views/keypairs.js';
import * as networks from './views/networks.js';
import * as admin from './views/admin.js';

export const BASE = '/dashboard';

const ROUTES = [
  [/^\/login$/, login.render, { public: true }],
  [/^\/instances$/, (m) => instances.render(m, {})],
  [/^\/instances\/filter\/([a-z_]+)$/, (m, [state]) => instances.render(m, { state })],
  [/^\/instances\/([0-9a-fA-F-]{8,})$/, (m, [id]) => detail.render(m, { id })],
  [/^\/launch$/, launch.render],
  [/^\/images$/, images.render],
  [/^\/keypairs$/, keypairs.render],
  [/^\/networks$/, networks.render],
  [/^\/hypervisors$/, admin.renderHypervisors, { admin: true }],
  [/^\/services$/, admin.renderServices, { admin: true }],
];

let cleanup = null;
let pendingMessage = null;

export function navigate(path, { replace = false } = {}) {
  const url = BASE + path;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  return route();
}

async function route() {
  if (cleanup) {
    cleanup();
    cleanup = null;
  }
  let path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : '/';
  path = path.replace(/\/+$/, '') || '/';
  const session = api.getSession();
  if (path === '/') return navigate(session ? '/instances' : '/login', { replace: true });
  const found = ROUTES.map(([re, fn, opts]) => [path.match(re), fn, opts || {}]).find(([m]) => m);
  const main = document.getElementById('main');
  renderHeader(path);
  if (!found) {
    clear(main, h('h1', 'Not found'), h('p', 'No page at ', h('code', location.pathname), '. ',
      h('a', { href: `${BASE}/instances` }, 'Back to the instances.')));
    return;
  }
  const [match, render, opts] = found;
  if (!opts.public && !session) return navigate('/login', { replace: true });
  if (opts.admin && !api.isAdmin()) {
    clear(main, h('h1', 'Not allowed'), h('p', 'This page is for administrators.'));
    return;
  }
  clear(main);
  try {
    const result = await render(main, match.slice(1), { message: pendingMessage });
    pendingMessage = null;
    if (typeof result === 'function') cleanup = result;
  } catch (e) {
    if (e instanceof api.ApiError && e.status === 401) return;  // onExpired took over
    console.error(e);
    main.append(h('div.message.error', { role: 'alert' }, `Could not load this page: ${e.message}`));
  }
}

function renderHeader(path) {
  const top = document.getElementById('top');
  const s = api.getSession();
  if (!s || path === '/login') {
    clear(top, h('a.brand', { href: `${BASE}/` }, h('img', { src: `${BASE}/img/logo.svg`, alt: '' }), 'Stratus'));
    return;
  }
  const link = (to, text) => h('a', { href: BASE + to, 'aria-current': path.startsWith(to) ? 'page' : null }, text);
  const projectSelect = h('select#project-switch', { 'aria-label': 'Project', onchange: async (e) => {
    try {
      await api.switchProject(e.target.value);
      notify(`Switched to project ${api.getSession().project.name}.`, 'success');
      navigate('/instances');
    } catch (err) {
      notify(`Could not switch project: ${err.message}`, 'error');
    }
  } }, h('option', { value: s.project.id, selected: true }, s.project.name));
  api.get('/identity/v3/auth/projects').then((d) => {
    for (const p of d.projects || []) {
      if (p.id !== s.project.id) projectSelect.append(h('option', { value: p.id }, p.name));
    }
  }).catch(() => {});
  clear(top,
    h('a.brand', { href: `${BASE}/instances` }, h('img', { src: `${BASE}/img/logo.svg`, alt: '' }), 'Stratus'),
    h('nav', { 'aria-label': 'Main' },
      link('/instances', 'Instances'), link('/launch', 'Launch'), link('/images', 'Images'),
      link('/keypairs', 'Key pairs'), link('/networks', 'Networks'),
      api.isAdmin() ? [link('/hypervisors', 'Hypervisors'), link('/services', 'Services')] : null),
    h('div.session',
      h('span.user', { title: `roles: ${s.roles.join(', ')}` }, s.user.name), projectSelect,
      h('button#logout', { type: 'button', onclick: async () => {
        await api.logout();
        pendingMessage = 'You have logged out.';
        navigate('/login');
      } }, 'Log out')));
}

api.onExpired((message) => {
  pendingMessage = message;
  navigate('/login', { replace: true });
});

// Links inside the app change the page without a reload.
document.addEventListener('click', (e) => {
  const a = e.target.closest('a[href]');
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || a.target || a.download) return;
  const href = a.getAttribute('href');
  if (!href.startsWith(`${BASE}/`) && href !== BASE) return;
  e.preventDefault();
  navigate(href.slice(BASE.length) || '/');
});
window.addEventListener('popstate', route);
route();

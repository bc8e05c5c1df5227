// The dashboard shell: sign-in, the pages this principal may see, and hash routing between them.
import { ApiError, api, h, timing, token } from './lib.js';
import { disposeCharts } from './charts.js';
import { modelsPage, overviewPage, scansPage } from './pages-registry.js';
import { privacyPage, robustnessPage } from './pages-evidence.js';
import { auditPage, gatewayPage, guardPage } from './pages-ops.js';

const PAGES = {
  overview: ['Overview', overviewPage],
  models: ['Models', modelsPage],
  scans: ['Scans', scansPage],
  robustness: ['Robustness', robustnessPage],
  privacy: ['Privacy', privacyPage],
  gateway: ['Gateway', gatewayPage],
  guard: ['Guard', guardPage],
  audit: ['Audit', auditPage],
};

const $ = (id) => document.getElementById(id);
let session = null;

function showLogin(message = '') {
  session = null;
  $('login').hidden = false;
  $('page').replaceChildren();
  $('nav').replaceChildren();
  $('who').replaceChildren();
  $('login-error').textContent = message;
  document.body.dataset.state = 'login';
}

function renderNav() {
  // pages this principal may open are linked; the others are not offered (the API refuses them anyway)
  $('nav').replaceChildren(
    ...session.pages.map((p) => h('a', { href: `#/${p}`, 'data-page': p }, PAGES[p]?.[0] ?? p)),
  );
  $('who').replaceChildren(
    h(
      'span',
      { 'data-principal': session.principal.id },
      `${session.principal.id} (${session.principal.roles.join(', ')})`,
    ),
    h('button', { class: 'secondary', type: 'button', id: 'logout', onclick: logout }, 'Sign out'),
  );
}

function logout() {
  token.clear();
  location.hash = '#/overview';
  showLogin();
}

async function route() {
  if (!session) return;
  const [name, query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const page = PAGES[name] ? name : 'overview';
  for (const a of $('nav').querySelectorAll('a'))
    if (a.dataset.page === page) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  $('nav').classList.remove('open');
  disposeCharts();
  const root = h('div', { 'data-view': page, 'data-state': 'loading' }, h('h1', {}, PAGES[page][0]));
  $('page').replaceChildren(root);
  document.body.dataset.state = 'loading';
  try {
    const t0 = performance.now();
    await PAGES[page][1](root, { session, params: new URLSearchParams(query) });
    // how long the page took, and how much of it was waiting for its data
    root.dataset.ms = (performance.now() - t0).toFixed(1);
    root.dataset.fetchMs = timing.fetchMs.toFixed(1);
    root.dataset.state = 'ready';
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return showLogin(e.message);
    root.dataset.state = e instanceof ApiError && e.status === 403 ? 'refused' : 'error';
    root.append(
      h(
        'div',
        { class: 'card refused', role: 'alert', 'data-error': e.code ?? 'ERROR' },
        h('strong', {}, e.status ? `${e.status} ` : ''),
        e.message,
      ),
    );
  }
  document.body.dataset.state = root.dataset.state;
}

async function start() {
  if (!token.get()) return showLogin();
  try {
    session = await api('/session');
  } catch (e) {
    token.clear();
    return showLogin(e.message);
  }
  $('login').hidden = true;
  renderNav();
  await route();
}

$('login-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  token.set($('token').value.trim());
  $('token').value = '';
  void start();
});
$('menu').addEventListener('click', () => {
  const open = $('nav').classList.toggle('open');
  $('menu').setAttribute('aria-expanded', String(open));
});
window.addEventListener('hashchange', () => void route());
window.addEventListener('DOMContentLoaded', () => void start());

// The dashboard: a hash router over the pages, behind sign-in.
import './style.css';
import { session } from './api.ts';
import { h } from './dom.ts';
import { showProject } from './project.ts';
import { showWorkers } from './worker-status.ts';
import { currentRole, mayDo } from './role.ts';
import { comparePage } from './pages/compare.ts';
import { datasetsPage } from './pages/datasets.ts';
import { newPage } from './pages/new.ts';
import { schedulesPage } from './pages/schedules.ts';
import { signInPage } from './pages/sign-in.ts';
import { simulationPage } from './pages/simulation.ts';
import { simulationsPage } from './pages/simulations.ts';
import { sweepPage } from './pages/sweep.ts';
import { sweepsPage } from './pages/sweeps.ts';

type Cleanup = (() => void) | void;

const app = document.getElementById('app')!;
const main = h('main#page');
const nav = h('nav.topbar', {},
  h('a.brand', { href: '#/simulations' }, 'mfsim'),
  ...[['#/simulations', 'Simulations'], ['#/compare', 'Compare'], ['#/sweeps', 'Sweeps'], ['#/schedules', 'Schedules'], ['#/datasets', 'Datasets'], ['#/new', 'New']].map(([href, text]) =>
    h('a.nav-link', { href, 'data-nav': href.slice(2) }, text)),
  h('span.spacer'),
  h('span#workers'),
  h('span#project'),
  h('button.link', { onclick: () => { session.signOut(); go('#/signin'); } }, 'Sign out'),
);
showWorkers(nav.querySelector<HTMLElement>('#workers')!);
let cleanup: Cleanup;

function go(hash: string) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function route() {
  if (typeof cleanup === 'function') cleanup();
  cleanup = undefined;
  const [path, search = ''] = location.hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(search);
  const parts = path.split('/').filter(Boolean);
  if (!session.signedIn() || parts[0] === 'signin') {
    app.replaceChildren(main);
    signInPage(main, go);
    return;
  }
  app.replaceChildren(nav, main);
  void showProject(nav.querySelector<HTMLElement>('#project')!, route);
  // A read-only key is not offered the submit form.
  void currentRole().then((r) => { nav.querySelector<HTMLElement>('[data-nav="new"]')!.hidden = !mayDo(r, 'submit'); });
  nav.querySelectorAll<HTMLElement>('.nav-link').forEach((a) => a.classList.toggle('active', a.dataset.nav === parts[0]));
  window.scrollTo(0, 0);
  switch (parts[0]) {
    case 'simulations':
      cleanup = parts[1] ? simulationPage(main, parts[1]) : simulationsPage(main, params, go);
      break;
    case 'sweeps':
      cleanup = parts[1] ? sweepPage(main, parts[1]) : sweepsPage(main, params);
      break;
    case 'compare':
      cleanup = comparePage(main, params, go);
      break;
    case 'datasets':
      cleanup = datasetsPage(main);
      break;
    case 'schedules':
      cleanup = schedulesPage(main);
      break;
    case 'new':
      cleanup = newPage(main, params, go);
      break;
    default:
      go('#/simulations');
  }
}

window.addEventListener('hashchange', route);
window.addEventListener('mfsim:unauthorized', () => {
  session.signOut();
  go('#/signin');
});
route();

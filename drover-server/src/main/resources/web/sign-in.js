// Sign-in: an API key typed once (sent in a POST body, never stored by the page), or the token of a one-time link
// (in the URL's fragment, which is dropped from the address bar and history before it is used).
import { signIn } from './api.js';
import { el, page, field, showError } from './ui.js';

function next() {
  const n = new URLSearchParams(location.search).get('next');
  // only a path on this site: ?next=https://evil.example must not turn sign-in into an open redirect
  return n && n.startsWith('/') && !n.startsWith('//') && !n.startsWith('/\\') ? n : '/runs';
}

export async function signInPage(session) {
  const token = location.hash.length > 1 ? location.hash.slice(1) : null;
  if (token) history.replaceState(null, '', location.pathname + location.search);
  const key = el('input', { name: 'api_key', type: 'password', autocomplete: 'off', required: true,
    spellcheck: 'false', placeholder: 'drv_…' });
  const form = el('form', { class: 'card narrow', id: 'sign-in-form' },
    field('API key', key, 'Exchanged for a session cookie; the key is not kept by this page.'),
    el('button', { type: 'submit', class: 'primary' }, 'Sign in'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await signIn({ api_key: key.value });
      key.value = '';
      location.assign(next());
    } catch (err) {
      showError(form, err);
    }
  });
  page('Sign in to Drover', session ? el('p', {}, 'You are signed in. ', el('a', { href: '/runs' }, 'Go to the runs.')) : null,
    form, el('p', { class: 'muted' }, 'No key at hand? Run ', el('code', {}, 'drover keys login --user you@example.com'),
      ' on the server for a one-time sign-in link.'));
  if (token) {
    try {
      await signIn({ token });
      location.replace(next());
    } catch (err) {
      showError(form, err);
    }
  } else {
    key.focus();
  }
}

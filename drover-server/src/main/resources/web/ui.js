// DOM helpers. Every string from the API becomes a text node (textContent), never markup: agents write titles,
// messages and artifacts, and their text is hostile.
import { ApiError } from './api.js';

/** el('a', {href: '/x', class: 'b'}, 'text', childNode, …): attributes set one by one, children as text or nodes. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else if (k === 'class') node.className = v;
    else if (v === true) node.setAttribute(k, '');
    else node.setAttribute(k, String(v));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

/** A link only to http(s) or same-site URLs: a javascript: URL from an agent must not become clickable. */
export function safeHref(url) {
  try {
    const u = new URL(String(url), location.origin);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch (_) {
    return null;
  }
}

export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

export function timeEl(iso) {
  return el('time', { datetime: iso || '' }, when(iso));
}

export const TERMINAL = ['SUCCEEDED', 'FAILED', 'BLOCKED', 'ERROR', 'CANCELLED'];

export function stateBadge(state) {
  return el('span', { class: 'state state-' + String(state || '').toLowerCase(), 'data-state': state }, state || '?');
}

export function page(title, ...children) {
  document.title = title + ' · Drover';
  const main = document.getElementById('main');
  clear(main, el('h1', {}, title), ...children);
  return main;
}

/** Shows an error: a field error next to its input when the form has one of that name, else at the form's top. */
export function showError(container, err) {
  container.querySelectorAll('.field-error').forEach((n) => n.remove());
  container.querySelectorAll('[aria-invalid]').forEach((n) => n.removeAttribute('aria-invalid'));
  const message = err instanceof ApiError ? err.message : String(err && err.message ? err.message : err);
  // "config.model_id" → the input named model_id (or config); "github_repos[0].owner" → github_repos
  const parts = err instanceof ApiError && err.field ? err.field.replace(/\[[^\]]*\]/g, '').split('.').reverse() : [];
  let input = null;
  for (const name of parts) {
    input = input || container.querySelector(`[name="${CSS.escape(name)}"]`);
  }
  const note = el('p', { class: 'field-error', role: 'alert' }, message);
  if (input) {
    input.setAttribute('aria-invalid', 'true');
    input.insertAdjacentElement('afterend', note);
    input.focus();
  } else {
    container.prepend(note);
  }
}

export function field(label, input, hint) {
  const id = input.id || ('f-' + (input.name || Math.random().toString(36).slice(2)));
  input.id = id;
  return el('div', { class: 'field' }, el('label', { for: id }, label), input, hint ? el('small', { class: 'muted' }, hint) : null);
}

export function button(label, onclick, attrs = {}) {
  return el('button', { type: 'button', onclick, ...attrs }, label);
}

/** Runs an action from a button, disabling it meanwhile and showing a failure in `errors`. */
export async function act(btn, errors, fn) {
  btn.disabled = true;
  try {
    await fn();
  } catch (e) {
    showError(errors, e);
  } finally {
    btn.disabled = false;
  }
}

export function money(v) {
  return v === undefined || v === null ? '—' : '$' + Number(v).toFixed(4);
}

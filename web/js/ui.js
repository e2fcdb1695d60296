// Small DOM helpers: element building (never innerHTML with data), modal
// dialogs (<dialog>: Escape closes, focus stays inside), page messages.

// h('button#id.primary.big', {onclick, type: 'button'}, 'Text', child...)
export function h(tag, attrs = {}, ...children) {
  const name = /^[a-z0-9]*/.exec(tag)[0];
  const el = document.createElement(name || 'div');
  for (const [, kind, value] of tag.slice(name.length).matchAll(/([#.])([^#.]+)/g)) {
    if (kind === '#') el.id = value;
    else el.classList.add(value);
  }
  if (attrs === null || typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs)) {
    children.unshift(attrs);
    attrs = {};
  }
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = Boolean(v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// A labelled field with its own message slot (for validation errors).
export function field(label, input, hint) {
  const id = input.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  input.id = id;
  const msg = h('div.field-error', { id: `${id}-error`, role: 'alert' });
  input.setAttribute('aria-describedby', `${id}-error`);
  return h('div.field', h('label', { for: id }, label), input, hint ? h('div.hint', hint) : null, msg);
}

// Shows `text` in the field's message slot (empty: clears); returns !text.
export function fieldError(input, text) {
  const slot = document.getElementById(`${input.id}-error`);
  if (slot) slot.textContent = text || '';
  input.classList.toggle('invalid', Boolean(text));
  if (text) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
  return !text;
}

// A modal dialog. `build(close)` returns its body; buttons come with it.
// Resolves with what close() is given (undefined on Escape / Cancel).
export function dialog(title, build, { wide = false } = {}) {
  return new Promise((resolve) => {
    const d = h(`dialog.modal${wide ? '.wide' : ''}`, { 'aria-label': title });
    let done = false;
    const close = (value) => {
      if (done) return;
      done = true;
      d.close();
      d.remove();
      resolve(value);
    };
    d.addEventListener('cancel', (e) => {
      e.preventDefault();
      close(undefined);
    });
    d.append(h('h2', title), build(close));
    document.body.append(d);
    d.showModal();
    const first = d.querySelector('[autofocus], input, select, textarea, button.primary, button');
    if (first) first.focus();
  });
}

export function confirmDialog(title, text, okLabel = 'Confirm', danger = true) {
  return dialog(title, (close) => h('form', { method: 'dialog', onsubmit: (e) => { e.preventDefault(); close(true); } },
    h('p', text),
    h('div.buttons',
      h('button', { type: 'button', onclick: () => close(false) }, 'Cancel'),
      h(`button.primary${danger ? '.danger' : ''}`, { type: 'submit', autofocus: true }, okLabel))));
}

// Page-level messages (success / error), announced to screen readers.
export function notify(text, kind = 'info') {
  const box = document.getElementById('messages');
  if (!box) return;
  const m = h(`div.message.${kind}`, { role: kind === 'error' ? 'alert' : 'status' }, h('span', text),
    h('button.close', { type: 'button', 'aria-label': 'Dismiss', onclick: () => m.remove() }, '×'));
  box.append(m);
  if (kind !== 'error') setTimeout(() => m.remove(), 6000);
  while (box.children.length > 5) box.firstChild.remove();
}

export function age(iso) {
  if (!iso) return '';
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (s < 60) return `${Math.floor(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

export function bytes(n) {
  if (n === null || n === undefined) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = Number(n);
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i += 1; }
  return `${i ? v.toFixed(1) : v} ${units[i]}`;
}

// The IP addresses of a server's "addresses" map, as one line.
export function addresses(server) {
  const out = [];
  for (const [net, list] of Object.entries(server.addresses || {})) {
    for (const a of list) out.push(`${a.addr} (${net})`);
  }
  return out.join(', ');
}

export const escapeRegex = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

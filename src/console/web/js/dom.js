// dom.js - building the page without a framework: elements (h, svg), number and time formats,
// notices (toast) and modal forms (formDialog, confirmDialog). Text always goes in as text nodes,
// never as markup, so record data and names cannot inject anything.

const SVG_NS = 'http://www.w3.org/2000/svg';

function append(parent, child) {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) child.forEach((c) => append(parent, c));
  else parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
}

function applyProps(el, props) {
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.setAttribute('class', Array.isArray(value) ? value.filter(Boolean)
      .join(' ') : value);
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'value' || key === 'checked' || key === 'disabled') el[key] = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
}

// An HTML element: h('a', {class: 'x', href: '#', onclick: fn}, 'text', child, [more]).
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  applyProps(el, props);
  append(el, children);
  return el;
}

// An SVG element, the same way.
export function svg(tag, props, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  applyProps(el, props);
  append(el, children);
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function replace(el, ...children) {
  clear(el);
  append(el, children);
  return el;
}

// ---- formats -----------------------------------------------------------------------------------

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function fmtBytes(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  let i = 0;
  while (Math.abs(n) >= 1024 && i < UNITS.length - 1) {
    n /= 1024;
    i++;
  }
  return (i === 0 ? String(Math.round(n)) : n.toFixed(n < 10 ? 2 : n < 100 ? 1 : 0)) + ' ' +
    UNITS[i];
}

// 20004 -> "20,004": counts the user compares exactly.
export function fmtCount(n) {
  return n.toLocaleString('en-US');
}

// 1234567 -> "1.23M"; small numbers keep up to two decimals.
export function fmtNumber(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  const a = Math.abs(n);
  if (a >= 1e9) return (n / 1e9).toFixed(2) + 'G';
  if (a >= 1e6) return (n / 1e6).toFixed(2) + 'M';
  if (a >= 1e4) return (n / 1e3).toFixed(1) + 'k';
  if (Number.isInteger(n)) return String(n);
  return n.toFixed(a < 10 ? 2 : 1);
}

export function fmtDuration(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '—';
  if (ms < 1000) return Math.round(ms) + ' ms';
  const s = ms / 1000;
  if (s < 60) return s.toFixed(s < 10 ? 1 : 0) + ' s';
  const two = (big, bigUnit, small, smallUnit) => big + ' ' + bigUnit +
    (small ? ` ${small} ${smallUnit}` : '');
  if (s < 3600) return two(Math.floor(s / 60), 'min', Math.round(s % 60), 's');
  if (s < 86400) return two(Math.floor(s / 3600), 'h', Math.round((s % 3600) / 60), 'min');
  return two(Math.floor(s / 86400), 'd', Math.round((s % 86400) / 3600), 'h');
}

const pad = (n, w = 2) => String(n).padStart(w, '0');

// Local time "2026-12-04 10:02:03.123" (ms shown when asked).
export function fmtTime(t, withMs = false) {
  const d = t instanceof Date ? t : new Date(t);
  if (Number.isNaN(d.getTime())) return '—';
  const base = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return withMs ? base + '.' + pad(d.getMilliseconds(), 3) : base;
}

// The value a datetime-local input takes for a time.
export function localInputValue(t) {
  return fmtTime(t).replace(' ', 'T');
}

// A button that opens a small menu of actions: items [{label, run, disabled, danger}].
export function menuButton(label, items) {
  const menu = h('details', { class: 'picker menu-button' },
    h('summary', { class: 'button small' }, label));
  menu.appendChild(h('div', { class: 'menu' }, items.map((item) => h('button', {
    class: ['menu-item', item.danger && 'danger'], disabled: item.disabled, type: 'button',
    onclick: () => {
      menu.open = false;
      item.run();
    } }, item.label))));
  return menu;
}

// Open menus close when the user clicks elsewhere.
document.addEventListener('click', (e) => {
  for (const open of document.querySelectorAll('details.picker[open]')) {
    if (!open.contains(e.target)) open.open = false;
  }
});

// ---- notices and dialogs -----------------------------------------------------------------------

// A short notice at the corner; kind: 'info' | 'error' | 'ok'.
export function toast(message, kind = 'info') {
  let box = document.getElementById('toasts');
  if (!box) document.body.appendChild(box = h('div', { id: 'toasts', role: 'status' }));
  const note = h('div', { class: ['toast', kind] }, message);
  box.appendChild(note);
  setTimeout(() => note.remove(), kind === 'error' ? 8000 : 4000);
}

function field(f) {
  const id = 'f-' + f.name;
  let input;
  if (f.type === 'select') {
    input = h('select', { id, name: f.name },
      f.options.map((o) => h('option', { value: o.value, selected: o.value === f.value }, o.label)));
  } else if (f.type === 'textarea') {
    input = h('textarea', { id, name: f.name, rows: f.rows || 10, spellcheck: 'false',
      class: 'mono' }, f.value || '');
  } else {
    input = h('input', { id, name: f.name, type: f.type || 'text', value: f.value ?? '',
      min: f.min, max: f.max, step: f.step, placeholder: f.placeholder, required: f.required,
      autocomplete: f.autocomplete || 'off', spellcheck: 'false' });
  }
  return h('label', { class: 'field', for: id }, h('span', { class: 'label' }, f.label), input,
    f.hint ? h('span', { class: 'hint' }, f.hint) : null);
}

// A modal form. fields: [{name, label, type, value, options, hint, ...}]; onSubmit(values) may
// throw (its message is shown in the dialog) or resolve; the dialog closes once it resolves.
// Resolves to true when submitted, false when cancelled.
export function formDialog({ title, intro, fields = [], submit = 'Save', danger = false,
  onSubmit }) {
  return new Promise((resolve) => {
    const error = h('p', { class: 'dialog-error', role: 'alert' });
    const button = h('button', { type: 'submit', class: ['button', danger ? 'danger' : 'primary'] },
      submit);
    const form = h('form', { method: 'dialog' },
      h('h2', null, title), intro ? h('p', { class: 'intro' }, intro) : null,
      fields.map(field), error,
      h('div', { class: 'dialog-actions' },
        h('button', { type: 'button', class: 'button', onclick: () => finish(false) }, 'Cancel'),
        button));
    const dialog = h('dialog', { class: 'dialog' }, form);
    function finish(done) {
      dialog.close();
      dialog.remove();
      resolve(done);
    }
    dialog.addEventListener('cancel', (e) => {
      e.preventDefault();
      finish(false);
    });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const values = Object.fromEntries(new FormData(form).entries());
      button.disabled = true;
      error.textContent = '';
      try {
        await onSubmit(values);
        finish(true);
      } catch (err) {
        error.textContent = err.code && err.code !== err.message ? `${err.code}: ${err.message}` :
          err.message;
        button.disabled = false;
      }
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    const first = form.querySelector('input, select, textarea');
    if (first) first.focus();
  });
}

// Asks before something that cannot be undone; with `typeToConfirm` the user types that text.
export function confirmDialog({ title, message, action = 'Delete', typeToConfirm, onConfirm }) {
  const fields = typeToConfirm ? [{ name: 'confirm', label: `Type ${typeToConfirm} to confirm`,
    required: true }] : [];
  return formDialog({ title, intro: message, fields, submit: action, danger: true,
    onSubmit: async (values) => {
      if (typeToConfirm && values.confirm !== typeToConfirm) {
        throw new Error(`Type ${typeToConfirm} exactly to confirm.`);
      }
      await onConfirm();
    } });
}

// fn, reporting: its failure shows in `box` (AWS's code and message), its success clears the
// box. For refreshes, which the next tick or click retries: the wrapper never rejects.
export function reporting(box, fn) {
  return async (...args) => {
    try {
      await fn(...args);
      replace(box);
    } catch (e) {
      replace(box, h('div', { class: 'callout error' }, `${e.code || 'Error'}: ${e.message}`));
    }
  };
}

// Runs fn every `ms` while the page is shown; returns a stop function. The first run is at once.
export function every(ms, fn) {
  let timer = null, stopped = false;
  const tick = async () => {
    if (stopped) return;
    if (!document.hidden) {
      try {
        await fn();
      } catch (e) {
        // the page shows its own errors; a failed refresh is retried at the next tick
      }
    }
    if (!stopped) timer = setTimeout(tick, ms);
  };
  tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

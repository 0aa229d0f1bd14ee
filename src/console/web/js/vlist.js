// vlist.js - a table that draws only the rows in view (plus a few), so that a hundred thousand
// records scroll as smoothly as ten. Rows have one fixed height; cells are built by the caller.
// With `follow`, a view at the bottom stays there as rows are added (live tail).
import { h, replace } from './dom.js';

const OVERSCAN = 8;

// columns: [{label, width (CSS grid track), className}]; renderCells(row, index) -> [cell
// content...]; rowClass(row) -> a class for the row (or null); onSelect(row, index). Returns
// {setRows(rows), select(index), element}.
export function virtualTable({ columns, rowHeight = 30, renderCells, rowClass = () => null,
  onSelect, empty }) {
  const template = columns.map((c) => c.width || '1fr').join(' ');
  const header = h('div', { class: 'vt-row vt-head', role: 'row' },
    columns.map((c) => h('div', { class: ['vt-cell', c.className], role: 'columnheader' },
      c.label)));
  const spacer = h('div', { class: 'vt-spacer' });
  const body = h('div', { class: 'vt-body', tabindex: '0', role: 'rowgroup' }, spacer);
  const emptyNote = h('div', { class: 'vt-empty' }, empty || 'Nothing to show');
  const element = h('div', { class: 'vtable', role: 'table' }, header, body, emptyNote);
  header.style.gridTemplateColumns = template;
  let rows = [], selected = -1, drawn = '', pending = false, stick = true;

  function draw() {
    pending = false;
    const first = Math.max(0, Math.floor(body.scrollTop / rowHeight) - OVERSCAN);
    const count = Math.ceil((body.clientHeight || 600) / rowHeight) + 2 * OVERSCAN;
    const last = Math.min(rows.length, first + count);
    const key = `${first}:${last}:${selected}:${rows.length}`;
    if (key === drawn) return;
    drawn = key;
    const nodes = [];
    for (let i = first; i < last; i++) {
      const row = h('div', { class: ['vt-row', i === selected && 'selected', rowClass(rows[i])],
        role: 'row', 'data-index': i }, renderCells(rows[i], i).map((content, k) =>
        h('div', { class: ['vt-cell', columns[k].className], role: 'cell' }, content)));
      row.style.gridTemplateColumns = template;
      row.style.transform = `translateY(${i * rowHeight}px)`;
      row.style.height = rowHeight + 'px';
      nodes.push(row);
    }
    replace(spacer, nodes);
  }

  function schedule() {
    if (!pending) {
      pending = true;
      requestAnimationFrame(draw);
    }
  }

  function select(index) {
    if (index < 0 || index >= rows.length) return;
    selected = index;
    const top = index * rowHeight;
    if (top < body.scrollTop) body.scrollTop = top;
    else if (top + rowHeight > body.scrollTop + body.clientHeight) {
      body.scrollTop = top + rowHeight - body.clientHeight;
    }
    drawn = '';
    schedule();
    onSelect(rows[index], index);
  }

  body.addEventListener('scroll', () => {
    stick = body.scrollTop + body.clientHeight >= body.scrollHeight - rowHeight;
    schedule();
  });
  body.addEventListener('click', (e) => {
    const row = e.target.closest('.vt-row');
    if (row) select(Number(row.dataset.index));
  });
  body.addEventListener('keydown', (e) => {
    const step = { ArrowDown: 1, ArrowUp: -1, PageDown: 20, PageUp: -20 }[e.key];
    if (!step) return;
    e.preventDefault();
    select(Math.max(0, Math.min(rows.length - 1, selected + step)));
  });
  new ResizeObserver(schedule).observe(body);

  return {
    element,
    setRows(next, { keepSelection = true, follow = false } = {}) {
      const chosen = keepSelection && selected >= 0 ? rows[selected] : null;
      rows = next;
      selected = chosen ? rows.indexOf(chosen) : -1;
      spacer.style.height = rows.length * rowHeight + 'px';
      emptyNote.hidden = rows.length > 0;
      if (follow && stick) body.scrollTop = body.scrollHeight;
      drawn = '';
      schedule();
    },
    select,
    setEmpty(text) {
      emptyNote.textContent = text;
    },
    get selectedRow() {
      return selected >= 0 ? rows[selected] : null;
    },
  };
}

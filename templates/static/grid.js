/* Entry grid: one row per person (or unit), saved a row at a time through the JSON API.
   Keys: ↑/↓ and Enter move between rows (Enter saves), ←/→ move between cells at the edge of
   the text, Ctrl+S saves the row. A row is also saved when the focus leaves it. Invalid cells
   are marked in place with the server's Vietnamese message. */
(function () {
  'use strict';
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content;

  function cells(row) { return Array.prototype.slice.call(row.querySelectorAll('input, select')); }
  function rowsOf(table) { return Array.prototype.slice.call(table.querySelectorAll('tbody tr[data-url]')); }

  function value(el) {
    if (el.type === 'checkbox') { return el.checked; }
    var v = el.value.trim();
    if (el.dataset.kind === 'codes') { return v ? v.split(/[\s,;]+/).filter(Boolean) : []; }
    if (v === '') { return null; }
    if (el.dataset.kind === 'int') { return /^-?\d+$/.test(v) ? parseInt(v, 10) : v; }
    if (el.dataset.kind === 'dec') { return v.replace(',', '.'); }
    return v;
  }

  function status(row, text, cls) {
    var s = row.querySelector('.row-status');
    s.textContent = text;
    s.className = 'row-status ' + (cls || '');
  }

  function clearErrors(row) {
    cells(row).forEach(function (el) { el.classList.remove('invalid'); el.removeAttribute('aria-invalid'); el.title = ''; });
  }

  function showErrors(row, fields, message) {
    var texts = [];
    Object.keys(fields || {}).forEach(function (name) {
      var msgs = fields[name];
      var text = Array.isArray(msgs) ? msgs.join(' ') : (typeof msgs === 'object' ? JSON.stringify(msgs) : String(msgs));
      var el = row.querySelector('[name="' + name + '"]');
      if (el) { el.classList.add('invalid'); el.setAttribute('aria-invalid', 'true'); el.title = text; }
      texts.push((el ? el.dataset.label || name : name) + ': ' + text);
    });
    status(row, 'Lỗi — ' + (texts.join('; ') || message), 'error');
  }

  function save(row, extra) {
    if (row.dataset.saving) { row.dataset.again = '1'; return Promise.resolve(); }
    var body = {};
    cells(row).forEach(function (el) { if (el.name) { body[el.name] = value(el); } });
    Object.keys(extra || {}).forEach(function (k) { body[k] = extra[k]; });
    row.dataset.saving = '1';
    status(row, 'Đang lưu…', 'busy');
    return fetch(row.dataset.url, {
      method: 'PUT', credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'Accept': 'application/json', 'X-CSRFToken': csrf},
      body: JSON.stringify(body)
    }).then(function (res) {
      return res.json().then(function (data) { return {ok: res.ok, data: data}; });
    }).then(function (r) {
      delete row.dataset.saving;
      if (r.ok) {
        delete row.dataset.dirty;
        clearErrors(row);
        status(row, 'Đã lưu ' + new Date().toLocaleTimeString('vi-VN'), 'ok');
      } else {
        var err = (r.data && r.data.error) || {};
        clearErrors(row);
        if (err.fields && err.fields.violations_removal_reason && !(extra && extra.violations_removal_reason)) {
          var reason = window.prompt('Gỡ biểu hiện vi phạm đã ghi nhận cần có lý do:');
          if (reason) { return save(row, {violations_removal_reason: reason}); }
        }
        showErrors(row, err.fields, err.message || 'Không lưu được.');
      }
      if (row.dataset.again) { delete row.dataset.again; if (row.dataset.dirty) { return save(row); } }
    }).catch(function () {
      delete row.dataset.saving;
      status(row, 'Lỗi mạng — chưa lưu, thử lại', 'error');
    });
  }

  function move(table, el, dRow, dCol) {
    var row = el.closest('tr');
    var rows = rowsOf(table);
    var r = rows.indexOf(row) + dRow;
    var c = cells(row).indexOf(el) + dCol;
    if (r < 0 || r >= rows.length) { return false; }
    var target = cells(rows[r])[Math.max(0, Math.min(c, cells(rows[r]).length - 1))];
    if (target) { target.focus(); if (target.select) { target.select(); } return true; }
    return false;
  }

  function atEdge(el, left) {
    if (el.type !== 'text') { return true; }
    try {
      return left ? el.selectionStart === 0 && el.selectionEnd === 0
                  : el.selectionStart === el.value.length;
    } catch (e) { return true; }
  }

  function setup(table) {
    table.addEventListener('input', function (e) {
      var row = e.target.closest('tr[data-url]');
      if (row) { row.dataset.dirty = '1'; status(row, 'Chưa lưu', 'dirty'); }
    });
    table.addEventListener('change', function (e) {
      var row = e.target.closest('tr[data-url]');
      if (row) { row.dataset.dirty = '1'; status(row, 'Chưa lưu', 'dirty'); }
    });
    table.addEventListener('focusout', function (e) {
      var row = e.target.closest('tr[data-url]');
      if (!row || !row.dataset.dirty) { return; }
      if (e.relatedTarget && row.contains(e.relatedTarget)) { return; }
      save(row);
    });
    table.addEventListener('keydown', function (e) {
      var el = e.target;
      if (!el.matches('input, select')) { return; }
      var row = el.closest('tr[data-url]');
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 's') {
        e.preventDefault(); save(row); return;
      }
      if (e.key === 'Enter') {
        e.preventDefault();
        if (row.dataset.dirty) { save(row); }
        move(table, el, 1, 0);
      } else if (e.key === 'ArrowDown' && el.tagName !== 'SELECT') {
        e.preventDefault(); move(table, el, 1, 0);
      } else if (e.key === 'ArrowUp' && el.tagName !== 'SELECT') {
        e.preventDefault(); move(table, el, -1, 0);
      } else if (e.key === 'ArrowLeft' && atEdge(el, true)) {
        if (move(table, el, 0, -1)) { e.preventDefault(); }
      } else if (e.key === 'ArrowRight' && atEdge(el, false)) {
        if (move(table, el, 0, 1)) { e.preventDefault(); }
      }
    });
    var saveAll = document.querySelector('[data-save-all="' + table.id + '"]');
    if (saveAll) {
      saveAll.addEventListener('click', function () {
        rowsOf(table).filter(function (r) { return r.dataset.dirty; }).forEach(function (r) { save(r); });
      });
    }
  }

  window.addEventListener('beforeunload', function (e) {
    if (document.querySelector('tr[data-dirty]')) { e.preventDefault(); e.returnValue = ''; }
  });
  Array.prototype.forEach.call(document.querySelectorAll('table.grid'), setup);
})();

/* Entry grid: one row per person (or unit), saved a row at a time through the JSON API.
   Keys: ↑/↓ and Enter move between rows (Enter saves), ←/→ move between cells at the edge of
   the text, Ctrl+S saves the row. A row is also saved when the focus leaves it.
   A save sends only the cells the clerk changed, with the version the row was loaded with: a
   row changed elsewhere since then answers 409, and the grid shows both values and lets the
   clerk keep theirs or take the new ones (it never removes what it did not show).
   An invalid cell keeps the row's typed values in the grid (nothing of the row is saved until
   it is fixed); its message stands at the cell and in the summary at the top. Unsaved rows are
   kept in the browser (localStorage, by year, unit and code) until saved, so a reload keeps
   them. A block copied from Excel pastes from the focused cell. "92,5" is sent as 92.5. */
(function () {
  'use strict';
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content;
  var store = null;
  try { store = window.localStorage; } catch (e) { store = null; }

  function cells(row) { return Array.prototype.slice.call(row.querySelectorAll('input[name], select[name]')); }
  function rowsOf(table) { return Array.prototype.slice.call(table.querySelectorAll('tbody tr[data-url]')); }
  function field(row, name) { return row.querySelector('[name="' + name + '"]'); }

  // what a cell holds as typed (the key of "changed" and of the browser copy)
  function raw(el) { return el.type === 'checkbox' ? (el.checked ? '1' : '') : el.value.trim(); }
  function setRaw(el, v) {
    if (el.type === 'checkbox') { el.checked = v === true || v === '1' || /^(x|có|co|1|true|yes)$/i.test(String(v || '').trim()); }
    else { el.value = v == null ? '' : String(v); }
  }
  function codesText(v) { return String(v || '').split(/[\s,;]+/).filter(Boolean).join(', '); }
  // a number as a canonical text ("77,00", "77" and "77.0" are one value); other text as it is
  function numberText(v) {
    var t = String(v == null ? '' : v).replace(/\s/g, '').replace(',', '.');
    return /^-?\d+(\.\d+)?$/.test(t) ? String(Number(t)) : String(v == null ? '' : v);
  }
  function norm(el, v) {
    if (el.dataset.kind === 'codes') { return codesText(v); }
    if (el.dataset.kind === 'dec' || el.dataset.kind === 'int') { return numberText(v); }
    return v;
  }
  function changed(el) { return norm(el, raw(el)) !== norm(el, el.dataset.orig || ''); }

  function value(el) {
    if (el.type === 'checkbox') { return el.checked; }
    var v = el.value.trim();
    if (el.dataset.kind === 'codes') { return v ? v.split(/[\s,;]+/).filter(Boolean) : []; }
    if (v === '') { return null; }
    if (el.dataset.kind === 'int') { return /^-?\d+$/.test(v) ? parseInt(v, 10) : v; }
    if (el.dataset.kind === 'dec') { return v.replace(/\s/g, '').replace(',', '.'); }
    return v;
  }
  // a value of the API's answer as the cell shows it
  function shown(el, v) {
    if (el.type === 'checkbox') { return v ? '1' : ''; }
    if (Array.isArray(v)) { return v.join(', '); }
    if (v == null) { return ''; }
    var s = String(v);
    if (el.dataset.kind === 'dec') { s = s.replace(/\.?0+$/, '').replace('.', ','); }
    return s;
  }
  function readable(el, text) {
    if (el.type === 'checkbox') { return text ? 'có' : 'không'; }
    if (el.tagName === 'SELECT') {
      var opt = Array.prototype.filter.call(el.options, function (o) { return o.value === text; })[0];
      return opt && opt.text ? opt.text : (text || 'trống');
    }
    return text === '' ? 'trống' : text;
  }

  function key(table, row) { return 'grid:' + table.dataset.year + ':' + table.dataset.unit + ':' + table.id + ':' + row.dataset.code; }
  function keep(table, row) {
    if (!store) { return; }
    var values = {};
    cells(row).forEach(function (el) { if (changed(el)) { values[el.name] = raw(el); } });
    try {
      if (Object.keys(values).length) { store.setItem(key(table, row), JSON.stringify({version: row.dataset.version, values: values})); }
      else { store.removeItem(key(table, row)); }
    } catch (e) { /* storage full or off: the grid still works */ }
  }
  function forget(table, row) { if (store) { try { store.removeItem(key(table, row)); } catch (e) { /* ignore */ } } }

  // the row's state, in the «Trạng thái» column (the grid's last) and as a mark in the name
  // cell, which stays in view when the grid scrolls sideways (its words as title and label)
  var MARKS = {ok: '✓', 'ok lacking': '◐', error: '!', dirty: '●', busy: '…'};
  function status(row, text, cls) {
    var s = row.querySelector('.row-status');
    s.textContent = text;
    s.className = 'row-status ' + (cls || '');
    var name = row.querySelector('td.name');
    if (!name) { return; }
    var badge = name.querySelector('.row-badge');
    if (!badge) {
      badge = document.createElement('span');
      badge.setAttribute('role', 'img');
      name.insertBefore(badge, name.firstChild);
    }
    badge.className = 'row-badge ' + (cls || '');
    badge.textContent = MARKS[cls] || '•';
    badge.title = text;
    badge.setAttribute('aria-label', text);
  }

  function clearErrors(row) {
    cells(row).forEach(function (el) {
      el.classList.remove('invalid'); el.removeAttribute('aria-invalid'); el.removeAttribute('aria-describedby'); el.title = '';
      var msg = el.parentNode.querySelector('.cell-msg');
      if (msg) { msg.parentNode.removeChild(msg); }
    });
    delete row.dataset.problems;
  }

  function rowName(row) {
    var name = row.querySelector('td.name');
    if (!name) { return row.dataset.code; }
    var text = Array.prototype.filter.call(name.childNodes, function (n) {
      return !(n.classList && n.classList.contains('row-badge'));  // the state mark is not the name
    }).map(function (n) { return n.textContent; }).join('').trim();
    return row.dataset.code + ' (' + text + ')';
  }

  function summary(table) {
    var box = document.querySelector('[data-summary="' + table.id + '"]');
    if (!box) { return; }
    var items = [];
    rowsOf(table).forEach(function (row) {
      if (!row.dataset.problems) { return; }
      JSON.parse(row.dataset.problems).forEach(function (p) { items.push({row: row, p: p}); });
    });
    box.innerHTML = '';
    box.hidden = !items.length;
    if (!items.length) { return; }
    var head = document.createElement('p');
    head.textContent = 'Chưa lưu ' + items.length + ' ô có lỗi (các giá trị khác của dòng vẫn được giữ trong bảng, chưa lưu cho tới khi sửa xong):';
    box.appendChild(head);
    var list = document.createElement('ul');
    items.forEach(function (it) {
      var li = document.createElement('li');
      var a = document.createElement('a');
      a.href = '#';
      a.textContent = 'Dòng ' + rowName(it.row) + ', cột ' + it.p.label + ': ' + it.p.text;
      a.addEventListener('click', function (e) {
        e.preventDefault();
        var el = it.p.name && field(it.row, it.p.name);
        (el || it.row.querySelector('input, select')).focus();
      });
      li.appendChild(a);
      list.appendChild(li);
    });
    box.appendChild(list);
  }

  // answer fields that are not cells: told at the cell they belong to, by their own label
  var ALIASES = {violations_removal_reason: ['violations', 'Lý do gỡ vi phạm']};

  // `whole`: the server's refusal of the whole row (no field named), told before any problem
  // found here (an unknown code), which must not hide it
  function showErrors(table, row, fields, message, whole) {
    var texts = [], problems = [];
    Object.keys(fields || {}).forEach(function (name) {
      var msgs = fields[name];
      var text = Array.isArray(msgs) ? msgs.join(' ') : (typeof msgs === 'object' ? Object.keys(msgs).map(function (k) { return msgs[k]; }).join(' ') : String(msgs));
      var alias = ALIASES[name];
      var el = field(row, alias ? alias[0] : name);
      var label = alias ? alias[1] : (el ? el.dataset.label || name : name);
      if (el) {
        el.classList.add('invalid'); el.setAttribute('aria-invalid', 'true'); el.title = label + ': ' + text;
        var msg = document.createElement('div');
        msg.className = 'cell-msg';
        msg.id = 'msg-' + table.id + '-' + row.dataset.code + '-' + name;
        msg.setAttribute('role', 'alert');
        msg.textContent = text;
        el.parentNode.appendChild(msg);
        el.setAttribute('aria-describedby', msg.id);
      }
      texts.push(label + ': ' + text);
      problems.push({name: el ? name : '', label: label, text: text});
    });
    if (whole && problems.length) {
      problems.unshift({name: '', label: 'cả dòng', text: whole});
      texts.unshift(whole);
    }
    if (!problems.length) { problems.push({name: '', label: 'cả dòng', text: message}); }
    row.dataset.problems = JSON.stringify(problems);
    status(row, 'Lỗi — ' + (texts.join('; ') || message), 'error');
    summary(table);
  }

  // codes not in the page's catalog list (the server checks them only once the row's other
  // cells pass): told with the other errors, in one round trip
  function withUnknownCodes(row, fields) {
    var el = field(row, 'violations');
    var known = document.getElementById('catalog-codes');
    if (!el || !known || !changed(el) || (fields && fields.violations)) { return fields; }
    var codes = {};
    Array.prototype.forEach.call(known.options, function (o) { codes[o.value] = true; });
    var unknown = value(el).filter(function (c) { return !codes[c]; });
    if (!unknown.length) { return fields; }
    var out = {};
    Object.keys(fields || {}).forEach(function (k) { out[k] = fields[k]; });
    var year = row.closest('table').dataset.year;
    out.violations = unknown.map(function (c) { return 'Mã vi phạm ' + c + ' không có trong danh mục năm ' + year + '.'; });
    return out;
  }

  // what a save sent, cell by cell: a cell typed in while it was in flight is not saved by it
  function sentValues(row) {
    var out = {};
    cells(row).forEach(function (el) { out[el.name] = raw(el); });
    return out;
  }
  function typedSinceSent(row) {
    var sent = row._sent || {};
    return cells(row).filter(function (el) { return raw(el) !== sent[el.name]; });
  }

  // `sent`: what the answered save sent (a save's own answer); else the cells as they are
  function saved(table, row, data, sent) {
    sent = sent || sentValues(row);
    var later = [];
    cells(row).forEach(function (el) {
      var stored = Object.prototype.hasOwnProperty.call(data || {}, el.name);
      if (raw(el) !== sent[el.name]) {
        // typed after the save left: still to be saved, against what the save stored
        el.dataset.orig = stored && el.dataset.kind === 'dec' ? shown(el, data[el.name]) : sent[el.name];
        later.push(el);
        return;
      }
      // a number shows as stored ("1.000" typed is saved as 1: the cell says 1, not "1.000")
      if (stored && el.dataset.kind === 'dec') {
        setRaw(el, shown(el, data[el.name]));
        sent[el.name] = raw(el);
      }
      el.dataset.orig = raw(el);
    });
    if (data && data.version != null) { row.dataset.version = data.version; }
    if (later.length) {
      keep(table, row);
      row.dataset.again = '1';
    } else {
      delete row.dataset.dirty;
      forget(table, row);
    }
    clearErrors(row);
    closeConflict(row);
    summary(table);
    var text = 'Đã lưu ' + new Date().toLocaleTimeString('vi-VN');
    if (data && Array.isArray(data.missing)) {
      // a person's row: what it still lacks, and the count of rows entered, as the page says
      if (data.missing.length) { row.dataset.lacking = '1'; } else { delete row.dataset.lacking; }
      text += data.missing.length ? ' · Thiếu: ' + data.missing.join('; ') : ' · Đã nhập đủ';
      recount(table);
    }
    status(row, text, data && data.missing && data.missing.length ? 'ok lacking' : 'ok');
  }

  // «Đã nhập đủ x/y người; còn z người chưa đủ …» over the grid, from the rows' marks
  function recount(table) {
    var box = document.querySelector('[data-entry-status="' + table.id + '"]');
    if (!box) { return; }
    var all = rowsOf(table).length, short = table.querySelectorAll('tbody tr[data-url][data-lacking]').length;
    if (!all) { return; }  // a unit without its own people: the page's words stand
    box.textContent = 'Đã nhập đủ ';
    var strong = document.createElement('strong');
    strong.textContent = (all - short) + '/' + all;
    box.appendChild(strong);
    box.appendChild(document.createTextNode(' người' + (short ? '; còn ' + short + ' người chưa đủ (cột «Trạng thái» ghi thiếu gì)' : '') + '.'));
  }

  function closeConflict(row) {
    var next = row.nextElementSibling;
    while (next && (next.classList.contains('conflict') || next.classList.contains('conflict-info'))) {
      var after = next.nextElementSibling;
      next.parentNode.removeChild(next);
      next = after;
    }
  }

  // a row of its own under the grid row, which stays in view when the grid scrolls sideways
  function noteRow(row, cls, text, items) {
    var tr = document.createElement('tr');
    tr.className = cls;
    var cell = document.createElement('td');
    cell.colSpan = row.children.length;
    var td = document.createElement('div');
    td.className = 'conflict-note';
    td.setAttribute('role', cls === 'conflict' ? 'alert' : 'status');
    cell.appendChild(td);
    var p = document.createElement('p');
    p.textContent = text;
    td.appendChild(p);
    var ul = document.createElement('ul');
    items.forEach(function (t) { var li = document.createElement('li'); li.textContent = t; ul.appendChild(li); });
    td.appendChild(ul);
    tr.appendChild(cell);
    row.parentNode.insertBefore(tr, row.nextSibling);
    return td;
  }

  function elsewhere(m) { return m.el.dataset.label + ': đã đổi ở nơi khác thành ' + readable(m.el, m.now) + ' (đã cập nhật vào bảng)'; }

  // what changed elsewhere, once the clerk's own cells are saved: told, nothing to choose
  function tellNews(row, news) {
    if (!news.length) { return; }
    var td = noteRow(row, 'conflict-info', 'Dòng ' + rowName(row) + ' đã được sửa ở nơi khác; các ô bạn sửa đã lưu, các ô khác lấy giá trị mới:', news.map(elsewhere));
    var ok = document.createElement('button');
    ok.type = 'button';
    ok.textContent = 'Đã xem';
    ok.addEventListener('click', function () { closeConflict(row); });
    td.appendChild(ok);
  }

  // 409: the row changed elsewhere. Cells the clerk did not change take the current values.
  // A cell the clerk changed is a conflict only if it changed elsewhere too (to another
  // value): then both are shown with the two choices. Without such a cell the clerk's
  // changes are saved against the new version and the others' changes are told.
  function conflict(table, row, current, message) {
    var mine = [], news = [];
    cells(row).forEach(function (el) {
      if (!(el.name in current)) { return; }
      var now = shown(el, current[el.name]);
      var orig = el.dataset.orig || '';
      var same = norm(el, now) === norm(el, orig) || (orig === '' && now === '0');  // untouched elsewhere
      if (changed(el)) {
        if (!same && norm(el, now) !== norm(el, raw(el))) { mine.push({el: el, now: now, theirs: raw(el)}); }
        if (same) { el.dataset.orig = now; return; }  // still the clerk's change, to save
      } else if (norm(el, now) !== norm(el, raw(el))) {
        var filled = raw(el) === '' && now === '0';  // a new row's empty count: not news
        setRaw(el, now);
        if (!filled) { news.push({el: el, now: now, theirs: null}); }
      }
      el.dataset.orig = now;
    });
    row.dataset.version = current.version;
    closeConflict(row);
    if (!mine.length) {
      if (!cells(row).some(changed)) {
        saved(table, row, current);  // the clerk's values are the current ones
        tellNews(row, news);
        status(row, 'Đã cập nhật theo giá trị hiện tại', 'ok');
        return;
      }
      row.dataset.dirty = '1';
      save(table, row).then(function () {
        if (!row.dataset.dirty) { tellNews(row, news); }
      });
      return;
    }
    var td = noteRow(row, 'conflict', message + ' Dòng ' + rowName(row) + ':', mine.map(function (m) {
      return m.el.dataset.label + ': giá trị của bạn ' + readable(m.el, m.theirs) + ' — giá trị hiện tại ' + readable(m.el, m.now);
    }).concat(news.map(elsewhere)));
    var keepBtn = document.createElement('button');
    keepBtn.type = 'button'; keepBtn.className = 'primary'; keepBtn.dataset.choice = 'mine';
    keepBtn.textContent = 'Giữ giá trị của tôi và lưu';
    keepBtn.addEventListener('click', function () { save(table, row); });
    var takeBtn = document.createElement('button');
    takeBtn.type = 'button'; takeBtn.dataset.choice = 'theirs';
    takeBtn.textContent = 'Lấy giá trị hiện tại';
    takeBtn.addEventListener('click', function () {
      mine.forEach(function (m) { setRaw(m.el, m.now); });
      // the clerk's changes nobody else touched still stand: saved, the rest taken
      if (cells(row).some(changed)) { save(table, row); return; }
      saved(table, row, current);
      status(row, 'Đã lấy giá trị hiện tại', 'ok');
    });
    td.appendChild(keepBtn); td.appendChild(document.createTextNode(' ')); td.appendChild(takeBtn);
    // the row shows the clerk's values in the cells they changed until a choice is made
    row.dataset.dirty = '1';
    keep(table, row);
    status(row, 'Đã đổi ở nơi khác — chọn bên dưới', 'error');
  }

  function save(table, row, extra) {
    // asked again while a save is in flight: sent after it only if a cell changed meanwhile
    if (row.dataset.saving) { return Promise.resolve(); }
    row._sent = sentValues(row);
    var body = {version: parseInt(row.dataset.version || '0', 10)};
    cells(row).forEach(function (el) {
      if (!changed(el)) { return; }
      body[el.name] = value(el);
      // the records the clerk saw: a save never removes one recorded elsewhere meanwhile (409)
      if (el.name === 'violations') { body.violations_shown = codesText(el.dataset.orig).split(', ').filter(Boolean); }
    });
    Object.keys(extra || {}).forEach(function (k) { body[k] = extra[k]; });
    row.dataset.saving = '1';
    status(row, 'Đang lưu…', 'busy');
    return fetch(row.dataset.url, {
      method: 'PATCH', credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'Accept': 'application/json', 'X-CSRFToken': csrf},
      body: JSON.stringify(body)
    }).then(function (res) {
      return res.json().then(function (data) { return {ok: res.ok, status: res.status, data: data}; });
    }).then(function (r) {
      delete row.dataset.saving;
      var err = (r.data && r.data.error) || {};
      if (r.ok) {
        saved(table, row, r.data, row._sent);
      } else if (r.status === 409 && err.current) {
        clearErrors(row);
        summary(table);
        conflict(table, row, err.current, err.message || 'Dòng đã đổi ở nơi khác.');
        delete row.dataset.again;  // the clerk chooses first: no resave behind their back
        return;
      } else if (r.status === 401) {
        // the session ended (logged out in another tab, or timed out): the values stay here
        status(row, 'Phiên đăng nhập đã hết — chưa lưu (đã giữ trong trình duyệt). Đăng nhập lại ở thẻ khác rồi bấm «Lưu các dòng chưa lưu».', 'error');
        delete row.dataset.again;
        return;
      } else {
        clearErrors(row);
        if (err.fields && err.fields.violations_removal_reason && !(extra && extra.violations_removal_reason)) {
          var reason = window.prompt((err.message || 'Gỡ vi phạm đã ghi nhận cần có lý do.') + '\nNhập lý do gỡ:');
          if (reason) { return save(table, row, {violations_removal_reason: reason}); }
          delete row.dataset.again;  // the clerk declined: not asked again behind their back
        }
        var whole = err.fields && Object.keys(err.fields).length ? '' : (err.message || 'Không lưu được.');
        showErrors(table, row, withUnknownCodes(row, err.fields), err.message || 'Không lưu được.', whole);
      }
      if (row.dataset.again) {
        delete row.dataset.again;
        if (row.dataset.dirty && typedSinceSent(row).length) { return save(table, row); }
      }
    }).catch(function () {
      delete row.dataset.saving;
      status(row, 'Lỗi mạng — chưa lưu (đã giữ trong trình duyệt), thử lại', 'error');
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

  function touched(table, row) {
    row.dataset.dirty = '1';
    if (row.dataset.saving) { row.dataset.again = '1'; }
    keep(table, row);
    status(row, 'Chưa lưu', 'dirty');
  }

  // tab-separated lines (Excel, LibreOffice): from the focused cell rightwards and downwards
  function paste(table, el, text) {
    var lines = text.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n').map(function (l) { return l.split('\t'); });
    var rows = rowsOf(table);
    var r0 = rows.indexOf(el.closest('tr')), c0 = cells(el.closest('tr')).indexOf(el);
    var hit = [];
    lines.forEach(function (values, i) {
      var row = rows[r0 + i];
      if (!row) { return; }
      var list = cells(row);
      values.forEach(function (v, j) {
        var target = list[c0 + j];
        if (target && !target.disabled) { setRaw(target, v.trim()); }
      });
      touched(table, row);
      hit.push(row);
    });
    hit.forEach(function (row) { if (row !== el.closest('tr')) { save(table, row); } });
  }

  function restore(table) {
    if (!store) { return; }
    var locked = [];
    rowsOf(table).forEach(function (row) {
      var text = null;
      try { text = store.getItem(key(table, row)); } catch (e) { text = null; }
      if (!text) { return; }
      var kept;
      try { kept = JSON.parse(text); } catch (e) { forget(table, row); return; }
      if (!cells(row).some(function (el) { return !el.disabled; })) {
        // a locked list (submitted, approved): typed here, never saved, not counted; shown,
        // not restored into cells that cannot be saved
        locked.push({row: row, text: rowName(row) + ' (' + Object.keys(kept.values || {}).map(function (name) {
          var el = field(row, name);
          return ((el && el.dataset.label) || name) + ': ' + kept.values[name];
        }).join('; ') + ')'});
        return;
      }
      Object.keys(kept.values || {}).forEach(function (name) {
        var el = field(row, name);
        if (el && !el.disabled) { setRaw(el, kept.values[name]); }
      });
      // saved against the version it was typed on: a row changed since answers 409
      if (kept.version != null) { row.dataset.version = kept.version; }
      row.dataset.dirty = '1';
      status(row, 'Chưa lưu (khôi phục từ trình duyệt)', 'dirty');
    });
    var note = document.querySelector('[data-restored="' + table.id + '"]');
    var n = table.querySelectorAll('tr[data-dirty]').length;
    if (note && n) { note.hidden = false; note.textContent = 'Đã khôi phục ' + n + ' dòng chưa lưu từ lần trước. Nhấn «Lưu các dòng chưa lưu» hoặc rời dòng để lưu.'; }
    if (note && locked.length) {
      note.hidden = false;
      note.className = 'flash warning';
      note.textContent = 'Danh sách đã khóa, nên ' + locked.length + ' dòng đã gõ trên trình duyệt này nhưng chưa lưu không được tính: ' +
        locked.map(function (l) { return l.text; }).join(', ') + '. Nếu cần sửa, đề nghị trả lại danh sách rồi nhập lại. ';
      var drop = document.createElement('button');
      drop.type = 'button';
      drop.textContent = 'Bỏ các giá trị này khỏi trình duyệt';
      drop.addEventListener('click', function () {
        locked.forEach(function (l) { forget(table, l.row); });
        note.hidden = true;
      });
      note.appendChild(drop);
    }
  }

  function setup(table) {
    rowsOf(table).forEach(function (row) { cells(row).forEach(function (el) { el.dataset.orig = raw(el); }); });
    restore(table);
    ['input', 'change'].forEach(function (type) {
      table.addEventListener(type, function (e) {
        var row = e.target.closest('tr[data-url]');
        if (row) { touched(table, row); }
      });
    });
    table.addEventListener('paste', function (e) {
      var el = e.target;
      if (!el.matches('input[name], select[name]')) { return; }
      var text = (e.clipboardData || window.clipboardData).getData('text');
      if (!/[\t\n]/.test(text.replace(/\r?\n$/, ''))) { return; }  // one value: as usual
      e.preventDefault();
      paste(table, el, text);
    });
    // a cell focused (Tab, ←) under the sticky code and name columns is scrolled out from
    // under them: the browser only brings it inside the scroll box, behind those columns
    table.addEventListener('focusin', function (e) {
      var cell = e.target.closest('td');
      var wrap = table.closest('.grid-wrap');
      if (!cell || !wrap || cell.classList.contains('name')) { return; }
      var edge = 0;
      Array.prototype.forEach.call(cell.parentElement.cells, function (c) {
        if (c !== cell && getComputedStyle(c).position === 'sticky') {
          edge = Math.max(edge, c.getBoundingClientRect().right);
        }
      });
      var left = cell.getBoundingClientRect().left;
      if (edge && left < edge) { wrap.scrollLeft -= edge - left + 4; }
    });
    table.addEventListener('focusout', function (e) {
      var row = e.target.closest('tr[data-url]');
      if (!row || !row.dataset.dirty) { return; }
      if (e.relatedTarget && row.contains(e.relatedTarget)) { return; }
      if (row.nextElementSibling && row.nextElementSibling.classList.contains('conflict')) { return; }  // the clerk chooses first
      save(table, row);
    });
    table.addEventListener('keydown', function (e) {
      var el = e.target;
      if (!el.matches('input, select')) { return; }
      var row = el.closest('tr[data-url]');
      if (!row) { return; }
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 's') {
        e.preventDefault(); save(table, row); return;
      }
      if (e.key === 'Enter') {
        e.preventDefault();
        if (row.dataset.dirty) { save(table, row); }
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
        rowsOf(table).filter(function (r) { return r.dataset.dirty; }).forEach(function (r) { save(table, r); });
      });
    }
  }

  window.addEventListener('beforeunload', function (e) {
    if (document.querySelector('tr[data-dirty]')) { e.preventDefault(); e.returnValue = ''; }
  });
  Array.prototype.forEach.call(document.querySelectorAll('table.grid'), setup);
})();

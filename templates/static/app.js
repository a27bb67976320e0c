// Small behaviours of every page (no inline script: the Content-Security-Policy allows only
// files from this site).
//  - <form data-busy="ID">: shows the element ID while the form is being sent.
//  - <select data-kinds-for="NAME">: offers only the options whose data-kinds hold the value of
//    the form's field NAME (a manual nomination: the awards a person, or a unit, may receive).
//  - <form data-confirm="QUESTION">: asks QUESTION before the form is sent (deleting a draft).
//  - <form data-unsaved-year data-unsaved-unit>: sending a rating list names the grid rows typed
//    in this browser and never saved, and asks first.
//  - <a data-export-pdf>: a printable list rendered while the user waits (a ward's takes
//    minutes): the link counts the seconds beside it, is not sent twice, saves the file when
//    it is ready and tells a refusal in words.
//  - <a data-back>: goes back in the browser's history (the link's href when there is none).
//  - <div data-job-url="URL" data-live>: the job page; follows the job until it ends.
//  - <p data-recompute-url="URL">: results about to be recomputed after a change; says when the
//    job has run (the page is not reloaded behind the user: a form may hold what they typed).
//  - <form data-ballot>: a council member's ballot; counts the nominations chosen, and its
//    [data-ballot-fill] buttons say yes to those not chosen yet (in their [data-ballot-group]
//    or the whole form), never changing a choice already made.
//  - <datalist data-search="URL">: a unit picker that carries a few units with the page; as
//    the clerk types in an input naming it, it offers the units matching the text (URL?q=…,
//    code or name, accents optional), so any of a city's thousands can be picked.
//  - <input type=file>: a «Chọn tệp…» button and the chosen file's name in Vietnamese beside
//    it (Chromium's own control says «Choose File», «No file chosen» in an English browser);
//    the input itself stays in the form, visually hidden, and is what is sent and checked.
//  - every field the browser checks itself (required, a number's range, a length, a pattern):
//    its refusal in Vietnamese, whatever the browser's own language (an English Chromium said
//    «Please fill out this field.»); cleared as soon as the field is changed.
document.addEventListener('invalid', function (event) {
  var el = event.target;
  if (!el.setCustomValidity || !el.validity || el.validity.customError) { return; }
  var message = fieldMessage(el);
  if (message) { el.setCustomValidity(message); el.viMessage = true; }
}, true);
function clearMessage(el) {
  if (el && el.viMessage) { el.setCustomValidity(''); el.viMessage = false; }
}
['input', 'change'].forEach(function (type) {
  document.addEventListener(type, function (event) {
    var el = event.target;
    if (el.type === 'radio' && el.form && el.name) {  // the group is answered: all of it
      Array.prototype.forEach.call(el.form.elements, function (other) {
        if (other.type === 'radio' && other.name === el.name) { clearMessage(other); }
      });
    }
    clearMessage(el);
  }, true);
});
// a field changed by a script (a ballot's «Đồng ý tất cả») fires no input event: every
// message is cleared before a form is sent, so the browser checks each field afresh
document.addEventListener('click', function (event) {
  var button = event.target.closest && event.target.closest('button, input[type=submit]');
  if (button && button.form && (button.type || '').toLowerCase() === 'submit') {
    Array.prototype.forEach.call(button.form.elements, clearMessage);
  }
}, true);

function fieldMessage(el) {
  var v = el.validity;
  var type = (el.type || '').toLowerCase();
  if (v.valueMissing) {
    if (type === 'checkbox') { return 'Vui lòng đánh dấu ô này.'; }
    if (type === 'radio') { return 'Vui lòng chọn một trong các lựa chọn.'; }
    if (type === 'file') { return 'Vui lòng chọn tệp.'; }
    if (el.tagName === 'SELECT') { return 'Vui lòng chọn một mục trong danh sách.'; }
    return 'Vui lòng nhập ô này.';
  }
  if (v.badInput) { return type === 'number' ? 'Vui lòng nhập một số.' : 'Giá trị không hợp lệ.'; }
  if (v.rangeUnderflow) { return 'Giá trị nhỏ nhất là ' + el.min + '.'; }
  if (v.rangeOverflow) { return 'Giá trị lớn nhất là ' + el.max + '.'; }
  if (v.stepMismatch) {
    return el.step && el.step !== '1' ? 'Giá trị phải theo bước ' + el.step + '.' :
      'Vui lòng nhập số nguyên.';
  }
  if (v.tooShort) { return 'Cần ít nhất ' + el.minLength + ' ký tự (hiện có ' + el.value.length + ').'; }
  if (v.tooLong) { return 'Tối đa ' + el.maxLength + ' ký tự (hiện có ' + el.value.length + ').'; }
  if (v.typeMismatch) {
    return type === 'email' ? 'Vui lòng nhập địa chỉ email hợp lệ.' : 'Giá trị không đúng dạng.';
  }
  if (v.patternMismatch) {
    return el.title ? 'Không đúng dạng: ' + el.title : 'Giá trị không đúng dạng yêu cầu.';
  }
  return '';
}

document.addEventListener('DOMContentLoaded', function () {
  document.querySelectorAll('form[data-busy]').forEach(function (form) {
    form.addEventListener('submit', function () {
      var busy = document.getElementById(form.dataset.busy);
      if (busy) { busy.hidden = false; }
    });
  });
  document.querySelectorAll('a[data-back]').forEach(function (link) {
    link.addEventListener('click', function (event) {
      if (window.history.length > 1) { event.preventDefault(); window.history.back(); }
    });
  });
  var job = document.querySelector('[data-job-url]');
  if (job) { followJob(job); }
  var recompute = document.querySelector('[data-recompute-url]');
  if (recompute) { followRecompute(recompute); }
  document.querySelectorAll('form[data-ballot]').forEach(ballotForm);
  document.querySelectorAll('datalist[data-search]').forEach(searchedList);
  document.querySelectorAll('input[type=file]').forEach(filePicker);
});

function filePicker(input) {
  var pick = document.createElement('span');
  pick.className = 'file-pick';
  var button = document.createElement('button');
  button.type = 'button';
  button.textContent = input.multiple ? 'Chọn các tệp…' : 'Chọn tệp…';
  var label = input.closest('label');  // named by its field («Tệp Excel (.xlsx): chọn tệp»)
  var caption = label && label.querySelector('span');
  if (caption) { button.setAttribute('aria-label', caption.textContent.trim() + ': chọn tệp'); }
  var name = document.createElement('span');
  name.className = 'file-name';
  name.setAttribute('aria-live', 'polite');
  function show() {
    var names = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
    name.textContent = names.length ? names.join(', ') : 'Chưa chọn tệp';
  }
  button.addEventListener('click', function () { input.click(); });
  input.addEventListener('change', show);
  input.classList.add('file-native');
  input.tabIndex = -1;  // the button is what the keyboard reaches
  pick.appendChild(button);
  pick.appendChild(name);
  input.parentNode.insertBefore(pick, input.nextSibling);
  show();
}

function searchedList(list) {
  var timer = null, asked = '';
  function ask(text) {
    asked = text;
    var url = list.dataset.search + '?per_page=30&q=' + encodeURIComponent(text);
    fetch(url, {credentials: 'same-origin', headers: {'Accept': 'application/json'}})
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (data) {
        if (!data || asked !== text) { return; }  // a later text was asked meanwhile
        var have = {};
        Array.prototype.forEach.call(list.options, function (o) { have[o.value] = true; });
        data.items.forEach(function (unit) {
          var value = unit.code + ' — ' + unit.name;
          if (!have[value]) {
            var option = document.createElement('option');
            option.value = value;
            list.appendChild(option);
            have[value] = true;
          }
        });
      })
      .catch(function () { /* the choices sent with the page stay; any code may be typed */ });
  }
  document.querySelectorAll('input[list="' + list.id + '"]').forEach(function (input) {
    input.addEventListener('input', function () {
      var text = input.value.trim();
      clearTimeout(timer);
      if (text.length < 2 || text.indexOf(' — ') >= 0) { return; }  // too short, or chosen
      timer = setTimeout(function () { ask(text); }, 250);
    });
  });
}

function ballotForm(form) {
  var names = [];
  form.querySelectorAll('input[type=radio]').forEach(function (r) {
    if (names.indexOf(r.name) < 0) { names.push(r.name); }
  });
  var counts = form.querySelectorAll('[data-ballot-count]');
  function update() {
    var chosen = form.querySelectorAll('input[type=radio]:checked').length;
    counts.forEach(function (el) {
      el.hidden = false;
      el.textContent = 'Đã chọn ' + chosen + '/' + names.length +
        (chosen < names.length ? ' (còn ' + (names.length - chosen) + ')' : ' — đủ');
    });
  }
  form.addEventListener('change', update);
  form.querySelectorAll('[data-ballot-fill]').forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', function () {
      var scope = button.closest('[data-ballot-group]') || form;
      scope.querySelectorAll('input[type=radio][value=yes]').forEach(function (yes) {
        if (!form.querySelector('input[name="' + yes.name + '"]:checked')) { yes.checked = true; }
      });
      update();
    });
  });
  update();
}

function followRecompute(note) {
  var text = note.querySelector('[data-recompute-text]');
  function tick() {
    fetch(note.dataset.recomputeUrl, {headers: {'Accept': 'application/json'}, credentials: 'same-origin'})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (j) {
        if (!j) { return; }  // not readable by this account: the note stays as it is
        if (j.status === 'done') {
          note.className = 'flash info';
          text.textContent = 'Đã tính lại xong; tải lại trang để xem kết quả mới.';
        } else if (j.status === 'failed') {
          note.className = 'flash error';
          text.textContent = 'Tính lại không thành công: ' + (j.message || 'lỗi không rõ') + '.';
        } else {
          setTimeout(tick, 1500);
        }
      })
      .catch(function () { setTimeout(tick, 5000); });
  }
  tick();
}

function followJob(box) {
  var labels = {queued: 'đang chờ', running: 'đang chạy', done: 'hoàn thành', failed: 'lỗi'};
  function tick() {
    fetch(box.dataset.jobUrl, {headers: {'Accept': 'application/json'}, credentials: 'same-origin'})
      .then(function (r) { return r.json(); })
      .then(function (j) {
        document.getElementById('job-status').textContent = j.status_label || labels[j.status] || j.status;
        document.getElementById('job-progress').value = j.percent;
        document.getElementById('job-count').textContent = j.total ? j.done + '/' + j.total : '';
        document.getElementById('job-message').textContent = j.message || '';
        if (j.download_url) {  // an export job: its file, once written
          var download = document.getElementById('job-download');
          if (download) { download.querySelector('a').href = j.download_url; download.hidden = false; }
        }
        if (j.result_url) {  // a job whose result has a page of its own (a proposed list)
          var result = document.getElementById('job-result');
          if (result) {
            var link = result.querySelector('a');
            link.href = j.result_url;
            link.textContent = j.result_label || link.textContent;
            result.hidden = false;
          }
        }
        box.dispatchEvent(new CustomEvent('job:update', {detail: j}));
        if (j.status === 'queued' || j.status === 'running') { setTimeout(tick, 1000); }
      })
      .catch(function () { setTimeout(tick, 3000); });
  }
  if (box.hasAttribute('data-live')) { tick(); }
}

document.addEventListener('submit', function (event) {
  var message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) { event.preventDefault(); }
});

// <form data-unsaved-year="YEAR" data-unsaved-unit="CODE"> (sending a rating list): rows of the
// unit's entry grids (or of this page's list) typed in this browser and never saved (grid.js keeps them, "grid:YEAR:UNIT:TABLE:CODE") are
// named first; sending now would send their old values.
document.addEventListener('submit', function (event) {
  var year = event.target.dataset && event.target.dataset.unsavedYear;
  if (!year || event.defaultPrevented) { return; }
  var unit = event.target.dataset.unsavedUnit;
  var codes = {};
  document.querySelectorAll('tr[data-code]').forEach(function (tr) { codes[tr.dataset.code] = true; });
  var found = [];
  try {
    for (var i = 0; i < window.localStorage.length; i++) {
      var key = window.localStorage.key(i);
      var parts = key.split(':');
      var code = parts[parts.length - 1];
      var mine = parts[2] === unit || codes[code];  // this unit's grid, or a row of this list
      if (parts[0] === 'grid' && parts[1] === year && mine && found.indexOf(code) === -1) { found.push(code); }
    }
  } catch (e) { return; }
  if (!found.length) { return; }
  var question = 'Bảng nhập liệu trên trình duyệt này còn ' + found.length + ' dòng đã gõ nhưng chưa lưu (' +
    found.slice(0, 5).join(', ') + (found.length > 5 ? ', …' : '') + '). Gửi duyệt bây giờ sẽ gửi giá trị cũ của các dòng đó.\n\n' +
    'Bấm «OK» để vẫn gửi duyệt, «Hủy» để quay lại bảng nhập liệu và lưu.';
  if (!window.confirm(question)) { event.preventDefault(); }
});

document.addEventListener('DOMContentLoaded', function () {
  document.querySelectorAll('select[data-kinds-for]').forEach(function (select) {
    var subject = select.form && select.form.elements[select.dataset.kindsFor];
    if (!subject) { return; }
    function offer() {
      var first = null;
      Array.prototype.forEach.call(select.options, function (option) {
        var fits = (option.dataset.kinds || '').split(' ').indexOf(subject.value) !== -1;
        option.hidden = !fits;
        option.disabled = !fits;
        if (fits && first === null) { first = option; }
      });
      var chosen = select.options[select.selectedIndex];
      if ((!chosen || chosen.disabled) && first) { select.value = first.value; }
    }
    subject.addEventListener('change', offer);
    offer();
  });
});

function fileNameOf(res, fallback) {
  var header = res.headers.get('Content-Disposition') || '';
  var star = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (star) { try { return decodeURIComponent(star[1]); } catch (e) { /* the plain name */ } }
  var plain = /filename="?([^";]+)"?/i.exec(header);
  return plain ? plain[1] : fallback;
}

document.addEventListener('click', function (event) {
  var link = event.target.closest ? event.target.closest('a[data-export-pdf]') : null;
  if (!link || !window.fetch || !window.URL || !window.URL.createObjectURL) { return; }
  event.preventDefault();
  if (link.dataset.running) { return; }
  link.dataset.running = '1';
  link.setAttribute('aria-disabled', 'true');
  var note = link.parentNode.querySelector('.pdf-status[data-for="' + link.dataset.exportPdf + link.dataset.unit + '"]');
  if (!note) {
    note = document.createElement('span');
    note.className = 'pdf-status muted small';
    note.setAttribute('role', 'status');
    note.dataset.for = link.dataset.exportPdf + link.dataset.unit;
    link.parentNode.insertBefore(note, link.nextSibling);
  }
  note.classList.remove('error');
  var started = Date.now();
  function seconds() { return Math.round((Date.now() - started) / 1000); }
  function tick() {
    note.textContent = ' Đang tạo bản in… ' + seconds() + ' giây (danh sách lớn có thể mất vài phút; không cần bấm lại).';
  }
  tick();
  var timer = setInterval(tick, 1000);
  fetch(link.href, {credentials: 'same-origin'}).then(function (res) {
    if (!res.ok) {
      return res.json().then(function (data) {
        throw new Error((data && data.error && data.error.message) || 'Không tạo được bản in.');
      }, function () { throw new Error('Không tạo được bản in (lỗi ' + res.status + ').'); });
    }
    var name = fileNameOf(res, 'ban_in.pdf');
    return res.blob().then(function (blob) {
      var url = window.URL.createObjectURL(blob);
      var save = document.createElement('a');
      save.href = url;
      save.download = name;
      document.body.appendChild(save);
      save.click();
      save.parentNode.removeChild(save);
      setTimeout(function () { window.URL.revokeObjectURL(url); }, 60000);
      note.textContent = ' Đã tạo bản in ' + name + ' (' + seconds() + ' giây).';
    });
  }).catch(function (err) {
    note.textContent = ' ' + (err && err.message ? err.message : 'Lỗi mạng: chưa tạo được bản in, thử lại.');
    note.classList.add('error');
  }).then(function () {
    clearInterval(timer);
    delete link.dataset.running;
    link.removeAttribute('aria-disabled');
  });
});

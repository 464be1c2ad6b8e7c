/* The desk's keys and fetch calls. No framework and no inline script (the CSP forbids it).
   Every action has a key; a decision posts with fetch and the next item is swapped in. */
(function () {
  "use strict";
  var $ = function (sel, root) { return (root || document).querySelector(sel); };
  var $$ = function (sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); };
  var csrf = function () { var m = $('meta[name="csrf-token"]'); return m ? m.content : ""; };
  var toastTimer = null;

  function toast(message, bad) {
    var box = $("#toast");
    if (!box || !message) return;
    box.textContent = message;
    box.className = bad ? "bad" : "good";
    box.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { box.hidden = true; }, bad ? 6000 : 3000);
  }

  function isTyping(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
  }

  function filters() { var q = $("#queue-list"); return q ? q.dataset.filters || "" : ""; }

  function get(url) {
    return fetch(url, { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
      .then(function (r) {
        if (r.status === 401) { window.location.href = "/login"; return null; }
        if (!r.ok) { toast(r.status + " " + r.statusText, true); return null; }
        return r.text();
      });
  }

  function focusItem() {
    var input = $("#panel #value");
    if (input) { input.focus(); input.select(); return; }
    if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
  }

  function refreshQueue(current) {
    return get("/desk/queue?" + filters() + "&current=" + (current || "")).then(function (html) {
      if (html === null) return;
      $("#queue-list").innerHTML = html;
      var here = $("#queue-list li.current");
      if (here) here.scrollIntoView({ block: "nearest" });
    });
  }

  function showPanel(url, id) {
    return get(url).then(function (html) {
      if (html === null) return;
      $("#panel").innerHTML = html;
      var q = filters();
      history.replaceState(null, "", "/desk?" + q + (id ? (q ? "&" : "") + "item=" + id : ""));
      return refreshQueue(id).then(focusItem);
    });
  }

  function showItem(id) { return showPanel("/desk/panel/" + id + "?" + filters(), id); }
  function showEmpty() { return showPanel("/desk/empty?" + filters(), null); }

  function decide(form, submitter) {
    var body = new URLSearchParams(new FormData(form, submitter));
    return fetch(form.getAttribute("action"), {  // not form.action: a control named "action" shadows it
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "X-CSRF-Token": csrf() }
    }).then(function (r) {
      if (r.status === 401) { window.location.href = "/login"; return null; }
      return r.json().catch(function () { return {}; }).then(function (answer) {
        if (!r.ok) { toast(answer.message || (r.status + " " + r.statusText), true); return null; }
        toast(answer.message, false);
        return answer.next ? showItem(answer.next) : showEmpty();
      });
    });
  }

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.classList.contains("decide")) return;
    ev.preventDefault();
    if (form.dataset.busy) return;
    form.dataset.busy = "1";
    decide(form, ev.submitter).finally(function () { delete form.dataset.busy; });
  });

  document.addEventListener("click", function (ev) {
    var link = ev.target.closest("a[data-item]");
    if (!link || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button !== 0) return;
    ev.preventDefault();
    showItem(link.dataset.item);
  });

  function step(by) {
    var links = $$("#queue-list a[data-item]");
    var item = $("#panel .item");
    var at = item ? links.findIndex(function (a) { return a.dataset.item === item.dataset.item; }) : -1;
    var next = at < 0 ? 0 : at + by;
    if (next >= 0 && next < links.length) showItem(links[next].dataset.item);
  }

  function press(selector) {
    var button = $(selector);
    if (button) button.click();
  }

  function togglePage() {
    var view = $("#panel .pageview");
    if (!view) return;
    if (view.hidden && !view.firstChild) {
      var img = document.createElement("img");
      img.src = view.dataset.src;
      img.alt = "";
      view.appendChild(img);
    }
    view.hidden = !view.hidden;
  }

  function reload() {
    fetch("/desk/sync?" + filters(), {
      method: "POST", credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "X-CSRF-Token": csrf() }
    }).then(function () {
      var item = $("#panel .item");
      if (item) return refreshQueue(item.dataset.item);
      return refreshQueue(null).then(function () {
        var first = $("#queue-list a[data-item]");
        if (first) return showItem(first.dataset.item);
      });
    });
  }

  document.addEventListener("keydown", function (ev) {
    var item = $("#panel .item");
    var kind = item ? item.dataset.kind : null;
    var target = ev.target;
    if (ev.key === "Escape") {
      if (isTyping(target)) target.blur();
      var view = $("#panel .pageview");
      if (view && !view.hidden) view.hidden = true;
      return;
    }
    if (kind === "page" && ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      press('#panel form.decide button[value="save"]');
      return;
    }
    if (isTyping(target)) {
      if (target.id === "note" && ev.key === "Enter") { ev.preventDefault(); press("#more-info"); }
      return;  // Enter in the value box submits its form (the first button: save)
    }
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var key = ev.key.length === 1 ? ev.key.toLowerCase() : ev.key;
    var handled = true;
    if (key === "j" || key === "ArrowDown") step(1);
    else if (key === "k" || key === "ArrowUp") step(-1);
    else if (key === "r") reload();
    else if (key === "f") { var sel = $("#filters select"); if (sel) sel.focus(); }
    else if (key === "l") press("#lang-form button:not(.on)");
    else if (key === "v") togglePage();
    else if (kind === "field" && key === "e") focusItem();
    else if (kind === "field" && key === "x") press('#panel button[value="empty"]');
    else if (kind === "field" && key === "Enter") press('#panel button[value="save"]');
    else if (kind === "match" && /^[1-5]$/.test(key)) press('#panel button[data-key="' + key + '"]');
    else if (kind === "match" && (key === "0" || key === "n")) press('#panel button[value="none"]');
    else if (kind === "match" && key === "m") { var note = $("#note"); if (note) note.focus(); }
    else if (kind === "page" && (key === "e" || key === "i")) { var first = $("#first-field"); if (first) first.focus(); }
    else if (kind === "page" && key === "x") press('#panel button[value="unreadable"]');
    else handled = false;
    if (handled) ev.preventDefault();
  });

  document.addEventListener("DOMContentLoaded", function () {
    if ($("#panel")) focusItem();
  });
})();

// sohoa: what HTML cannot do alone. Everything works without it; with it:
// upload with a progress bar per file and a live list, the page viewer's
// zoom, and a word of the OCR text shown on the image.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  document.addEventListener("htmx:configRequest", function (e) { e.detail.headers["X-CSRF-Token"] = csrf; });

  function el(tag, attrs, text) {
    var n = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { n.setAttribute(k, attrs[k]); });
    if (text) { n.textContent = text; }
    return n;
  }

  // Upload: each file (or all of them as one document) sent with its own
  // progress bar; the documents made join the live list.
  var form = document.getElementById("upload");
  if (form) {
    // Only the fields of the type chosen are shown and sent.
    var typeSel = form.elements.type, typeSets = form.querySelectorAll("fieldset[data-type]");
    var showType = function () {
      Array.prototype.forEach.call(typeSets, function (fs) {
        var on = fs.getAttribute("data-type") === typeSel.value;
        fs.hidden = !on; fs.disabled = !on;
      });
    };
    typeSel.addEventListener("change", showType); showType();
    var input = document.getElementById("file"), folder = document.getElementById("folder");
    var drop = document.getElementById("drop"), progress = document.getElementById("progress"), rows = document.getElementById("rows");
    var picked = [];
    function pick(files) {
      picked = Array.prototype.slice.call(files).filter(function (f) { return f.size > 0 && f.name.charAt(0) !== "."; });
      picked.sort(function (a, b) { return (a.webkitRelativePath || a.name).localeCompare(b.webkitRelativePath || b.name, "vi", { numeric: true }); });
      input.required = picked.length === 0;
    }
    input.addEventListener("change", function () { pick(input.files); });
    folder.addEventListener("change", function () { pick(folder.files); });
    drop.addEventListener("dragover", function (e) { e.preventDefault(); drop.classList.add("over"); });
    drop.addEventListener("dragleave", function () { drop.classList.remove("over"); });
    drop.addEventListener("drop", function (e) {
      e.preventDefault(); drop.classList.remove("over");
      var items = e.dataTransfer.items, files = [], pending = 0;
      function done() { if (pending === 0) { pick(files); announce(files.length + " tệp đã chọn."); } }
      function walk(entry) {
        pending++;
        if (entry.isFile) { entry.file(function (f) { files.push(f); pending--; done(); }, function () { pending--; done(); }); return; }
        var reader = entry.createReader();
        (function more() {
          reader.readEntries(function (es) { if (es.length === 0) { pending--; done(); return; } es.forEach(walk); more(); });
        })();
      }
      for (var i = 0; i < items.length; i++) {
        var entry = items[i].webkitGetAsEntry && items[i].webkitGetAsEntry();
        if (entry) { walk(entry); }
      }
      if (pending === 0) { files = Array.prototype.slice.call(e.dataTransfer.files); done(); }
    });
    function announce(text) { var p = el("li", {}, text); progress.appendChild(p); }
    form.addEventListener("submit", function (e) {
      var files = picked.length ? picked : Array.prototype.slice.call(input.files);
      if (!files.length) { return; }
      e.preventDefault();
      var each = form.querySelector('input[name="each"]:checked').value === "1";
      var groups = each ? files.map(function (f) { return [f]; }) : [files];
      var fields = new FormData(form);
      fields.delete("file");
      groups.forEach(function (group) { send(group, fields); });
      input.value = ""; folder.value = ""; form.elements.title.value = ""; picked = [];
    });
    function send(group, fields) {
      var data = new FormData();
      fields.forEach(function (v, k) { if (k !== "each") { data.append(k, v); } });
      group.forEach(function (f) { data.append("file", f, f.name); });
      var name = group.length === 1 ? group[0].name : group.length + " tệp (" + group[0].name + "…)";
      var item = el("li"), label = el("span", {}, name + ": đang gửi"), bar = el("progress", { max: "100", value: "0", "aria-label": "Tiến độ gửi " + name });
      item.appendChild(label); item.appendChild(bar); progress.appendChild(item);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.getAttribute("action"));
      xhr.setRequestHeader("X-Requested-With", "sohoa");
      xhr.setRequestHeader("X-CSRF-Token", csrf);
      xhr.upload.addEventListener("progress", function (ev) {
        if (ev.lengthComputable) { bar.value = Math.round(100 * ev.loaded / ev.total); }
      });
      xhr.addEventListener("load", function () {
        if (xhr.status === 200) {
          item.remove();
          var tpl = document.createElement("template");
          tpl.innerHTML = xhr.responseText;
          Array.prototype.slice.call(tpl.content.children).forEach(function (row) {
            rows.insertBefore(row, rows.firstChild);
          });
          poll();
        } else {
          bar.remove();
          label.textContent = name + ": không gửi được. " + (xhr.responseText || "Lỗi " + xhr.status);
          item.className = "why";
        }
      });
      xhr.addEventListener("error", function () { label.textContent = name + ": mất kết nối, chưa gửi được. Hãy gửi lại."; item.className = "why"; });
      xhr.send(data);
    }
    // The live list: the rows still pending, asked for in one request every
    // two seconds, each replaced by its new self, until none is pending.
    var polling = false;
    function poll() {
      if (polling) { return; }
      var pending = rows.querySelectorAll("li[data-pending]");
      if (!pending.length) { return; }
      polling = true;
      var q = Array.prototype.map.call(pending, function (li) { return "id=" + encodeURIComponent(li.dataset.id); }).join("&");
      setTimeout(function () {
        fetch("/tai-len/trang-thai?" + q, { headers: { "X-Requested-With": "sohoa" }, credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.text() : ""; })
          .then(function (html) {
            var tpl = document.createElement("template");
            tpl.innerHTML = html;
            Array.prototype.slice.call(tpl.content.children).forEach(function (row) {
              var old = document.getElementById(row.id);
              if (old) { old.replaceWith(row); }
            });
          })
          .catch(function () {})
          .then(function () { polling = false; poll(); });
      }, 2000);
    }
    poll();
  }

  // The page viewer: zoom, and a word of the text shown where it is.
  var viewer = document.getElementById("viewer");
  if (viewer) {
    var img = viewer.querySelector("img"), scale = 1, w = +viewer.dataset.width, h = +viewer.dataset.height;
    document.querySelectorAll("[data-zoom]").forEach(function (b) {
      b.addEventListener("click", function () {
        var z = +b.dataset.zoom;
        scale = z === 0 ? 1 : Math.max(1, Math.min(4, scale * (z > 0 ? 1.5 : 1 / 1.5)));
        viewer.classList.toggle("zoomed", scale > 1);
        img.style.width = scale > 1 ? (scale * viewer.clientWidth) + "px" : "";
        boxes();
      });
    });
    function box(span, cls) {
      var c = span.dataset.box.split(",").map(Number), b = el("div", { "class": "box " + cls, "aria-hidden": "true" });
      b.dataset.box = span.dataset.box;
      viewer.appendChild(b);
      place(b, c);
      return b;
    }
    function place(b, c) {
      var k = img.clientWidth / w;
      b.style.left = (c[0] * k) + "px"; b.style.top = (c[1] * k) + "px";
      b.style.width = ((c[2] - c[0]) * k) + "px"; b.style.height = ((c[3] - c[1]) * k) + "px";
    }
    function boxes() {
      viewer.querySelectorAll(".box").forEach(function (b) { place(b, b.dataset.box.split(",").map(Number)); });
    }
    function show(span) {
      viewer.querySelectorAll(".box.picked").forEach(function (b) { b.remove(); });
      document.querySelectorAll(".w.on").forEach(function (s) { s.classList.remove("on"); });
      span.classList.add("on");
      var b = box(span, "picked");
      viewer.scrollTo({ top: Math.max(0, b.offsetTop - viewer.clientHeight / 3), left: Math.max(0, b.offsetLeft - 40), behavior: "smooth" });
    }
    var words = document.getElementById("ocr");
    function ready() {
      // Boxes are on the image as scanned, which is the one shown.
      document.querySelectorAll(".w.mark, .show-box.mark").forEach(function (s) { box(s, "marked"); });
    }
    if (img.complete) { ready(); } else { img.addEventListener("load", ready); }
    window.addEventListener("resize", boxes);
    // A row of a register's table, far below the image: bring the image
    // into view, then the row on it.
    document.querySelectorAll(".show-box").forEach(function (b) {
      b.addEventListener("click", function () { viewer.scrollIntoView({ block: "start" }); show(b); });
    });
    if (words) {
      words.addEventListener("click", function (e) { if (e.target.classList.contains("w")) { show(e.target); } });
      words.addEventListener("keydown", function (e) {
        if ((e.key === "Enter" || e.key === " ") && e.target.classList.contains("w")) { e.preventDefault(); show(e.target); }
      });
    }
  }
})();

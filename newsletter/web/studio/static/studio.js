// studio.js: small improvements over the server-rendered studio; every page works without it.
// Live character counts, block reordering in the page, a live email preview, preview widths,
// and dragging issues on the queue calendar to reschedule them.
(function () {
  "use strict";

  function counts() {
    document.querySelectorAll("[data-count-for]").forEach(function (badge) {
      var field = document.getElementById(badge.dataset.countFor);
      var max = parseInt(badge.dataset.max, 10);
      function update() {
        var n = field.value.length;
        badge.textContent = n + " / " + max;
        badge.classList.toggle("over", n >= max);
      }
      field.addEventListener("input", update);
      update();
    });
  }

  function livePreview(form) {
    var button = form.querySelector("[data-preview-button]");
    var timer = null;
    function refresh() {
      clearTimeout(timer);
      timer = setTimeout(function () { form.requestSubmit(button); }, 600);
    }
    form.addEventListener("input", refresh);
    return refresh;
  }

  function renumber(container) {
    container.querySelectorAll("[data-block]").forEach(function (block, i) {
      var position = block.querySelector("[data-position]");
      if (position) { position.textContent = String(i + 1); }
    });
  }

  function blocks(form, refresh) {
    var container = document.getElementById("blocks");
    if (!container) { return; }
    form.addEventListener("click", function (event) {
      var button = event.target.closest("[data-move], [data-remove]");
      if (!button) { return; }
      event.preventDefault();
      var block = button.closest("[data-block]");
      if (button.hasAttribute("data-remove")) {
        block.remove();
      } else if (button.dataset.move === "up" && block.previousElementSibling) {
        container.insertBefore(block, block.previousElementSibling);
      } else if (button.dataset.move === "down" && block.nextElementSibling) {
        container.insertBefore(block.nextElementSibling, block);
      }
      renumber(container);
      if (document.body.contains(button)) { button.focus(); }
      refresh();
    });
  }

  function widths() {
    var frame = document.getElementById("preview-frame");
    document.querySelectorAll("[data-width]").forEach(function (button) {
      button.addEventListener("click", function () {
        frame.classList.toggle("phone", button.dataset.width === "phone");
        document.querySelectorAll("[data-width]").forEach(function (other) {
          other.setAttribute("aria-pressed", String(other === button));
        });
      });
    });
  }

  function calendar() {
    var grid = document.querySelector(".calendar");
    if (!grid) { return; }
    var dragged = null;
    grid.addEventListener("dragstart", function (event) {
      dragged = event.target.closest("[data-reschedule]");
      if (dragged) { event.dataTransfer.setData("text/plain", dragged.textContent); }
    });
    grid.addEventListener("dragover", function (event) {
      var day = event.target.closest(".day");
      if (dragged && day && !day.classList.contains("past")) {
        event.preventDefault();
        day.classList.add("over");
      }
    });
    grid.addEventListener("dragleave", function (event) {
      var day = event.target.closest(".day");
      if (day) { day.classList.remove("over"); }
    });
    grid.addEventListener("drop", function (event) {
      var day = event.target.closest(".day");
      if (!dragged || !day) { return; }
      event.preventDefault();
      day.classList.remove("over");
      var body = new FormData();
      body.append("csrf_token", grid.dataset.csrf);
      body.append("version", dragged.dataset.version);
      body.append("send_at", day.dataset.date + "T" + dragged.dataset.time);
      fetch(dragged.dataset.reschedule, {method: "POST", body: body, credentials: "same-origin",
                                         headers: {"X-Requested-With": "studio"}})
        .then(function (answer) {
          return answer.text().then(function (text) {
            if (!answer.ok) { window.alert(text); }
            window.location.reload();
          });
        });
      dragged = null;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    counts();
    var form = document.getElementById("issue-form");
    if (form) {
      var refresh = livePreview(form);
      blocks(form, refresh);
      widths();
    }
    calendar();
  });
})();

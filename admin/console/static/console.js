// console.js is the console's one script. Every page works without it: it
// makes the user search live (the results follow as you type) and adds a
// copy button to a new token's secret.
(function () {
  "use strict";

  // live refreshes the element named by form.dataset.live from the form's
  // own page, as the form is filled in, and keeps the address in step so
  // that Back, reload and a shared link show the same results.
  function live(form) {
    var target = document.getElementById(form.dataset.live);
    if (!target) {
      return;
    }
    var timer = 0;
    var pending = null;
    var shown = location.search.replace(/^\?/, "");

    function query() {
      var params = new URLSearchParams();
      new FormData(form).forEach(function (value, key) {
        if (value !== "") {
          params.append(key, value);
        }
      });
      return params.toString();
    }

    function run() {
      var qs = query();
      if (qs === shown) {
        return;
      }
      var url = form.action + (qs ? "?" + qs : "");
      if (pending) {
        pending.abort();
      }
      pending = new AbortController();
      form.setAttribute("aria-busy", "true");
      fetch(url, { signal: pending.signal, credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (resp) {
          if (!resp.ok || resp.redirected) {
            // A refusal or an ended session: let the browser show it.
            throw new Error("navigate");
          }
          return resp.text();
        })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.getElementById(target.id);
          if (!fresh) {
            throw new Error("navigate");
          }
          target.replaceWith(fresh);
          target = fresh;
          shown = qs;
          history.replaceState(null, "", url);
        })
        .catch(function (err) {
          if (err.name !== "AbortError") {
            location.assign(url);
          }
        })
        .finally(function () {
          form.removeAttribute("aria-busy");
        });
    }

    form.addEventListener("input", function (ev) {
      clearTimeout(timer);
      timer = setTimeout(run, ev.target.tagName === "SELECT" ? 0 : 200);
    });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      clearTimeout(timer);
      run();
    });
  }

  // copyButton copies the text of the element its data-copy names.
  function copyButton(button) {
    var source = document.getElementById(button.dataset.copy);
    if (!source || !navigator.clipboard) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        button.textContent = "Copied";
      });
    });
  }

  document.querySelectorAll("form[data-live]").forEach(live);
  document.querySelectorAll("button[data-copy]").forEach(copyButton);

  // "/" jumps to the search box, as on most sites with one.
  document.addEventListener("keydown", function (ev) {
    var box = document.getElementById("q");
    var tag = (ev.target.tagName || "").toLowerCase();
    if (ev.key === "/" && box && tag !== "input" && tag !== "textarea" && tag !== "select" && !ev.ctrlKey && !ev.metaKey) {
      ev.preventDefault();
      box.focus();
    }
  });
})();

/* gitdesk: run a page script on every page, including those Material's instant navigation
   swaps in (document$), or once the document is ready when that is off. Shared by the blocks below. */
window.gitdeskOnEveryPage = function (fn) {
  "use strict";
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(fn);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fn);
  } else {
    fn();
  }
};

/* gitdesk: carry the article a reader came from (?article=...) into the ticket they open.
   Runs on every page but only acts where the "open-ticket" placeholder rendered its links.
   Text is set with textContent and values are URL-encoded: nothing from the URL becomes HTML. */
(function () {
  "use strict";
  function apply() {
    var params = new URLSearchParams(window.location.search);
    var article = params.get("article");
    if (!article || !/^[A-Za-z0-9][A-Za-z0-9._\/-]{0,200}\.md$/.test(article)) return;
    var note = document.querySelector(".gitdesk-article-note");
    if (note) {
      note.textContent = (document.documentElement.lang === "es" ? "Sobre el artículo: "
        : document.documentElement.lang === "pt" ? "Sobre o artigo: " : "About the article: ") + article;
      note.hidden = false;
    }
    document.querySelectorAll("a.gitdesk-ticket-link").forEach(function (a) {
      try {
        var url = new URL(a.href);
        url.searchParams.set("article", article);
        a.href = url.toString();
      } catch (e) { /* leave the link as it is */ }
    });
    document.querySelectorAll("a.gitdesk-mail-link").forEach(function (a) {
      var href = a.getAttribute("href") || "";
      if (href.indexOf("mailto:") !== 0) return;
      var base = href.split("?")[0];
      var query = new URLSearchParams(href.split("?")[1] || "");
      var subject = query.get("subject") || "";
      var body = query.get("body");
      var out = base + "?subject=" + encodeURIComponent(subject + " (" + article + ")");
      var label = a.getAttribute("data-article-label");
      if (body !== null) out += "&body=" + encodeURIComponent(label ? body + label + ": " + article + "\n" : body);
      a.setAttribute("href", out);
    });
  }
  window.gitdeskOnEveryPage(apply);  /* Material's instant navigation too */
})();

/* gitdesk: accessibility fixes to the theme's markup (checked with axe-core, tests/accessibility).
   - The search overlay is a dialog: give it the accessible name of its search field.
   - A table too wide for the page scrolls inside a wrapper: make that wrapper reachable with the
     keyboard (tabindex, a named region), and only while it really scrolls. */
(function () {
  "use strict";
  var LABELS = { es: "Tabla (se desplaza en horizontal)", pt: "Tabela (desloca-se na horizontal)" };
  function label() {
    return LABELS[(document.documentElement.lang || "en").slice(0, 2)] || "Table (scrolls sideways)";
  }
  function fix() {
    var dialog = document.querySelector(".md-search[role=dialog]");
    var field = document.querySelector(".md-search__input");
    if (dialog && !dialog.hasAttribute("aria-label")) {
      dialog.setAttribute("aria-label", (field && field.getAttribute("aria-label")) || "Search");
    }
    document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        if (!wrap.hasAttribute("aria-label")) wrap.setAttribute("aria-label", label());
      } else if (wrap.getAttribute("tabindex") === "0") {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    });
  }
  var pending = null;
  function later() {
    if (pending) return;
    pending = window.requestAnimationFrame(function () { pending = null; fix(); });
  }
  if (window.MutationObserver) {
    new MutationObserver(later).observe(document.documentElement, { childList: true, subtree: true });
  }
  window.addEventListener("resize", later);
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(later);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fix);
  } else {
    fix();
  }
})();

/* gitdesk: the home page's own search box. The page only holds an empty box (a KB page may hold
   no inputs): the field and button are made here, and what is typed is handed to the theme's
   search (the language's own index, which also works from file://) by opening its dialog. */
(function () {
  "use strict";
  function search(query) {
    var toggle = document.querySelector("input[data-md-toggle=search]");
    var input = document.querySelector(".md-search__input");
    if (!toggle || !input) return;
    if (!toggle.checked) {
      toggle.checked = true;
      toggle.dispatchEvent(new Event("change"));
    }
    input.value = query;
    input.focus();
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }));
  }
  function build() {
    document.querySelectorAll("div.gitdesk-search:not([data-built])").forEach(function (box) {
      box.setAttribute("data-built", "1");
      var field = document.createElement("input");
      field.type = "search";
      field.className = "gitdesk-search__input";
      field.setAttribute("aria-label", box.getAttribute("aria-label") || "");
      field.placeholder = box.getAttribute("data-placeholder") || "";
      field.autocomplete = "off";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "md-button md-button--primary";
      button.textContent = box.getAttribute("data-button") || "Search";
      button.addEventListener("click", function () { search(field.value); });
      field.addEventListener("keydown", function (event) {
        if (event.key === "Enter") {
          event.preventDefault();
          search(field.value);
        }
      });
      box.textContent = "";
      box.appendChild(field);
      box.appendChild(button);
    });
  }
  window.gitdeskOnEveryPage(build);  /* Material's instant navigation too */
})();

/* gitdesk: "Did this solve your problem?" at the end of an article (site/feedback.py). The page
   holds an empty box whose data- attributes carry the texts and where a vote goes; the buttons,
   reasons and comment field are made here (a KB page may hold no inputs). Send opens a
   prefilled e-mail or GitHub issue carrying the article's marker line, or posts the vote to
   gitdesk serve's /feedback. Only textContent and URLs are set: no markup from the page. */
(function () {
  "use strict";
  var seq = 0;
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text) node.textContent = text;
    return node;
  }
  function send(box, status, helpful, reason, comment) {
    var d = function (name) { return box.getAttribute("data-" + name) || ""; };
    var channel = d("channel");
    box.setAttribute("data-sent", helpful ? "yes" : "no");
    if (channel === "serve") {
      var vote = { article: d("article"), vote: helpful ? "yes" : "no", reason: reason || null,
                   comment: comment || null, lang: d("lang") };
      fetch(d("target"), { method: "POST", headers: { "Content-Type": "application/json" },
                           body: JSON.stringify(vote), credentials: "same-origin" })
        .then(function (r) { status.textContent = r.status === 204 ? d("thanks") : d("failed"); })
        .catch(function () { status.textContent = d("failed"); });
      return;
    }
    var marker = d(helpful ? "marker-yes" : "marker-no") + (reason ? "&reason=" + encodeURIComponent(reason) : "");
    var body = (comment ? comment + "\n\n" : "") + "---\n" + marker + "\n" + d("keep") + "\n";
    var base = d("target");
    var url = base + (base.indexOf("?") < 0 ? "?" : "&") + (channel === "github" ? "title=" : "subject=") +
      encodeURIComponent(d("subject")) + "&body=" + encodeURIComponent(body);
    status.textContent = d("thanks") + " " + d("opened") + " ";
    var link = el("a", "gitdesk-feedback__link", d("send"));
    link.href = url;
    if (channel === "github") {
      link.target = "_blank";
      link.rel = "noopener noreferrer";
    }
    status.appendChild(link);
    if (channel === "github") window.open(url, "_blank", "noopener");
    else window.location.href = url;
  }
  function build() {
    document.querySelectorAll("div.gitdesk-feedback:not([data-built])").forEach(function (box) {
      var d = function (name) { return box.getAttribute("data-" + name) || ""; };
      box.setAttribute("data-built", "1");
      seq += 1;
      box.textContent = "";
      var question = el("p", "gitdesk-feedback__question");
      question.appendChild(el("strong", "", d("question")));
      question.appendChild(document.createTextNode(" "));
      var yes = el("button", "md-button gitdesk-feedback__yes", d("yes"));
      var no = el("button", "md-button gitdesk-feedback__no", d("no"));
      yes.type = no.type = "button";
      question.appendChild(yes);
      question.appendChild(document.createTextNode(" "));
      question.appendChild(no);
      var more = el("fieldset", "gitdesk-feedback__more");
      more.hidden = true;
      more.appendChild(el("legend", "", d("why")));
      d("reasons").split(" ").forEach(function (reason) {
        if (!/^[a-z-]+$/.test(reason)) return;
        var label = el("label", "gitdesk-feedback__reason");
        var radio = el("input");
        radio.type = "radio";
        radio.name = "gitdesk-feedback-reason-" + seq;
        radio.value = reason;
        label.appendChild(radio);
        label.appendChild(document.createTextNode(" " + d("reason-" + reason)));
        more.appendChild(label);
      });
      var commentLabel = el("label", "gitdesk-feedback__comment", d("comment"));
      var comment = el("textarea");
      comment.rows = 3;
      comment.maxLength = parseInt(d("max"), 10) || 1000;
      commentLabel.appendChild(comment);
      more.appendChild(commentLabel);
      var sendButton = el("button", "md-button md-button--primary gitdesk-feedback__send", d("send"));
      sendButton.type = "button";
      more.appendChild(sendButton);
      var status = el("p", "gitdesk-feedback__status");
      status.setAttribute("role", "status");
      function done() { yes.disabled = no.disabled = sendButton.disabled = true; }
      yes.addEventListener("click", function () { done(); more.hidden = true; send(box, status, true, null, ""); });
      no.addEventListener("click", function () { more.hidden = false; });
      sendButton.addEventListener("click", function () {
        var picked = more.querySelector("input[type=radio]:checked");
        done();
        send(box, status, false, picked ? picked.value : null, comment.value.trim());
      });
      box.appendChild(question);
      box.appendChild(more);
      box.appendChild(status);
    });
  }
  window.gitdeskOnEveryPage(build);  /* Material's instant navigation too */
})();

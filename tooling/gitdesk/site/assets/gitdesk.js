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
      var subject = decodeURIComponent((href.split("subject=")[1] || "").split("&")[0]);
      a.setAttribute("href", base + "?subject=" + encodeURIComponent(subject + " (" + article + ")"));
    });
  }
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(apply);  /* Material's instant navigation */
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", apply);
  } else {
    apply();
  }
})();

/* gitdesk (prepended to Material's search worker at build time): leave the language's stop words
   out of a query. Material ends every query term with a wildcard ("no" -> "no*"), and lunr runs
   no pipeline on wildcard terms, so a stop word was never dropped and "no" matched every page
   with a word starting with "no" (Northwind...). The stop-word lists are lunr's own, per index
   language (lunr.es.stopWordFilter...). A query of stop words only finds nothing. */
(function () {
  "use strict";
  var langs = ["en"];
  var add = self.addEventListener.bind(self);
  function isStopWord(word) {
    var lunr = self.lunr;
    if (!lunr) return false;
    return langs.some(function (lang) {
      var filter = lang === "en" ? lunr.stopWordFilter : lunr[lang] && lunr[lang].stopWordFilter;
      return typeof filter === "function" && filter(new lunr.Token(word)) === undefined;
    });
  }
  function clean(query) {
    if (/["+\-:^~*]/.test(query)) return query; /* an expert query: leave it as typed */
    return query.split(/\s+/).filter(function (word) {
      return word && !isStopWord(word.toLowerCase());
    }).join(" ");
  }
  self.addEventListener = function (type, listener, options) {
    if (type !== "message") return add(type, listener, options);
    return add(type, function (event) {
      var message = event.data;
      if (message && message.type === 0 && message.data && message.data.config && message.data.config.lang) {
        langs = message.data.config.lang;
      }
      if (message && message.type === 2 && typeof message.data === "string") {
        var query = clean(message.data);
        if (query !== message.data) event = { data: { type: 2, data: query } };
      }
      return listener(event);
    }, options);
  };
})();

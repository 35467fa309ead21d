/* gitdesk: Mermaid is not bundled with this offline site (Material would fetch it from unpkg.com).
   Diagrams stay as text; nothing is requested from another host. */
(function () { "use strict"; if (window.console) console.warn("gitdesk: Mermaid diagrams are not available offline"); })();

// The feedback receipt and its lookup, made easier where JavaScript runs;
// both pages work without it.
//
// On the receipt page: copy buttons for the receipt code and the secret,
// and a warning before leaving, since the secret is shown only once. On the
// lookup page: the receipt code from the QR code's link (/lookup#receipt=…)
// goes into its field, and the fragment is dropped from the address bar
// and the history.
(function () {
  "use strict";

  var receipt = document.querySelector(".fb-receipt[data-leave]");
  if (receipt) {
    var status = document.querySelector(".fb-copy-status");
    var say = function (text) {
      if (status) {
        status.textContent = text;
      }
    };
    // Selecting the text is the fallback where the Clipboard API is missing
    // (a site on plain HTTP) or refused: the text is then ready to copy.
    var select = function (el) {
      var range = document.createRange();
      range.selectNodeContents(el);
      var sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
    };
    var fallback = function (el, done) {
      select(el);
      var ok = false;
      try {
        ok = document.execCommand("copy");
      } catch (e) {
        ok = false;
      }
      say(ok ? done : status && status.dataset.failed);
    };
    document.querySelectorAll("button.fb-copy[data-copy]").forEach(function (button) {
      var el = document.getElementById(button.dataset.copy);
      if (!el) {
        return;
      }
      button.hidden = false;
      button.addEventListener("click", function () {
        var text = el.textContent.trim();
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(text).then(function () {
            say(button.dataset.done);
          }, function () {
            fallback(el, button.dataset.done);
          });
        } else {
          fallback(el, button.dataset.done);
        }
      });
    });
    var message = receipt.dataset.leave;
    window.addEventListener("beforeunload", function (e) {
      e.preventDefault();
      e.returnValue = message; // older browsers need it set; newer show their own text
      return message;
    });
  }

  var field = document.querySelector('form[action="/lookup"] #receipt');
  if (field && window.location.hash.length > 1) {
    var code = new URLSearchParams(window.location.hash.slice(1)).get("receipt");
    if (code && !field.value) {
      field.value = code.slice(0, 64);
      var secret = document.getElementById("secret");
      if (secret) {
        secret.focus();
      }
    }
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", window.location.pathname + window.location.search);
    }
  }
})();

/* Autosave for the review editor (no inline script: the Content Security Policy forbids it).
 *
 * Each section form (form[data-autosave]) posts itself with autosave=1 after 10 seconds
 * without typing, and when the focus leaves it. The server answers JSON: the new version
 * (kept in the form's expected_version), a conflict (the section is replaced by the view of
 * both texts, what was typed is put back, and autosave pauses), or 401/403 when the session
 * has ended: then the text stays in localStorage and a banner asks to sign in again. On the
 * next visit a draft newer than the saved section is offered for restoring.
 */
(function () {
  "use strict";

  var DELAY = 10000;
  var timers = {};
  var lastSent = {};

  function root() {
    return document.getElementById("review-content");
  }

  function draftKey(form) {
    return "migration-hub:review-draft:" + form.dataset.review + ":" + form.dataset.section;
  }

  function versionInput(form) {
    return form.querySelector('input[name$="expected_version"]');
  }

  function skipped(element) {
    return (
      !element.name ||
      element.name === "csrfmiddlewaretoken" ||
      element.name === "autosave" ||
      /expected_version$/.test(element.name) ||
      element.type === "submit" ||
      element.type === "button" ||
      element.type === "file"
    );
  }

  function fields(form) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (element) {
      if (skipped(element)) return;
      if (element.type === "checkbox" || element.type === "radio") {
        data[element.name] = data[element.name] || [];
        if (element.checked) data[element.name].push(element.value);
        return;
      }
      data[element.name] = element.value;
    });
    return data;
  }

  function fill(form, data) {
    Array.prototype.forEach.call(form.elements, function (element) {
      if (skipped(element) || !Object.prototype.hasOwnProperty.call(data, element.name)) return;
      var value = data[element.name];
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = Array.isArray(value) && value.indexOf(element.value) !== -1;
      } else if (typeof value === "string") {
        element.value = value;
      }
    });
  }

  function readDraft(form) {
    try {
      return JSON.parse(window.localStorage.getItem(draftKey(form)) || "null");
    } catch (error) {
      return null;
    }
  }

  function storeDraft(form) {
    try {
      window.localStorage.setItem(
        draftKey(form),
        JSON.stringify({ fields: fields(form), savedAt: Date.now() })
      );
    } catch (error) {
      /* storage full or refused: the server copy is all there is */
    }
  }

  function clearDraft(form) {
    try {
      window.localStorage.removeItem(draftKey(form));
    } catch (error) {
      /* nothing kept */
    }
  }

  function say(form, text) {
    var status = form.querySelector(".autosave-status");
    if (status) status.textContent = text || "";
  }

  function message(name) {
    var element = root();
    return (element && element.dataset[name]) || "";
  }

  function sessionEnded(form) {
    storeDraft(form);
    var banner = document.getElementById("session-banner");
    if (banner && banner.hidden) {
      banner.hidden = false;
    }
    say(form, message("msgKept"));
  }

  function replaceWithConflict(form, html) {
    var typed = fields(form);
    var section = form.closest("section.review-section");
    if (!section) return;
    var id = section.id;
    section.outerHTML = html;
    var fresh = document.getElementById(id);
    if (!fresh) return;
    var freshForm = fresh.querySelector("form[data-autosave]");
    if (freshForm) {
      fill(freshForm, typed);
      storeDraft(freshForm);
    }
    if (window.htmx) window.htmx.process(fresh);
    var alert = fresh.querySelector(".conflict");
    if (alert) {
      alert.setAttribute("tabindex", "-1");
      alert.focus();
    }
  }

  function autosave(form) {
    var key = draftKey(form);
    window.clearTimeout(timers[key]);
    delete timers[key];
    if (form.dataset.conflict || !document.body.contains(form)) return;
    var snapshot = JSON.stringify(fields(form));
    if (lastSent[key] === snapshot) return;
    var body = new FormData(form);
    body.set("autosave", "1");
    window
      .fetch(form.action, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        redirect: "manual",
        headers: { Accept: "application/json" },
      })
      .then(function (response) {
        // The section was replaced meanwhile (saved with the button, reloaded, their text
        // taken): this answer is about a form no longer on the page.
        if (!document.body.contains(form)) return null;
        if (
          response.type === "opaqueredirect" ||
          response.status === 401 ||
          response.status === 403
        ) {
          sessionEnded(form);
          return null;
        }
        return response.json().then(function (data) {
          if (response.ok && data.ok) {
            var input = versionInput(form);
            if (input) input.value = data.version;
            form.dataset.updated = data.updated_ms;
            lastSent[key] = snapshot;
            if (JSON.stringify(fields(form)) === snapshot) clearDraft(form);
            var banner = document.getElementById("session-banner");
            if (banner) banner.hidden = true;
            say(form, data.message);
          } else if (response.status === 409 && data.html) {
            replaceWithConflict(form, data.html);
          } else {
            storeDraft(form);
            say(form, data.message);
          }
        });
      })
      .catch(function () {
        storeDraft(form);
        say(form, message("msgOffline"));
      });
  }

  function schedule(form) {
    var key = draftKey(form);
    window.clearTimeout(timers[key]);
    timers[key] = window.setTimeout(function () {
      autosave(form);
    }, DELAY);
  }

  function formOf(target) {
    return target && target.closest ? target.closest("form[data-autosave]") : null;
  }

  function typed(event) {
    var form = formOf(event.target);
    if (!form || form.dataset.conflict) return;
    storeDraft(form);
    schedule(form);
  }

  function offerDrafts(scope) {
    Array.prototype.forEach.call(scope.querySelectorAll("form[data-autosave]"), function (form) {
      var draft = readDraft(form);
      if (!draft || !draft.fields) return;
      var same = JSON.stringify(draft.fields) === JSON.stringify(fields(form));
      if (same || draft.savedAt <= Number(form.dataset.updated || 0)) {
        clearDraft(form);
        return;
      }
      var offer = form.querySelector(".draft-offer");
      if (!offer) return;
      var time = offer.querySelector(".draft-time");
      if (time) time.textContent = new Date(draft.savedAt).toLocaleString(document.documentElement.lang);
      offer.hidden = false;
    });
  }

  document.addEventListener("input", typed);
  document.addEventListener("change", typed);
  document.addEventListener("focusout", function (event) {
    var form = formOf(event.target);
    if (!form || form.contains(event.relatedTarget)) return;
    if (timers[draftKey(form)]) autosave(form);
  });
  // Taking the other person's text after a conflict: the text typed here is dropped for good.
  // The link reloads the page where htmx has not yet taken it over, so it works either way.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest(".take-theirs") : null;
    var section = link && link.closest("section.review-section");
    var form = section && section.querySelector("form[data-autosave]");
    if (form) {
      window.clearTimeout(timers[draftKey(form)]);
      clearDraft(form);
    }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".draft-restore, .draft-discard") : null;
    if (!button) return;
    var form = formOf(button);
    if (!form) return;
    var offer = form.querySelector(".draft-offer");
    if (button.classList.contains("draft-restore")) {
      var draft = readDraft(form);
      if (draft && draft.fields) fill(form, draft.fields);
      if (offer) offer.hidden = true;
      say(form, message("msgRestored"));
      autosave(form);
    } else {
      clearDraft(form);
      if (offer) offer.hidden = true;
    }
  });

  // The "Save this section" button goes through htmx; these hooks give it the same care.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = formOf(event.detail.elt);
    if (form) window.clearTimeout(timers[draftKey(form)]);
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var form = formOf(event.detail.elt);
    if (status === 401 || status === 403) {
      event.detail.shouldSwap = false;
      if (form) sessionEnded(form);
    } else if (status === 400 || status === 409) {
      // The section again with its errors, or with both texts: show it.
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (!target || !target.querySelectorAll) return;
    var forms = target.matches && target.matches("form[data-autosave]") ? [target] : [];
    forms = forms.concat(Array.prototype.slice.call(target.querySelectorAll("form[data-autosave]")));
    var fresh = document.getElementById(target.id) || target;
    forms = forms.concat(Array.prototype.slice.call(fresh.querySelectorAll("form[data-autosave]")));
    forms.forEach(function (form) {
      if (form.dataset.saved) clearDraft(form);
    });
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      offerDrafts(document);
    });
  } else {
    offerDrafts(document);
  }
})();

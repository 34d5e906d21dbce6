// Loaded at the very top of <body>, before anything is drawn: GOV.UK Frontend's styles for components
// that need JavaScript apply only once these classes are set. Kept out of the page because the
// Content Security Policy allows no inline script.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");

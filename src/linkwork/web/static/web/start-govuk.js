// Starts GOV.UK Frontend's components. The library's address comes from this script's own
// data-govuk-frontend attribute, written by {% static %}, so it follows the hashed file name.
const script = document.querySelector("script[data-govuk-frontend]");
const { initAll } = await import(script.dataset.govukFrontend);
initAll();

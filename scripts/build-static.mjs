// Builds linkwork's static assets into src/linkwork/web/static/linkwork/:
// the stylesheet compiled with neutral branding and GOV.UK Frontend's JavaScript.
// GOV.UK's fonts and crown images are deliberately not copied.
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const out = join(root, "src/linkwork/web/static/linkwork");
const govuk = join(root, "node_modules/govuk-frontend/dist/govuk");

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const css = sass.compile(join(root, "src/linkwork/web/scss/linkwork.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
});
writeFileSync(join(out, "linkwork.css"), css.css);
cpSync(join(govuk, "govuk-frontend.min.js"), join(out, "govuk-frontend.min.js"));
console.log(`built static assets into ${out}`);

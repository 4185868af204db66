// The inspector for one step: its id, its form, and its sample (run, stub or skip) with results.
import { api } from "./api.js";
import { ask } from "./dialog.js";
import { debounce, h, shortJson, toast } from "./dom.js";
import { stepForm } from "./form.js";
import { composeBody, splitBody } from "./body.js";
import { actionInfo, changed, documentFor, exportSteps, replaceSteps, select, state, stepBody, touch } from "./state.js";

export function mediaElement(media, label) {
  const type = media.type || "";
  if (type.startsWith("image/")) return h("img", { src: media.url, alt: label, loading: "lazy", class: "media" });
  if (type.startsWith("audio/")) return h("audio", { src: media.url, controls: true, "aria-label": label, class: "media" });
  if (type.startsWith("video/")) return h("video", { src: media.url, controls: true, "aria-label": label, class: "media" });
  return h("a", { href: media.url, class: "media-link" }, `${label} (${type || "file"})`);
}

function resultsView(step) {
  const sample = step.sample;
  if (!sample) return h("p", { class: "muted small" }, "No sample yet. Run the step, stub a sample from its out-schema, or skip.");
  const parts = [];
  const kinds = { run: "Result of the run", stub: "Stub sample (from the out-schema, nothing sent)", skip: "Skipped: later steps get no sample of it", error: "The run failed" };
  parts.push(h("p", { class: `sample-kind sample-${sample.kind}` }, kinds[sample.kind] || sample.kind));
  if (sample.credits) {
    const credits = sample.credits;
    const bits = [];
    if (credits.spent !== null && credits.spent !== undefined) bits.push(`spent ${credits.spent} credit${credits.spent === 1 ? "" : "s"}`);
    if (credits.estimate !== null && credits.estimate !== undefined) bits.push(`estimate ${credits.estimate}`);
    if (credits.balance !== null && credits.balance !== undefined) bits.push(`balance ${credits.balance}`);
    if (bits.length) parts.push(h("p", { class: "credits small" }, `Credits: ${bits.join(" · ")}`));
  }
  if (sample.errors?.length) {
    for (const error of sample.errors) parts.push(h("p", { class: "run-error", role: "alert" }, error));
  }
  const shown = [];
  if (sample.media?.length) {
    shown.push(h("div", { class: "media-row" }, sample.media.map((media, index) => h("figure", {}, mediaElement(media, `Result ${index + 1} of ${step.id}`), h("figcaption", { class: "small muted" }, media.type)))));
  }
  if (sample.output !== undefined && sample.output !== null) {
    shown.push(h("pre", { class: "json", tabindex: "0", "aria-label": `Output of ${step.id}` }, JSON.stringify(sample.output, null, 2)));
  }
  parts.push(h("div", { class: `result-body${shown.length > 1 ? " with-media" : ""}` }, shown));
  return h("div", { class: "results" }, parts);
}

// The concrete input object the step gets for the item sample: its body evaluated.
async function concreteBody(step) {
  const body = stepBody(step);
  if (body && typeof body === "object") return body;
  const answer = await api.post("/api/evaluate", { expression: body || "{}", document: documentFor(step) });
  if (answer.error) {
    const where = answer.error.position !== null && answer.error.position !== undefined ? ` (at character ${answer.error.position})` : "";
    throw new Error(`The mapping fails: ${answer.error.message}${where}`);
  }
  return answer.value ?? {};
}

async function runStep(step, refresh) {
  let body;
  try {
    body = await concreteBody(step);
  } catch (error) {
    step.sample = { kind: "error", errors: [error.message] };
    refresh();
    return;
  }
  let answer = await api.post("/api/steps/run", { action: step.action, id: step.id, cfg: step.cfg, body, confirmed: false });
  if (answer.needsConfirmation) {
    const need = answer.needsConfirmation;
    const choice = await ask(
      "Run with your Picsart key?",
      [
        h("p", {}, `This call is sent to Picsart with your key and may be charged.`),
        h("dl", { class: "facts" }, h("dt", {}, "Balance"), h("dd", { class: "balance" }, String(need.balance ?? "unknown")), h("dt", {}, "Estimate"), h("dd", { class: "estimate" }, `${need.estimate} credit${need.estimate === 1 ? "" : "s"}`)),
        h("p", { class: "small muted" }, `The estimate is ${need.estimateNote || "the sandbox's price, an estimate"}.`),
      ],
      [
        { value: "cancel", label: "Cancel" },
        { value: "run", label: "Run and spend", primary: true },
      ],
    );
    if (choice !== "run") return;
    answer = await api.post("/api/steps/run", { action: step.action, id: step.id, cfg: step.cfg, body, confirmed: true });
  }
  const errors = (answer.events || []).filter((event) => event.kind === "error").map((event) => {
    const payload = event.payload || {};
    return payload.message ? `${payload.name ? `${payload.name}: ` : ""}${payload.message}` : JSON.stringify(payload);
  });
  step.sample = {
    kind: errors.length && (answer.output === null || answer.output === undefined) ? "error" : "run",
    output: answer.output,
    media: answer.media || [],
    credits: answer.credits,
    errors,
  };
  changed("samples");
  refresh();
}

async function rename(step, input, message) {
  const index = state.steps.indexOf(step);
  const newId = input.value.trim();
  if (newId === step.id) return;
  message.textContent = "";
  try {
    const answer = await api.post("/api/flow/rename", { steps: exportSteps(), index, newId });
    replaceSteps(answer.steps);
    select({ kind: "step", key: step.key });
    toast(`Renamed to ${newId}; later mappings follow.`);
    document.getElementById(`step-id-${step.key}`)?.focus();
  } catch (error) {
    message.textContent = `Not renamed: ${error.message}`;
    input.setAttribute("aria-invalid", "true");
  }
}

async function exportFixture(step) {
  const nameId = "fixture-name";
  const pathId = "fixture-path";
  const root = state.server?.roots?.[0] || ".";
  const choice = await ask(
    "Export the step as a fixture",
    [
      h("p", { class: "small muted" }, "An elasticio-cli fixture for picsart-flow run --fixtures; the key is written as {{PICSART_API_KEY}}."),
      h("label", { for: nameId }, "Fixture name"),
      h("input", { id: nameId, type: "text", value: step.id }),
      h("label", { for: pathId }, "Fixture file"),
      h("input", { id: pathId, type: "text", value: `${root}/fixtures.json` }),
    ],
    [
      { value: "cancel", label: "Cancel" },
      { value: "export", label: "Export", primary: true },
    ],
  );
  if (choice !== "export") return;
  try {
    const body = await concreteBody(step);
    const answer = await api.post("/api/steps/fixture", {
      action: step.action,
      cfg: step.cfg,
      body,
      name: document.getElementById(nameId).value,
      path: document.getElementById(pathId).value,
    });
    const where = answer.path || document.getElementById(pathId).value;
    toast(answer.command ? `Fixture written to ${where}; run it with: ${answer.command}` : `Fixture written to ${where}`);
  } catch (error) {
    toast(`Not exported: ${error.message}`, "error");
  }
}

function wholeBodyEditor(step, rerender) {
  const id = `whole-${step.key}`;
  const previewId = `${id}-preview`;
  const area = h("textarea", { id, class: "expr", rows: 8, spellcheck: "false", value: step.whole, "aria-describedby": previewId });
  const preview = h("p", { class: "preview", id: previewId, "aria-live": "polite" });
  const evaluate = debounce(async () => {
    if (!area.value.trim()) {
      preview.textContent = "";
      return;
    }
    try {
      const answer = await api.post("/api/evaluate", { expression: area.value, document: documentFor(step) });
      if (answer.error) {
        const where = answer.error.position !== null && answer.error.position !== undefined ? ` (at character ${answer.error.position})` : "";
        preview.className = "preview error";
        preview.textContent = `${answer.error.message}${answer.error.message.includes("character") ? "" : where}`;
      } else {
        preview.className = "preview";
        preview.textContent = `= ${shortJson(answer.value, 400)}`;
      }
    } catch (error) {
      preview.className = "preview error";
      preview.textContent = error.message;
    }
  }, 250);
  area.addEventListener("input", () => {
    step.whole = area.value;
    touch(step);
    evaluate();
  });
  evaluate();
  return [
    h("h3", { id: `in-title-${step.key}` }, "Input mapping"),
    h("p", { class: "small muted" }, "The body is one JSONata expression that gives the step's whole input object."),
    h("label", { for: id }, "Body expression"),
    area,
    preview,
    h("button", {
      type: "button",
      class: "btn small",
      onclick: () => {
        const split = splitBody(step.whole);
        if (split.fields) {
          step.fields = split.fields;
          step.whole = null;
          touch(step);
          rerender();
        } else toast("This expression is not an object of fields, so it is edited whole.", "error");
      },
    }, "Edit field by field"),
  ];
}

function asOneExpression(step, rerender) {
  return h("button", {
    type: "button",
    class: "btn small ghost",
    onclick: () => {
      const body = composeBody(step.fields);
      step.whole = typeof body === "string" ? body : JSON.stringify(body, null, 2);
      touch(step);
      rerender();
    },
  }, "Edit as one expression");
}

export async function renderStep(container, step) {
  const info = await actionInfo(step.action);
  const rerender = () => renderStep(container, step);
  const idInput = h("input", { id: `step-id-${step.key}`, type: "text", value: step.id, spellcheck: "false", autocomplete: "off" });
  const renameMessage = h("p", { class: "field-error", role: "alert" });
  idInput.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      rename(step, idInput, renameMessage);
    }
  });
  const results = h("div", { class: "results-holder" });
  const refreshResults = () => {
    results.replaceChildren(resultsView(step));
    if (step.sample && results.isConnected) results.scrollIntoView({ block: "nearest" });
  };
  refreshResults();
  const busy = async (button, work) => {
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    try {
      await work();
    } catch (error) {
      step.sample = { kind: "error", errors: [error.message] };
      refreshResults();
    } finally {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    }
  };
  const runButton = h("button", { type: "button", class: "btn primary run-step", onclick: (event) => busy(event.currentTarget, () => runStep(step, refreshResults)) }, "▶ Run this step");
  const stubButton = h("button", {
    type: "button",
    class: "btn",
    onclick: (event) =>
      busy(event.currentTarget, async () => {
        const answer = await api.post("/api/steps/stub", { action: step.action, id: step.id });
        step.sample = { kind: "stub", output: answer.output, media: [] };
        changed("samples");
        refreshResults();
      }),
  }, "Stub sample");
  const skipButton = h("button", {
    type: "button",
    class: "btn",
    onclick: () => {
      step.sample = { kind: "skip", output: null };
      changed("samples");
      refreshResults();
    },
  }, "Skip");
  const form = stepForm(step, info, {
    headTools: () => asOneExpression(step, rerender),
    wholeEditor: () => wholeBodyEditor(step, rerender),
  });
  const panel = h(
    "div",
    { class: "step-panel" },
    h(
      "div",
      { class: "step-head" },
      h("div", { class: "rename" },
        h("label", { for: idInput.id }, "Step id"),
        h("div", { class: "rename-row" }, idInput, h("button", { type: "button", class: "btn", onclick: () => rename(step, idInput, renameMessage) }, "Rename")),
        renameMessage,
      ),
      h("div", { class: "action-about" },
        h("p", { class: "action-title" }, info.title, " ", h("code", { class: "small" }, info.name)),
        h("p", { class: "small" }, info.description),
        info.help ? h("details", {}, h("summary", {}, "Help"), h("p", { class: "small" }, info.help), info.helpLink ? h("a", { href: info.helpLink, target: "_blank", rel: "noopener noreferrer" }, "Picsart's documentation") : null) : null,
      ),
    ),
    form.element,
    h(
      "section",
      { class: "form-section sample-section", "aria-labelledby": `sample-title-${step.key}` },
      h("h3", { id: `sample-title-${step.key}` }, "Sample"),
      h("div", { class: "button-row" }, runButton, stubButton, skipButton, h("button", { type: "button", class: "btn ghost", onclick: () => exportFixture(step) }, "Export as fixture…")),
      results,
    ),
  );
  container.replaceChildren(panel);
  return panel;
}

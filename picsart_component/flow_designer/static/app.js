// The designer page: wires the palette, the flow, the inspector and the top bar together.
import { api } from "./js/api.js";
import { h, toast } from "./js/dom.js";
import { openFlow, openFlowDialog, saveFlowDialog, showFlowPath } from "./js/files.js";
import { renderFlow, setupFlow } from "./js/flow.js";
import { loadPalette } from "./js/palette.js";
import { renderBatch, renderCredentials, renderEvents, renderItem } from "./js/panels.js";
import { renderStep } from "./js/steppanel.js";
import { select, selectedStep, state, subscribe } from "./js/state.js";

const inspector = document.getElementById("inspector");
const inspectorTitle = document.getElementById("inspector-title");
let shown = null;

function showMode() {
  const badge = document.getElementById("mode-badge");
  const live = state.server?.mode === "live";
  badge.textContent = live ? "Live: runs spend credits" : "Sandbox: free";
  badge.className = `badge ${live ? "badge-live" : "badge-sandbox"}`;
  badge.title = live
    ? `Runs reach Picsart with the key from ${state.server.credentials.source}`
    : "No key configured: runs go to the embedded sandbox";
}

async function renderInspector(force = false) {
  const selection = state.selection;
  const step = selectedStep();
  const identity = selection.kind === "step" ? `step:${selection.key}:${step?.id}:${step?.action}` : selection.kind;
  if (!force && identity === shown) return;
  shown = identity;
  const titles = { item: "Item sample", credentials: "Credentials", batch: "Run a batch", events: "Events of the last run" };
  if (selection.kind === "step" && step) {
    inspectorTitle.textContent = `Step ${step.id}`;
    await renderStep(inspector, step);
  } else if (selection.kind === "item") {
    inspectorTitle.textContent = titles.item;
    renderItem(inspector);
  } else if (selection.kind === "credentials") {
    inspectorTitle.textContent = titles.credentials;
    await renderCredentials(inspector);
  } else if (selection.kind === "batch") {
    inspectorTitle.textContent = titles.batch;
    renderBatch(inspector);
  } else if (selection.kind === "events") {
    inspectorTitle.textContent = titles.events;
    await renderEvents(inspector);
  } else {
    inspectorTitle.textContent = "Nothing selected";
    inspector.replaceChildren(
      h("div", { class: "empty-state" },
        h("p", {}, "Pick an action in the list on the left, or drag it into the flow."),
        h("p", { class: "muted" }, "Each step's input is mapped from the item and the steps before it."),
      ),
    );
  }
  for (const [id, kind] of [["show-batch", "batch"], ["show-events", "events"], ["show-credentials", "credentials"]]) {
    document.getElementById(id).setAttribute("aria-pressed", selection.kind === kind ? "true" : "false");
  }
}

async function start() {
  try {
    state.server = await api.get("/api/state");
  } catch (error) {
    document.getElementById("inspector").replaceChildren(h("p", { class: "field-error" }, `The designer's server did not answer: ${error.message}`));
    return;
  }
  showMode();
  setupFlow();
  subscribe((what) => {
    if (what === "steps" || what === "selection" || what === "samples" || what === "item") renderFlow();
    if (what === "selection") {
      const added = state.selection.kind === "step" && !document.activeElement?.closest?.("#inspector, #flow-steps");
      renderInspector()
        .then(() => {
          if (added && state.selection.kind === "step") inspectorTitle.focus();
        })
        .catch((error) => {
          shown = null;
          inspector.replaceChildren(h("p", { class: "field-error", role: "alert" }, error.message));
        });
    }
    if (what === "server") showMode();
    if (what === "steps" && !state.unsaved) {
      state.unsaved = true;
      showFlowPath();
    }
  });
  document.getElementById("open-flow").addEventListener("click", openFlowDialog);
  document.getElementById("save-flow").addEventListener("click", saveFlowDialog);
  document.getElementById("show-batch").addEventListener("click", () => select({ kind: "batch" }));
  document.getElementById("show-events").addEventListener("click", () => select({ kind: "events" }));
  document.getElementById("show-credentials").addEventListener("click", () => select({ kind: "credentials" }));
  inspectorTitle.setAttribute("tabindex", "-1");
  try {
    await loadPalette();
  } catch (error) {
    document.getElementById("palette-groups").replaceChildren(h("p", { class: "field-error", role: "alert" }, `The actions could not be listed: ${error.message}`));
  }
  renderFlow();
  showFlowPath();
  if (state.server.flowFile) {
    try {
      await openFlow(state.server.flowFile);
    } catch (error) {
      toast(`Could not open ${state.server.flowFile}: ${error.message}`, "error");
    }
  }
  window.addEventListener("beforeunload", (event) => {
    if (state.unsaved && state.steps.length) event.preventDefault();
  });
  document.body.dataset.ready = "true";
}

start();

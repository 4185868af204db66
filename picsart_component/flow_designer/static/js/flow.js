// The flow: an ordered list of steps that can be added, reordered, removed and selected.
import { api } from "./api.js";
import { clear, debounce, h } from "./dom.js";
import { ACTION_MIME } from "./palette.js";
import { addStep, changed, exportSteps, moveStep, removeStep, select, state, subscribe } from "./state.js";

const STEP_MIME = "application/x-picsart-step";

function actionTitle(name) {
  for (const group of state.palette) {
    const action = group.actions.find((candidate) => candidate.name === name);
    if (action) return action.title;
  }
  return name;
}

function problemsOf(index) {
  const prefix = `$[${index}]`;
  return state.flowProblems.filter((problem) => problem.path === prefix || problem.path.startsWith(`${prefix}.`));
}

function sampleBadge(step) {
  if (!step.sample) return h("span", { class: "tag" }, "no sample");
  const words = { run: "ran", stub: "stub sample", skip: "skipped", error: "failed" };
  return h("span", { class: `tag tag-${step.sample.kind}` }, words[step.sample.kind] || step.sample.kind);
}

function focusStep(index) {
  const button = document.querySelectorAll("#flow-steps .step-select")[index];
  if (button) button.focus();
}

function move(index, to) {
  if (moveStep(index, to)) {
    announce(`Moved ${state.steps[to].id} to position ${to + 1} of ${state.steps.length}`);
  }
}

function announce(text) {
  document.getElementById("flow-status").textContent = text;
}

function dropIndex(event, list) {
  const items = [...list.querySelectorAll(":scope > li")];
  for (let index = 0; index < items.length; index += 1) {
    const box = items[index].getBoundingClientRect();
    if (event.clientY < box.top + box.height / 2) return index;
  }
  return items.length;
}

function stepItem(step, index) {
  const selected = state.selection.kind === "step" && state.selection.key === step.key;
  const problems = problemsOf(index);
  const count = state.steps.length;
  return h(
    "li",
    {
      class: `step${selected ? " selected" : ""}${problems.length ? " has-problems" : ""}`,
      draggable: "true",
      dataset: { key: step.key, id: step.id },
      ondragstart: (event) => {
        event.dataTransfer.setData(STEP_MIME, String(index));
        event.dataTransfer.effectAllowed = "move";
      },
    },
    h("span", { class: "step-handle", "aria-hidden": "true", title: "Drag to reorder" }, "⋮⋮"),
    h(
      "button",
      {
        type: "button",
        class: "step-select",
        "aria-current": selected ? "true" : null,
        "aria-keyshortcuts": "Alt+ArrowUp Alt+ArrowDown Delete",
        title: "Alt+↑ / Alt+↓ move the step; Delete removes it",
        onclick: () => select({ kind: "step", key: step.key }),
        onkeydown: (event) => {
          if (event.altKey && event.key === "ArrowUp") {
            event.preventDefault();
            move(index, index - 1);
          } else if (event.altKey && event.key === "ArrowDown") {
            event.preventDefault();
            move(index, index + 1);
          } else if (event.key === "Delete") {
            event.preventDefault();
            removeStep(index);
            focusStep(Math.min(index, state.steps.length - 1));
          }
        },
      },
      h("span", { class: "step-number" }, String(index + 1)),
      h(
        "span",
        { class: "step-text" },
        h("span", { class: "step-id" }, step.id),
        h("span", { class: "step-action" }, actionTitle(step.action)),
      ),
      h(
        "span",
        { class: "step-tags" },
        sampleBadge(step),
        problems.length
          ? h("span", { class: "tag tag-error", title: problems.map((p) => p.message).join("\n") }, `${problems.length} problem${problems.length > 1 ? "s" : ""}`)
          : null,
      ),
    ),
    h(
      "span",
      { class: "step-tools" },
      h("button", { type: "button", class: "icon-btn", "aria-label": `Move ${step.id} up`, disabled: index === 0, onclick: () => move(index, index - 1) }, "↑"),
      h("button", { type: "button", class: "icon-btn", "aria-label": `Move ${step.id} down`, disabled: index === count - 1, onclick: () => move(index, index + 1) }, "↓"),
      h("button", { type: "button", class: "icon-btn danger", "aria-label": `Remove ${step.id}`, onclick: () => removeStep(index) }, "×"),
    ),
  );
}

// A step held by the pointer (pressed, or being dragged) must stay the node the browser drags:
// a rebuild of the list under it (the flow check answering, say) would cancel the drag.
let pressing = false;
let dragging = false;
let renderWhenReleased = false;

function release() {
  if (pressing || dragging || !renderWhenReleased) return;
  renderWhenReleased = false;
  renderFlow();
}

// Rebuilds the list, and gives focus back to the same control of the same step.
export function renderFlow() {
  if (pressing || dragging) {
    renderWhenReleased = true;
    return;
  }
  const active = document.activeElement;
  const key = active?.closest?.("#flow-steps [data-key]")?.dataset.key;
  const label = active?.getAttribute?.("aria-label");
  const selectButton = active?.classList?.contains("step-select");
  renderList();
  if (!key) return;
  const again = document.querySelector(`#flow-steps [data-key="${key}"]`);
  if (!again) return;
  const target = selectButton
    ? again.querySelector(".step-select")
    : [...again.querySelectorAll("button")].find((button) => button.getAttribute("aria-label") === label && !button.disabled);
  (target || again.querySelector(".step-select")).focus();
}

function renderList() {
  const list = clear(document.getElementById("flow-steps"));
  state.steps.forEach((step, index) => list.append(stepItem(step, index)));
  document.getElementById("drop-zone").classList.toggle("empty", !state.steps.length);
  const item = document.getElementById("item-node");
  item.classList.toggle("selected", state.selection.kind === "item");
  const keys = Object.keys(state.item || {});
  document.getElementById("item-summary").textContent = keys.length
    ? `${keys.slice(0, 3).join(", ")}${keys.length > 3 ? ", …" : ""}`
    : "no sample yet";
  const problems = clear(document.getElementById("flow-problems"));
  for (const problem of state.flowProblems) {
    problems.append(h("li", { class: "problem" }, h("code", {}, problem.path), " ", problem.message));
  }
}

const checkFlow = debounce(async () => {
  if (!state.steps.length) {
    state.flowProblems = [];
    renderFlow();
    return;
  }
  try {
    const answer = await api.post("/api/flow/check", { steps: exportSteps() });
    state.flowProblems = answer.problems || [];
  } catch (error) {
    state.flowProblems = [{ path: "$", message: error.message }];
  }
  renderFlow();
  changed("problems");
}, 300);

export function setupFlow() {
  const list = document.getElementById("flow-steps");
  const zone = document.getElementById("drop-zone");
  const column = list.closest(".column");
  const accepts = (event) => [...event.dataTransfer.types].some((type) => type === ACTION_MIME || type === STEP_MIME);
  list.addEventListener("pointerdown", (event) => {
    if (event.target.closest?.("li[draggable=true]")) pressing = true;
  });
  list.addEventListener("dragstart", () => {
    dragging = true;
  });
  const released = (which) => () => {
    if (which === "pointer") pressing = false;
    else dragging = false;
    queueMicrotask(release);
  };
  for (const type of ["pointerup", "pointercancel"]) document.addEventListener(type, released("pointer"));
  for (const type of ["dragend", "drop"]) document.addEventListener(type, released("drag"));
  column.addEventListener("dragover", (event) => {
    if (!accepts(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = [...event.dataTransfer.types].includes(STEP_MIME) ? "move" : "copy";
    column.classList.add("drop-target");
  });
  column.addEventListener("dragleave", (event) => {
    if (!column.contains(event.relatedTarget)) column.classList.remove("drop-target");
  });
  column.addEventListener("drop", (event) => {
    column.classList.remove("drop-target");
    document.body.classList.remove("dragging-action");
    if (!accepts(event)) return;
    event.preventDefault();
    const index = event.target === zone ? state.steps.length : dropIndex(event, list);
    const action = event.dataTransfer.getData(ACTION_MIME);
    if (action) {
      addStep(action, index);
      return;
    }
    const from = Number(event.dataTransfer.getData(STEP_MIME));
    moveStep(from, from < index ? index - 1 : index);
  });
  document.getElementById("item-node").addEventListener("click", () => select({ kind: "item" }));
  subscribe((what) => {
    if (what === "steps") checkFlow();
  });
}

// The palette: every action of component.json, grouped by API, searchable.
import { api } from "./api.js";
import { clear, h } from "./dom.js";
import { addStep, state } from "./state.js";

export const ACTION_MIME = "application/x-picsart-action";

function matches(action, words) {
  const text = `${action.title} ${action.name} ${action.description}`.toLowerCase();
  return words.every((word) => text.includes(word));
}

function actionEntry(action) {
  const helpId = `help-${action.name}`;
  return h(
    "li",
    {
      class: "palette-item",
      draggable: "true",
      dataset: { action: action.name },
      ondragstart: (event) => {
        event.dataTransfer.setData(ACTION_MIME, action.name);
        event.dataTransfer.setData("text/plain", action.name);
        event.dataTransfer.effectAllowed = "copy";
        document.body.classList.add("dragging-action");
      },
      ondragend: () => document.body.classList.remove("dragging-action"),
    },
    h(
      "button",
      {
        type: "button",
        class: "palette-add",
        "aria-label": `Add ${action.title} to the flow`,
        "aria-describedby": helpId,
        "aria-keyshortcuts": "ArrowUp ArrowDown ArrowRight",
        tabindex: "-1",
        onclick: () => addStep(action.name),
      },
      h("span", { class: "palette-title" }, action.title),
      h("span", { class: "palette-plus", "aria-hidden": "true" }, "+"),
    ),
    h("p", { class: "palette-desc", id: helpId }, action.description),
    h(
      "details",
      { class: "palette-help" },
      h("summary", { tabindex: "-1" }, h("code", { class: "palette-key" }, action.name), h("span", { class: "help-word" }, "Help")),
      h("p", {}, action.help || "No help text."),
      action.helpLink
        ? h("a", { href: action.helpLink, target: "_blank", rel: "noopener noreferrer" }, "Picsart's documentation")
        : null,
    ),
  );
}

export async function loadPalette() {
  const answer = await api.get("/api/palette");
  state.palette = answer.groups;
  renderPalette();
  const search = document.getElementById("palette-search");
  search.addEventListener("input", renderPalette);
  search.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      document.querySelector("#palette-groups .palette-add")?.focus();
    }
  });
  document.getElementById("palette-groups").addEventListener("keydown", onPaletteKey);
}

export function renderPalette() {
  const words = document.getElementById("palette-search").value.toLowerCase().split(/\s+/).filter(Boolean);
  const container = clear(document.getElementById("palette-groups"));
  let shown = 0;
  for (const group of state.palette) {
    const actions = group.actions.filter((action) => matches(action, words));
    if (words.length && !actions.length) continue;
    shown += actions.length;
    const headingId = `group-${group.key}`;
    container.append(
      h(
        "section",
        { class: "palette-group", "aria-labelledby": headingId, dataset: { group: group.key } },
        h("h3", { id: headingId }, group.title, h("span", { class: "count" }, String(actions.length))),
        actions.length
          ? h("ul", { class: "palette-list" }, actions.map(actionEntry))
          : h("p", { class: "muted small" }, "No actions in this group yet."),
      ),
    );
  }
  if (words.length && !shown) container.append(h("p", { class: "muted" }, "No action matches."));
  const first = container.querySelector(".palette-add");
  if (first) first.tabIndex = 0;
}

// The palette is one stop in the Tab order: arrows move between actions, Enter adds one, and
// ArrowRight / ArrowLeft open and close its help.
function onPaletteKey(event) {
  const current = event.target.closest(".palette-add");
  if (!current) return;
  const buttons = [...document.querySelectorAll("#palette-groups .palette-add")];
  const index = buttons.indexOf(current);
  let next = null;
  if (event.key === "ArrowDown") next = buttons[Math.min(index + 1, buttons.length - 1)];
  else if (event.key === "ArrowUp") next = buttons[Math.max(index - 1, 0)];
  else if (event.key === "Home") next = buttons[0];
  else if (event.key === "End") next = buttons[buttons.length - 1];
  else if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
    const details = current.closest(".palette-item").querySelector("details");
    details.open = event.key === "ArrowRight";
    event.preventDefault();
    return;
  }
  if (!next) return;
  event.preventDefault();
  for (const button of buttons) button.tabIndex = -1;
  next.tabIndex = 0;
  next.focus();
}

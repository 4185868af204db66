// Files: a picker over the folders the server allows, opening and saving the flow file.
import { api } from "./api.js";
import { ask } from "./dialog.js";
import { h, toast } from "./dom.js";
import { changed, exportSteps, replaceSteps, select, state } from "./state.js";

// Asks for a path, with a browsable list of the allowed folders. Resolves with the path or null.
export async function pickFile(title, { initial = "", action = "Choose", extensions = null, folders = false } = {}) {
  const pathId = "picker-path";
  const pathInput = h("input", { id: pathId, type: "text", value: initial, spellcheck: "false", autocomplete: "off" });
  const listing = h("ul", { class: "file-list", "aria-label": "Files" });
  const where = h("p", { class: "small muted" });
  const show = async (dir) => {
    try {
      const answer = await api.get(`/api/files?dir=${encodeURIComponent(dir)}`);
      where.textContent = answer.dir;
      listing.replaceChildren();
      const parent = answer.dir.replace(/\/[^/]+\/?$/, "") || "/";
      if (state.server?.roots?.some((root) => answer.dir !== root && answer.dir.startsWith(root))) {
        listing.append(h("li", {}, h("button", { type: "button", class: "file-entry dir", onclick: () => show(parent) }, "↰ ..")));
      }
      for (const entry of answer.entries) {
        const full = `${answer.dir.replace(/\/$/, "")}/${entry.name}`;
        if (entry.kind === "file" && extensions && !extensions.some((ext) => entry.name.endsWith(ext))) continue;
        listing.append(
          h("li", {},
            h("button", {
              type: "button",
              class: `file-entry ${entry.kind}`,
              onclick: () => {
                pathInput.value = full;
                if (entry.kind === "dir") show(full);
              },
            }, entry.kind === "dir" ? `📁 ${entry.name}` : entry.name),
          ),
        );
      }
    } catch (error) {
      where.textContent = error.message;
    }
  };
  const roots = state.server?.roots || [];
  const start = initial && initial.includes("/") ? initial.replace(/\/[^/]*$/, "") : roots[0] || ".";
  show(start);
  const rootButtons = roots.length > 1 ? h("div", { class: "button-row" }, roots.map((root) => h("button", { type: "button", class: "btn small", onclick: () => show(root) }, root))) : null;
  const choice = await ask(title, [
    rootButtons,
    where,
    listing,
    h("label", { for: pathId }, folders ? "Path (file or folder)" : "Path"),
    pathInput,
  ].filter(Boolean), [
    { value: "cancel", label: "Cancel" },
    { value: "ok", label: action, primary: true },
  ]);
  return choice === "ok" && pathInput.value.trim() ? pathInput.value.trim() : null;
}

export function showFlowPath() {
  const label = document.getElementById("flow-file");
  label.textContent = state.flowPath || "new flow";
  label.classList.toggle("unsaved", Boolean(state.unsaved));
  label.title = state.unsaved ? "Changed since it was last saved" : "The flow file";
}

export async function openFlow(path) {
  const answer = await api.post("/api/flow/open", { path });
  state.flowPath = answer.path;
  for (const step of state.steps) step.sample = null;
  replaceSteps(answer.steps, false);
  state.flowProblems = answer.problems || [];
  state.unsaved = false;
  showFlowPath();
  select(state.steps.length ? { kind: "step", key: state.steps[0].key } : { kind: "none" });
  toast(`Opened ${answer.path}`);
}

export async function openFlowDialog() {
  const path = await pickFile("Open a flow file", { initial: state.flowPath || "", action: "Open", extensions: [".yaml", ".yml", ".json"] });
  if (!path) return;
  try {
    await openFlow(path);
  } catch (error) {
    toast(`Not opened: ${error.message}`, "error");
  }
}

export async function saveFlow(path, { quiet = false } = {}) {
  const steps = exportSteps();
  const answer = await api.post("/api/flow/save", { path, steps });
  state.flowPath = answer.path;
  replaceSteps(steps);
  if (answer.problems) state.flowProblems = answer.problems;
  state.unsaved = false;
  showFlowPath();
  changed("saved");
  if (!quiet) toast(answer.written ? `Saved ${answer.path}` : `${answer.path} is unchanged`);
  return answer;
}

export async function saveFlowDialog() {
  const initial = state.flowPath || `${state.server?.roots?.[0] || "."}/flow.yaml`;
  const path = await pickFile("Save the flow", { initial, action: "Save", extensions: [".yaml", ".yml", ".json"] });
  if (!path) return;
  try {
    await saveFlow(path);
  } catch (error) {
    toast(`Not saved: ${error.message}`, "error");
  }
}

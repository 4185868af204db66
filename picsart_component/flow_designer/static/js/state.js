// What the page holds: the flow's steps, the samples, and what the server said about the actions.
import { api } from "./api.js";
import { composeBody, splitBody } from "./body.js";

const listeners = new Set();
let nextKey = 1;

export const state = {
  server: null, // /api/state
  palette: [], // groups
  actions: new Map(), // name -> /api/actions/<name>
  steps: [],
  selection: { kind: "none" }, // {kind: "step", key} | "item" | "credentials" | "batch" | "events"
  item: {},
  itemSource: null,
  flowPath: null,
  unsaved: false,
  flowProblems: [],
  lastBatch: null,
};

export function subscribe(listener) {
  listeners.add(listener);
}

export function changed(what) {
  for (const listener of listeners) listener(what);
}

export function makeStep(raw) {
  const split = splitBody(raw.body);
  return {
    key: `s${nextKey++}`,
    raw,
    id: raw.id,
    action: raw.action,
    cfg: { ...(raw.cfg || {}) },
    fields: split.fields || {},
    whole: split.whole ?? null,
    dirty: false,
    sample: null, // {kind: "run"|"stub"|"skip", output, media, credits}
  };
}

export function stepBody(step) {
  if (!step.dirty) return step.raw.body;
  return step.whole !== null ? step.whole : composeBody(step.fields);
}

export function exportStep(step) {
  if (!step.dirty) return step.raw;
  const out = { ...step.raw, id: step.id, action: step.action };
  const cfg = Object.fromEntries(
    Object.entries(step.cfg).filter(([, value]) => value !== undefined && value !== "" && value !== null),
  );
  if (Object.keys(cfg).length || "cfg" in step.raw) out.cfg = cfg;
  else delete out.cfg;
  let body = stepBody(step);
  if (body && typeof body === "object" && !Object.keys(body).length) body = {};
  out.body = body;
  return out;
}

export function exportSteps() {
  return state.steps.map(exportStep);
}

export function touch(step) {
  step.dirty = true;
  changed("steps");
}

export function uniqueId(action) {
  const base = action.replace(/[^A-Za-z0-9_]/g, "_").replace(/^([^A-Za-z_])/, "_$1");
  const taken = new Set(state.steps.map((step) => step.id));
  if (!taken.has(base)) return base;
  let n = 2;
  while (taken.has(`${base}_${n}`)) n += 1;
  return `${base}_${n}`;
}

export function addStep(action, index = state.steps.length) {
  const step = makeStep({ id: uniqueId(action), action, body: {} });
  step.dirty = true;
  state.steps.splice(index, 0, step);
  state.selection = { kind: "step", key: step.key };
  changed("steps");
  changed("selection");
  return step;
}

export function moveStep(from, to) {
  if (to < 0 || to >= state.steps.length || from === to) return false;
  const [step] = state.steps.splice(from, 1);
  state.steps.splice(to, 0, step);
  changed("steps");
  return true;
}

export function removeStep(index) {
  const [step] = state.steps.splice(index, 1);
  if (state.selection.kind === "step" && state.selection.key === step.key) {
    state.selection = { kind: "none" };
    changed("selection");
  }
  changed("steps");
}

export function selectedStep() {
  if (state.selection.kind !== "step") return null;
  return state.steps.find((step) => step.key === state.selection.key) || null;
}

export function select(selection) {
  state.selection = selection;
  changed("selection");
}

export async function actionInfo(name) {
  if (!state.actions.has(name)) {
    state.actions.set(name, api.get(`/api/actions/${encodeURIComponent(name)}`));
  }
  return state.actions.get(name);
}

// The document an expression of `step` is evaluated against: the item and earlier samples.
export function documentFor(step) {
  const document = { input: state.item };
  for (const earlier of state.steps) {
    if (earlier === step) break;
    if (earlier.sample && earlier.sample.output !== undefined && earlier.sample.output !== null) {
      document[earlier.id] = earlier.sample.output;
    }
  }
  return document;
}

export function earlierSteps(step) {
  const index = state.steps.indexOf(step);
  return index < 0 ? state.steps.slice() : state.steps.slice(0, index);
}

// Steps as the server gave them back (a rename rewrites later bodies at their token positions):
// they become the steps' originals, so that what the server wrote is saved as it wrote it.
export function replaceSteps(rawSteps, keepSamples = true) {
  const previous = state.steps;
  state.steps = rawSteps.map((raw, index) => {
    const step = makeStep(raw);
    const before = previous[index];
    if (keepSamples && before) {
      step.key = before.key;
      step.sample = before.sample;
    }
    return step;
  });
  changed("steps");
  changed("selection");
}

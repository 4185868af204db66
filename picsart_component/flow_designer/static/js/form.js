// A step's form, rendered as the platform renders a component's fields: config fields by
// viewClass, in-metadata fields by their JSON schema, each mappable as a fixed value or JSONata.
import { api } from "./api.js";
import { debounce, h, shortJson, uid } from "./dom.js";
import { fieldsMenu, insertAtCursor } from "./fieldsmenu.js";
import { documentFor, state, touch } from "./state.js";

const LONG_LIST = 7;

function isRequired(schema, name) {
  const property = schema.properties?.[name] || {};
  return property.required === true || (Array.isArray(schema.required) && schema.required.includes(name));
}

function requiredMark(required) {
  return required ? h("span", { class: "required", "aria-hidden": "true", title: "required" }, " *") : null;
}

function noteTip(text, id, label) {
  if (!text) return null;
  return h(
    "span",
    { class: "note" },
    h("button", { type: "button", class: "note-icon", "aria-label": `About ${label}`, "aria-describedby": id }, "i"),
    h("span", { class: "note-text", role: "tooltip", id }, text),
  );
}

// A select with a search box and a reload button when its list is long, as the platform shows.
function listControl({ id, label, options, value, prompt, multiple, onChange, onReload, sourceNote, describedBy }) {
  const select = h("select", { id, multiple, "aria-describedby": describedBy });
  const fill = (entries, filter = "") => {
    const current = multiple ? [...select.selectedOptions].map((o) => o.value) : select.value || value;
    select.replaceChildren();
    if (!multiple) select.append(h("option", { value: "" }, prompt || "—"));
    const chosen = new Set(multiple ? (current && current.length ? current : value || []) : [current]);
    for (const [optionValue, label] of entries) {
      const shown = !filter || `${optionValue} ${label}`.toLowerCase().includes(filter) || chosen.has(optionValue);
      if (!shown) continue;
      select.append(h("option", { value: optionValue, selected: chosen.has(optionValue) }, label));
    }
  };
  let entries = options;
  fill(entries);
  select.addEventListener("change", () => {
    onChange(multiple ? [...select.selectedOptions].map((o) => o.value) : select.value);
  });
  const parts = [select];
  if (entries.length > LONG_LIST || onReload) {
    const tools = h("div", { class: "list-tools" });
    if (entries.length > LONG_LIST) {
      const searchId = `${id}-search`;
      const search = h("input", {
        type: "search",
        id: searchId,
        class: "list-search",
        placeholder: `Search ${entries.length} options`,
        "aria-label": `Search the options of ${label}`,
        oninput: () => fill(entries, search.value.toLowerCase()),
      });
      tools.append(search);
    }
    if (onReload) {
      const reload = h("button", { type: "button", class: "btn small", "aria-label": `Reload the list of ${label}` }, "↻ Reload");
      reload.addEventListener("click", async () => {
        reload.disabled = true;
        try {
          const fresh = await onReload();
          if (fresh) {
            entries = fresh;
            fill(entries);
          }
        } finally {
          reload.disabled = false;
        }
      });
      tools.append(reload);
    }
    parts.unshift(tools);
  }
  if (sourceNote) parts.push(sourceNote);
  const setEntries = (fresh) => {
    entries = fresh;
    fill(entries);
  };
  return { element: h("div", { class: "list-control" }, parts), select, setEntries };
}

function sourceNote(answer) {
  if (!answer) return h("p", { class: "source-note small muted", role: "status" });
  const note = h("p", { class: `source-note small ${answer.source === "live" ? "ok" : "warn"}`, role: "status" });
  note.textContent =
    answer.source === "live" ? "Live list from Picsart" : `Static list${answer.reason ? `: ${answer.reason}` : ""}`;
  return note;
}

function setNote(note, answer) {
  note.className = `source-note small ${answer.source === "live" ? "ok" : "warn"}`;
  note.textContent =
    answer.source === "live" ? "Live list from Picsart" : `Static list${answer.reason ? `: ${answer.reason}` : ""}`;
}

// ---------------------------------------------------------------- config fields

function configField(step, info, name, field, context) {
  const id = `cfg-${step.key}-${name}`;
  const noteId = `${id}-note`;
  const errorId = `${id}-error`;
  const value = step.cfg[name];
  const set = (newValue) => {
    if (newValue === "" || newValue === undefined || (Array.isArray(newValue) && !newValue.length)) delete step.cfg[name];
    else step.cfg[name] = newValue;
    touch(step);
    context.changed();
  };
  const label = h("label", { for: id }, field.label || name, requiredMark(field.required));
  const common = { id, required: field.required || null, "aria-describedby": `${noteId} ${errorId}`, placeholder: field.placeholder };
  let control;
  switch (field.viewClass) {
    case "TextAreaView":
      control = h("textarea", { ...common, rows: 3, value: value ?? "", oninput: (e) => set(e.target.value) });
      break;
    case "PasswordFieldView":
      control = h("input", { ...common, type: "password", autocomplete: "off", value: value ?? "", oninput: (e) => set(e.target.value) });
      break;
    case "CheckBoxView":
      control = h("input", { id, type: "checkbox", checked: Boolean(value), "aria-describedby": `${noteId} ${errorId}`, onchange: (e) => set(e.target.checked || undefined) });
      return h("div", { class: "field field-check", dataset: { field: name } }, control, label, noteTip(field.note, noteId, field.label || name), h("p", { class: "field-error", id: errorId }));
    case "SelectView":
    case "MultiSelectView": {
      const multiple = field.viewClass === "MultiSelectView";
      const modelName = typeof field.model === "string" ? field.model : info.selectModels?.[name];
      const entries = field.model && typeof field.model === "object" ? Object.entries(field.model) : [];
      const note = modelName ? sourceNote(null) : null;
      const load = modelName
        ? async (reload = false) => {
            try {
              const payload = { field: name, cfg: step.cfg, ...(reload ? { reload: true } : {}) };
              const answer = await api.post(`/api/actions/${info.name}/select`, payload);
              setNote(note, answer);
              return Object.entries(answer.options || {});
            } catch (error) {
              setNote(note, { source: "static", reason: error.message });
              return null;
            }
          }
        : null;
      const list = listControl({ id, label: field.label || name, options: entries, value, prompt: field.prompt, multiple, onChange: set, onReload: load && (() => load(true)), sourceNote: note, describedBy: `${noteId} ${errorId}` });
      if (load) load().then((fresh) => fresh && list.setEntries(fresh));
      control = list.element;
      break;
    }
    default:
      control = h("input", { ...common, type: "text", value: value ?? "", oninput: (e) => set(e.target.value) });
  }
  return h(
    "div",
    { class: "field", dataset: { field: name } },
    h("div", { class: "field-head" }, label, noteTip(field.note, noteId, field.label || name)),
    control,
    field.viewClass !== "SelectView" && field.prompt ? h("p", { class: "small muted" }, field.prompt) : null,
    h("p", { class: "field-error", id: errorId }),
  );
}

// ---------------------------------------------------------------- in-metadata fields

function typeHint(property) {
  const bits = [];
  let type = property.type || (property.enum ? "choice" : "any");
  if (Array.isArray(type)) type = type.join(" | ");
  if (type === "array" && property.items?.type) type = `array of ${property.items.type}`;
  bits.push(type);
  if (property.minimum !== undefined && property.maximum !== undefined) bits.push(`${property.minimum} to ${property.maximum}`);
  else if (property.minimum !== undefined) bits.push(`at least ${property.minimum}`);
  else if (property.maximum !== undefined) bits.push(`at most ${property.maximum}`);
  if (property.maxLength !== undefined) bits.push(`≤ ${property.maxLength} chars`);
  if (property.default !== undefined) bits.push(`default ${shortJson(property.default, 30)}`);
  if (property.deprecated) bits.push("deprecated");
  return bits.join(" · ");
}

function parseFixed(property, text) {
  if (text === "") return undefined;
  const type = Array.isArray(property.type) ? property.type[0] : property.type;
  if (type === "integer" || type === "number") {
    const number = Number(text);
    return Number.isNaN(number) ? text : number;
  }
  if (type === "boolean") return text === "true" ? true : text === "false" ? false : text;
  if (type === "array" || type === "object") {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

function fixedText(value) {
  if (value === undefined || value === null) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

function inField(step, info, name, context) {
  const schema = context.schema;
  const property = schema.properties[name] || {};
  const id = `in-${step.key}-${name}`;
  const errorId = `${id}-error`;
  const descId = `${id}-desc`;
  const previewId = `${id}-preview`;
  const required = isRequired(schema, name);
  const entry = step.fields[name] || { mode: "fixed", value: undefined };
  let mode = entry.mode;
  const wrapper = h("div", { class: "field in-field", dataset: { field: name } });
  const errorLine = h("p", { class: "field-error", id: errorId, "aria-live": "polite" });
  const preview = h("p", { class: "preview", id: previewId, "aria-live": "polite" });
  const described = `${descId} ${previewId} ${errorId}`;

  const store = (newMode, newValue) => {
    mode = newMode;
    if (newValue === undefined || newValue === "") delete step.fields[name];
    else step.fields[name] = { mode: newMode, value: newValue };
    touch(step);
    context.changed();
  };

  const evaluate = debounce(async (expression) => {
    preview.className = "preview";
    if (!expression.trim()) {
      preview.textContent = "";
      context.values[name] = undefined;
      context.check();
      return;
    }
    try {
      const answer = await api.post("/api/evaluate", { expression, document: documentFor(step) });
      if (answer.error) {
        const error = answer.error;
        let text = error.message;
        if (error.position !== null && error.position !== undefined && !text.includes(`character ${error.position}`)) {
          text += ` (at character ${error.position})`;
        }
        if (error.function && !text.includes(error.function)) text += `; function ${error.function}`;
        preview.className = "preview error";
        preview.textContent = text;
        preview.dataset.function = error.function || "";
        context.values[name] = undefined;
      } else {
        // The server answers null for an undefined value too, which leaves the field out.
        const absent = answer.value === undefined || answer.value === null;
        preview.textContent = absent ? "= undefined for this item: the field is left out" : `= ${shortJson(answer.value, 200)}`;
        preview.classList.toggle("absent", absent);
        context.values[name] = absent ? undefined : answer.value;
      }
    } catch (error) {
      preview.className = "preview error";
      preview.textContent = error.message;
    }
    context.check();
  }, 250);

  const control = h("div", { class: "field-control" });
  const toggle = h("button", {
    type: "button",
    class: "mode-toggle",
    "aria-pressed": mode === "expr" ? "true" : "false",
    "aria-label": `Map ${property.title || name} with a JSONata expression`,
    title: "Fixed value or JSONata expression",
  }, "ƒx");

  const renderControl = () => {
    control.replaceChildren();
    toggle.setAttribute("aria-pressed", mode === "expr" ? "true" : "false");
    wrapper.classList.toggle("is-expr", mode === "expr");
    if (mode === "expr") {
      const current = step.fields[name]?.mode === "expr" ? step.fields[name].value : "";
      const input = h("input", {
        id,
        type: "text",
        class: "expr",
        spellcheck: "false",
        autocomplete: "off",
        value: current,
        placeholder: "JSONata, e.g. input.url",
        "aria-describedby": described,
        oninput: (event) => {
          store("expr", event.target.value);
          evaluate(event.target.value);
        },
      });
      const menu = fieldsMenu(step, (path) => {
        insertAtCursor(input, path);
        store("expr", input.value);
        evaluate(input.value);
      });
      control.append(h("div", { class: "expr-row" }, h("span", { class: "expr-sigil", "aria-hidden": "true" }, "ƒx"), input, menu));
      preview.hidden = false;
      evaluate(current);
      return input;
    }
    preview.hidden = true;
    preview.textContent = "";
    const value = step.fields[name]?.mode === "fixed" ? step.fields[name].value : undefined;
    context.values[name] = value;
    const fixed = (v) => {
      context.values[name] = v;
      store("fixed", v);
    };
    let input;
    const options = property.enum || (property.type === "array" ? property.items?.enum : null);
    if (options) {
      const multiple = property.type === "array";
      const entries = options.map((option) => [String(option), String(option)]);
      const dynamic = info.dynamicMetadata;
      const note = dynamic ? sourceNote(context.metaAnswer) : null;
      const list = listControl({
        id,
        label: property.title || name,
        options: entries,
        value: multiple ? (value || []).map(String) : value === undefined ? "" : String(value),
        prompt: property.default !== undefined ? `— default ${property.default} —` : "— choose —",
        multiple,
        describedBy: described,
        onChange: (chosen) => {
          if (multiple) fixed(chosen.length ? chosen : undefined);
          else {
            const original = options.find((option) => String(option) === chosen);
            fixed(chosen === "" ? undefined : original);
          }
        },
        onReload: dynamic ? () => context.reloadMeta(true, true) : null,
        sourceNote: note,
      });
      input = list.select;
      control.append(list.element);
    } else if (property.type === "boolean") {
      input = h(
        "select",
        { id, "aria-describedby": described, onchange: (e) => fixed(parseFixed(property, e.target.value)) },
        h("option", { value: "" }, property.default !== undefined ? `— default ${property.default} —` : "—"),
        h("option", { value: "true", selected: value === true }, "true"),
        h("option", { value: "false", selected: value === false }, "false"),
      );
      control.append(input);
    } else if (property.type === "integer" || property.type === "number") {
      input = h("input", {
        id,
        type: "number",
        min: property.minimum,
        max: property.maximum,
        step: property.type === "integer" ? 1 : "any",
        value: fixedText(value),
        placeholder: property.default !== undefined ? String(property.default) : "",
        "aria-describedby": described,
        oninput: (e) => fixed(parseFixed(property, e.target.value)),
      });
      control.append(input);
    } else if (property.type === "object" || property.type === "array" || (property.maxLength || 0) > 2100) {
      input = h("textarea", {
        id,
        rows: 2,
        value: fixedText(value),
        "aria-describedby": described,
        oninput: (e) => fixed(parseFixed(property, e.target.value)),
      });
      control.append(input);
    } else {
      input = h("input", {
        id,
        type: "text",
        value: fixedText(value),
        placeholder: property.default !== undefined ? String(property.default) : property.format === "uri" ? "https://…" : "",
        "aria-describedby": described,
        oninput: (e) => fixed(parseFixed(property, e.target.value)),
      });
      control.append(input);
    }
    control.append(fieldsMenu(step, (path) => {
      mode = "expr";
      store("expr", path);
      renderControl().focus();
    }, "Map from a field"));
    return input;
  };

  toggle.addEventListener("click", () => {
    const current = step.fields[name];
    if (mode === "expr") {
      mode = "fixed";
      const text = current?.value ?? "";
      let value;
      try {
        value = JSON.parse(text);
      } catch {
        value = undefined;
      }
      store("fixed", value);
    } else {
      mode = "expr";
      store("expr", current && current.value !== undefined ? JSON.stringify(current.value) : "");
    }
    renderControl().focus();
  });

  wrapper.append(
    h(
      "div",
      { class: "field-head" },
      h("label", { for: id }, property.title || name, requiredMark(required)),
      h("code", { class: "field-key" }, name),
      h("span", { class: "type-hint" }, typeHint(property)),
      toggle,
    ),
    control,
    preview,
    h("p", { class: "field-desc small muted", id: descId }, property.description || ""),
    errorLine,
  );
  renderControl();
  return wrapper;
}

// One choice among the fields of an "exactly one of" group, such as Image, Image URL, Image ID.
// A flow written by hand may map several of them with expressions that leave all but one
// undefined for each item: then each is shown, and picking one clears the others.
function exactlyOneGroup(step, info, group, context) {
  const schema = context.schema;
  const present = group.filter((name) => step.fields[name] !== undefined);
  const chosen = present[0] || context.groupChoice[group.join("|")] || group.find((name) => name.endsWith("_url")) || group[0];
  const shown = present.length > 1 ? present : [chosen];
  const holder = h("div", { class: "group-field" });
  const name = `one-${step.key}-${group.join("-")}`;
  const titles = group.map((member) => schema.properties[member]?.title || member);
  const radios = group.map((member, index) =>
    h(
      "label",
      { class: "radio" },
      h("input", {
        type: "radio",
        name,
        value: member,
        checked: shown.length === 1 && member === chosen,
        onchange: () => {
          for (const other of group) if (other !== member) delete step.fields[other];
          context.groupChoice[group.join("|")] = member;
          touch(step);
          holder.replaceChildren(inField(step, info, member, context));
          note.textContent = "";
          context.changed();
        },
      }),
      ` ${titles[index]}`,
    ),
  );
  const note = h("p", { class: "small muted" }, shown.length > 1 ? "Several are mapped: each item must give exactly one of them (an undefined one is left out)." : "");
  holder.append(...shown.map((member) => inField(step, info, member, context)));
  const required = group.some((member) => isRequired(schema, member)) || context.requiredGroups.has(group.join("|"));
  return h(
    "fieldset",
    { class: "field-group", dataset: { group: group.join(" ") } },
    h("legend", {}, `${titles.join(" / ")}: exactly one`, requiredMark(required)),
    h("div", { class: "radios" }, radios),
    note,
    holder,
  );
}

function orderOf(fields) {
  return Object.entries(fields || {})
    .map(([name, field], index) => ({ name, field, index }))
    .sort((a, b) => (a.field.order ?? 1e9) - (b.field.order ?? 1e9) || a.index - b.index);
}

// The whole form for a step. Returns {element, refresh} where refresh() re-runs the checks.
export function stepForm(step, info, { headTools = null, wholeEditor = null } = {}) {
  const context = {
    schema: info.in || { properties: {} },
    values: {},
    groupChoice: {},
    requiredGroups: new Set((info.exactlyOne || []).map((group) => group.join("|"))),
    metaAnswer: null,
    changed: () => context.check(),
    check: null,
    reloadMeta: null,
  };
  const formProblems = h("ul", { class: "form-problems", "aria-live": "polite" });
  const configSection = h("section", { class: "form-section", "aria-labelledby": `cfg-title-${step.key}` });
  const inSection = h("section", { class: "form-section", "aria-labelledby": `in-title-${step.key}` });
  const element = h("div", { class: "step-form" }, formProblems, configSection, inSection);

  context.check = debounce(async () => {
    if (step.whole !== null) {
      showProblems([]);
      return;
    }
    const body = {};
    for (const [name, field] of Object.entries(step.fields)) {
      if (field.mode === "fixed" && field.value !== undefined) body[name] = field.value;
      else if (field.mode === "expr" && context.values[name] !== undefined) body[name] = context.values[name];
    }
    let problems = [];
    try {
      const answer = await api.post("/api/check", { action: step.action, cfg: step.cfg, body });
      problems = answer.problems || [];
    } catch (error) {
      problems = [{ path: "$", message: error.message }];
    }
    showProblems(problems);
  }, 300);

  const showProblems = (problems) => {
    for (const node of element.querySelectorAll(".field-error")) node.textContent = "";
    for (const node of element.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
    formProblems.replaceChildren();
    for (const problem of problems) {
      const match = /^\$\.([A-Za-z0-9_]+)/.exec(problem.path || "");
      const fieldBox = match ? element.querySelector(`[data-field="${match[1]}"]`) : null;
      if (fieldBox) {
        const line = fieldBox.querySelector(".field-error");
        line.textContent = line.textContent ? `${line.textContent} ${problem.message}` : problem.message;
        fieldBox.querySelector("input:not([type=search]), select, textarea")?.setAttribute("aria-invalid", "true");
      } else {
        formProblems.append(h("li", { class: "problem" }, h("code", {}, problem.path), " ", problem.message));
      }
    }
  };

  const renderConfig = () => {
    const fields = orderOf(info.fields);
    configSection.replaceChildren(h("h3", { id: `cfg-title-${step.key}` }, "Configuration"));
    if (!fields.length) configSection.append(h("p", { class: "muted small" }, "This action has no configuration."));
    for (const { name, field } of fields) configSection.append(configField(step, info, name, field, context));
  };

  const renderIn = () => {
    if (step.whole !== null && wholeEditor) {
      inSection.replaceChildren(...wholeEditor());
      return;
    }
    const schema = context.schema;
    const properties = Object.keys(schema.properties || {});
    const groups = (info.exactlyOne || []).filter((group) => group.every((name) => properties.includes(name)));
    const grouped = new Set(groups.flat());
    const head = h("div", { class: "section-head" }, h("h3", { id: `in-title-${step.key}` }, "Input mapping"), headTools ? headTools() : null);
    inSection.replaceChildren(head);
    inSection.append(
      h("p", { class: "small muted" }, "Each field is a fixed value or, with ƒx, a JSONata expression over ", h("code", {}, "input"), " and the earlier steps."),
    );
    const main = [];
    const optional = [];
    const seen = new Set();
    for (const name of properties) {
      if (seen.has(name)) continue;
      if (grouped.has(name)) {
        const group = groups.find((candidate) => candidate.includes(name));
        group.forEach((member) => seen.add(member));
        main.push(exactlyOneGroup(step, info, group, context));
        continue;
      }
      seen.add(name);
      const box = inField(step, info, name, context);
      if (isRequired(schema, name) || step.fields[name] !== undefined) main.push(box);
      else optional.push(box);
    }
    inSection.append(...main);
    if (optional.length) {
      inSection.append(
        h("details", { class: "optional-fields" }, h("summary", {}, `Optional fields (${optional.length})`), optional),
      );
    }
  };

  context.reloadMeta = async (rerender, reload = false) => {
    try {
      const payload = reload ? { cfg: step.cfg, reload: true } : { cfg: step.cfg };
      const answer = await api.post(`/api/actions/${step.action}/meta`, payload);
      context.metaAnswer = answer;
      if (answer.in) context.schema = answer.in;
    } catch (error) {
      context.metaAnswer = { source: "static", reason: error.message };
    }
    if (rerender) {
      const focused = document.activeElement?.id;
      renderIn();
      if (focused) document.getElementById(focused)?.focus();
    }
    context.check();
    return null;
  };

  renderConfig();
  renderIn();
  if (info.dynamicMetadata) context.reloadMeta(true);
  context.check();
  return { element, refresh: () => context.check() };
}

// The fields menu: what the item and each earlier step provide, picked to insert its path.
import { h } from "./dom.js";
import { actionInfo, earlierSteps, state } from "./state.js";

const NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function pathOf(parent, name) {
  return `${parent}.${NAME.test(name) ? name : `\`${name}\``}`;
}

function fromValue(prefix, value, depth, out) {
  if (depth > 3 || value === null || typeof value !== "object") return;
  const entries = Array.isArray(value) ? (value.length ? [["[0]", value[0]]] : []) : Object.entries(value);
  for (const [name, child] of entries) {
    const path = name === "[0]" ? `${prefix}[0]` : pathOf(prefix, name);
    const kind = Array.isArray(child) ? "array" : child === null ? "null" : typeof child;
    out.push({ path, hint: kind === "object" || kind === "array" ? kind : `${kind}: ${String(child).slice(0, 40)}` });
    fromValue(path, child, depth + 1, out);
  }
}

function fromSchema(prefix, schema, depth, out) {
  if (!schema || depth > 3) return;
  if (schema.type === "array" && schema.items) {
    fromSchema(`${prefix}[0]`, schema.items, depth + 1, out);
    return;
  }
  for (const [name, property] of Object.entries(schema.properties || {})) {
    const path = pathOf(prefix, name);
    let type = property.type || "any";
    if (Array.isArray(type)) type = type.join("|");
    out.push({ path, hint: `${type}${property.title ? ` · ${property.title}` : ""}` });
    fromSchema(path, property, depth + 1, out);
  }
}

async function sources(step) {
  const item = [];
  fromValue("input", state.item || {}, 0, item);
  const groups = [{ title: "Item (input)", entries: item, empty: "Type or load an item sample to list its fields." }];
  for (const earlier of earlierSteps(step)) {
    const entries = [];
    try {
      const info = await actionInfo(earlier.action);
      fromSchema(earlier.id, info.out, 0, entries);
    } catch {
      if (earlier.sample?.output) fromValue(earlier.id, earlier.sample.output, 0, entries);
    }
    groups.push({ title: `Step ${earlier.id}`, entries, empty: "Nothing known of its output." });
  }
  return groups;
}

export function insertAtCursor(input, text) {
  const start = input.selectionStart ?? input.value.length;
  const end = input.selectionEnd ?? input.value.length;
  input.value = input.value.slice(0, start) + text + input.value.slice(end);
  const caret = start + text.length;
  input.setSelectionRange(caret, caret);
  input.focus();
}

export function fieldsMenu(step, onPick, label = "Insert field") {
  const wrapper = h("span", { class: "fields-menu" });
  const panel = h("div", { class: "fields-panel", role: "dialog", "aria-label": "Fields you can map from", hidden: true });
  const button = h("button", { type: "button", class: "btn small", "aria-haspopup": "dialog", "aria-expanded": "false" }, `${label} ▾`);
  const close = (refocus) => {
    panel.hidden = true;
    button.setAttribute("aria-expanded", "false");
    if (refocus) button.focus();
  };
  button.addEventListener("click", async () => {
    if (!panel.hidden) {
      close(false);
      return;
    }
    panel.replaceChildren(h("p", { class: "small muted" }, "Loading…"));
    panel.hidden = false;
    button.setAttribute("aria-expanded", "true");
    const groups = await sources(step);
    panel.replaceChildren();
    for (const group of groups) {
      panel.append(h("p", { class: "fields-group-title" }, group.title));
      if (!group.entries.length) panel.append(h("p", { class: "small muted" }, group.empty));
      const list = h("ul", {});
      for (const entry of group.entries) {
        list.append(
          h(
            "li",
            {},
            h(
              "button",
              {
                type: "button",
                class: "field-pick",
                dataset: { path: entry.path },
                onclick: () => {
                  close(false);
                  onPick(entry.path);
                },
              },
              h("code", {}, entry.path),
              h("span", { class: "small muted" }, ` ${entry.hint}`),
            ),
          ),
        );
      }
      panel.append(list);
    }
    panel.querySelector(".field-pick")?.focus();
  });
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.stopPropagation();
      close(true);
    }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const picks = [...panel.querySelectorAll(".field-pick")];
      const index = picks.indexOf(document.activeElement);
      const next = picks[(index + (event.key === "ArrowDown" ? 1 : -1) + picks.length) % picks.length];
      next?.focus();
    }
  });
  wrapper.append(button, panel);
  return wrapper;
}

// A step's body is either a fixed JSON object or one JSONata expression. The form edits it field by
// field, so a body of the shape {"key": expression, ...} is split into fields here, and put back
// together on save; any other expression is edited whole.

function skipString(text, start) {
  const quote = text[start];
  let index = start + 1;
  while (index < text.length) {
    if (text[index] === "\\") index += 2;
    else if (text[index] === quote) return index + 1;
    else index += 1;
  }
  return -1;
}

// The top-level pieces of `text` separated by `separator`, or null when brackets do not balance
// or a regular expression makes the reading uncertain.
function splitTopLevel(text, separator) {
  const pieces = [];
  let depth = 0;
  let start = 0;
  let index = 0;
  while (index < text.length) {
    const char = text[index];
    if (char === '"' || char === "'" || char === "`") {
      index = skipString(text, index);
      if (index < 0) return null;
      continue;
    }
    if (char === "/" && text[index + 1] === "*") {
      const end = text.indexOf("*/", index + 2);
      if (end < 0) return null;
      index = end + 2;
      continue;
    }
    if (char === "/") return null;
    if ("([{".includes(char)) depth += 1;
    else if (")]}".includes(char)) {
      depth -= 1;
      if (depth < 0) return null;
    } else if (char === separator && depth === 0) {
      pieces.push(text.slice(start, index));
      start = index + 1;
    }
    index += 1;
  }
  if (depth !== 0) return null;
  pieces.push(text.slice(start));
  return pieces;
}

function fixedValue(expression) {
  const text = expression.trim();
  if (!/^(-?\d|"|true$|false$|null$|\[|\{)/.test(text)) return undefined;
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

// {fields: {name: {mode: "fixed"|"expr", value}}} or {whole: expression}.
export function splitBody(body) {
  if (body === undefined || body === null || body === "") return { fields: {} };
  if (typeof body === "object") {
    const fields = {};
    for (const [name, value] of Object.entries(body)) fields[name] = { mode: "fixed", value };
    return { fields };
  }
  const text = String(body).trim();
  if (!text.startsWith("{") || !text.endsWith("}")) return { whole: body };
  const outer = splitTopLevel(text, "\u0000");
  if (!outer) return { whole: body };
  const inner = text.slice(1, -1);
  if (splitTopLevel(inner, "\u0000") === null) return { whole: body };
  const parts = splitTopLevel(inner, ",");
  if (!parts) return { whole: body };
  const fields = {};
  for (const part of parts) {
    if (!part.trim()) {
      if (parts.length === 1) break;
      return { whole: body };
    }
    const pair = splitTopLevel(part, ":");
    if (!pair || pair.length < 2) return { whole: body };
    const keyText = pair[0].trim();
    if (!keyText.startsWith('"')) return { whole: body };
    let key;
    try {
      key = JSON.parse(keyText);
    } catch {
      return { whole: body };
    }
    const expression = part.slice(part.indexOf(":", part.indexOf(keyText) + keyText.length) + 1).trim();
    if (!expression || key in fields) return { whole: body };
    const fixed = fixedValue(expression);
    fields[key] = fixed ? { mode: "fixed", value: fixed.value } : { mode: "expr", value: expression };
  }
  return { fields };
}

function present(field) {
  if (!field) return false;
  if (field.mode === "expr") return String(field.value ?? "").trim() !== "";
  return field.value !== undefined && field.value !== "" && field.value !== null;
}

// The body the flow file gets: a fixed object when no field is an expression.
export function composeBody(fields) {
  const names = Object.keys(fields).filter((name) => present(fields[name]));
  if (names.every((name) => fields[name].mode === "fixed")) {
    const body = {};
    for (const name of names) body[name] = fields[name].value;
    return body;
  }
  const pairs = names.map((name) => {
    const field = fields[name];
    const expression = field.mode === "expr" ? String(field.value).trim() : JSON.stringify(field.value);
    return `${JSON.stringify(name)}: ${expression}`;
  });
  const oneLine = `{${pairs.join(", ")}}`;
  if (oneLine.length <= 96) return oneLine;
  return `{\n  ${pairs.join(",\n  ")}\n}\n`;
}

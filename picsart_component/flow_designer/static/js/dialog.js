// One modal dialog, reused: ask(title, body, buttons) resolves with the value of the button pressed.
import { clear, h } from "./dom.js";

export function ask(title, body, buttons) {
  const dialog = document.getElementById("dialog");
  document.getElementById("dialog-title").textContent = title;
  const content = clear(document.getElementById("dialog-body"));
  content.append(...(Array.isArray(body) ? body : [body]));
  const actions = clear(document.getElementById("dialog-actions"));
  for (const button of buttons) {
    actions.append(
      h("button", { type: "submit", value: button.value, class: `btn${button.primary ? " primary" : ""}` }, button.label),
    );
  }
  const opener = document.activeElement;
  // Enter in a field means the main action, not the first button (Cancel) as a form would have it.
  const onEnter = (event) => {
    if (event.key === "Enter" && event.target.matches("input")) {
      event.preventDefault();
      (actions.querySelector(".primary") || actions.querySelector("button")).click();
    }
  };
  dialog.addEventListener("keydown", onEnter);
  return new Promise((resolve) => {
    dialog.addEventListener(
      "close",
      () => {
        dialog.removeEventListener("keydown", onEnter);
        resolve(dialog.returnValue || "cancel");
        if (opener && opener.isConnected) opener.focus();
      },
      { once: true },
    );
    dialog.returnValue = "";
    dialog.showModal();
    const first = content.querySelector("input, select, textarea") || actions.querySelector(".primary") || actions.querySelector("button");
    if (first) first.focus();
  });
}

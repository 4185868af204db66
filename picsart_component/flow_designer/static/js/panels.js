// The inspector's other views: the item sample, credentials, a batch run and the events.
import { api } from "./api.js";
import { h, toast } from "./dom.js";
import { pickFile, saveFlow } from "./files.js";
import { mediaElement } from "./steppanel.js";
import { changed, state } from "./state.js";

export function renderItem(container) {
  const id = "item-sample";
  const message = h("p", { class: "field-error", id: "item-sample-error", "aria-live": "polite" });
  const area = h("textarea", {
    id,
    class: "expr",
    rows: 10,
    spellcheck: "false",
    "aria-describedby": "item-sample-help item-sample-error",
    value: JSON.stringify(state.item || {}, null, 2),
  });
  area.addEventListener("input", () => {
    try {
      const value = JSON.parse(area.value || "{}");
      if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error("An item is a JSON object.");
      state.item = value;
      state.itemSource = "typed";
      message.textContent = "";
      area.removeAttribute("aria-invalid");
      changed("item");
    } catch (error) {
      message.textContent = error.message;
      area.setAttribute("aria-invalid", "true");
    }
  });
  const load = h("button", {
    type: "button",
    class: "btn",
    onclick: async () => {
      const path = await pickFile("Read the item sample", { action: "Read the first item", folders: true });
      if (!path) return;
      try {
        const answer = await api.post("/api/item-sample", { path });
        state.item = answer.item;
        state.itemSource = path;
        area.value = JSON.stringify(answer.item, null, 2);
        message.textContent = "";
        changed("item");
        toast(`Item sample read from ${path}`);
      } catch (error) {
        message.textContent = error.message;
      }
    },
  }, "Read from a CSV, JSONL or folder…");
  container.replaceChildren(
    h("div", { class: "panel" },
      h("p", { class: "small muted", id: "item-sample-help" }, "The item every mapping reads as ", h("code", {}, "input"), ". Type it as JSON, or read the first item of a file, as a batch would."),
      h("label", { for: id }, "Item sample (JSON)"),
      area,
      message,
      h("div", { class: "button-row" }, load),
      state.itemSource && state.itemSource !== "typed" ? h("p", { class: "small muted" }, `Read from ${state.itemSource}`) : null,
    ),
  );
}

export async function renderCredentials(container) {
  const info = state.server?.credentials || {};
  const status = h("p", { class: "cred-status", role: "status", "aria-live": "polite" });
  const showStatus = (credentials) => {
    status.replaceChildren(
      credentials.configured
        ? h("span", { class: "tag tag-run" }, `API key configured (${credentials.source})`)
        : h("span", { class: "tag" }, "No API key: sandbox mode"),
    );
  };
  showStatus(info);
  const fields = [
    ["apiKey", "API key", "password", info.configured ? "configured (type to replace)" : "your Picsart API key"],
    ["imageApiBaseUrl", "Image API base URL", "text", "https://api.picsart.io/tools/1.0/"],
    ["genaiApiBaseUrl", "GenAI API base URL", "text", "https://genai-api.picsart.io/v1/"],
    ["videoApiBaseUrl", "Video API base URL", "text", "https://video-api.picsart.io/v1/"],
    ["vdApiBaseUrl", "Variable Data API base URL", "text", "https://vd-api.picsart.io/v1/"],
  ];
  const inputs = {};
  const rows = fields.map(([name, label, type, placeholder]) => {
    const id = `cred-${name}`;
    inputs[name] = h("input", { id, type, placeholder, autocomplete: "off", spellcheck: "false", value: name === "apiKey" ? "" : info[name] || "" });
    return h("div", { class: "field" }, h("label", { for: id }, label), inputs[name]);
  });
  const verifyResult = h("p", { class: "verify-result", role: "status", "aria-live": "polite" });
  const saveButton = h("button", {
    type: "submit",
    class: "btn primary",
  }, "Save credentials");
  const form = h("form", {
    class: "panel",
    onsubmit: async (event) => {
      event.preventDefault();
      const payload = {};
      for (const [name, input] of Object.entries(inputs)) {
        if (name === "apiKey" && !input.value) continue;
        payload[name] = input.value;
      }
      try {
        const credentials = await api.post("/api/credentials", payload);
        inputs.apiKey.value = "";
        state.server.credentials = credentials;
        state.server = await api.get("/api/state");
        showStatus(state.server.credentials);
        changed("server");
        toast("Credentials saved in the designer's memory only.");
      } catch (error) {
        verifyResult.className = "verify-result error";
        verifyResult.textContent = error.message;
      }
    },
  },
  h("p", { class: "small muted" }, "The key stays in the designer process's memory: it is never shown again, written to the flow file or to disk."),
  status,
  rows,
  h("div", { class: "button-row" },
    saveButton,
    h("button", {
      type: "button",
      class: "btn",
      onclick: async () => {
        verifyResult.textContent = "Verifying…";
        try {
          const answer = await api.post("/api/credentials/verify", {});
          verifyResult.className = `verify-result ${answer.verified ? "ok" : "error"}`;
          verifyResult.textContent = answer.verified
            ? `Verified${answer.sandbox ? " (sandbox)" : ""}.`
            : `Not verified: ${answer.reason}`;
        } catch (error) {
          verifyResult.className = "verify-result error";
          verifyResult.textContent = error.message;
        }
      },
    }, "Verify"),
  ),
  verifyResult,
  );
  container.replaceChildren(form);
}

let poller = null;

function batchView(run) {
  const total = run.total || 0;
  const parts = [
    h("div", { class: "progress-line" },
      h("progress", { id: "batch-progress", max: total || 1, value: run.done + run.failed, "aria-label": "Batch progress" }),
      h("span", { class: "batch-counts", role: "status" }, `${run.state}: ${run.done} done, ${run.failed} failed of ${total}`),
    ),
  ];
  if (run.credits) {
    const credits = Object.entries(run.credits).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => `${k} ${v}`).join(" · ");
    if (credits) parts.push(h("p", { class: "small muted" }, `Credits: ${credits}`));
  }
  if (run.summary) parts.push(h("p", { class: "summary small" }, run.summary));
  if (run.error) parts.push(h("p", { class: "field-error" }, run.error));
  if (run.messages?.length) {
    parts.push(h("details", { class: "batch-messages" }, h("summary", { class: "small" }, "The runner's messages"), h("pre", { class: "json small" }, run.messages.slice(-20).join("\n"))));
  }
  const gallery = h("ul", { class: "gallery", "aria-label": "Batch results" });
  for (const result of run.results || []) {
    const label = `Item ${result.item}`;
    gallery.append(
      h("li", { class: `gallery-item${result.ok ? "" : " failed"}` },
        (result.media || []).slice(-1).map((media) => mediaElement(media, label)),
        h("span", { class: "small" }, `${label}${result.ok ? "" : `: ${result.error}`}`),
      ),
    );
  }
  parts.push(gallery);
  return parts;
}

export function renderBatch(container) {
  const root = state.server?.roots?.[0] || ".";
  const inputId = "batch-input";
  const outId = "batch-out";
  const maxId = "batch-max";
  const inputField = h("input", { id: inputId, type: "text", spellcheck: "false", value: state.batchForm?.input || "" , placeholder: `${root}/items.csv` });
  const outField = h("input", { id: outId, type: "text", spellcheck: "false", value: state.batchForm?.out || `${root}/results.jsonl` });
  const maxField = h("input", { id: maxId, type: "number", min: 0, value: state.batchForm?.maxCredits ?? "" });
  const workersId = "batch-workers";
  const workersField = h("input", { id: workersId, type: "number", min: 1, max: 64, placeholder: "auto", value: state.batchForm?.workers ?? "" });
  const view = h("div", { class: "batch-view", "aria-live": "polite" });
  const stopButton = h("button", { type: "button", class: "btn danger", disabled: true }, "Stop");
  const startButton = h("button", { type: "button", class: "btn primary" }, "Start the batch");
  const resumeButton = h("button", { type: "button", class: "btn", disabled: !state.lastBatch }, "Resume");
  const message = h("p", { class: "field-error", role: "alert" });

  const poll = async (runId) => {
    clearTimeout(poller);
    try {
      const run = await api.get(`/api/batch/${runId}`);
      state.lastBatch = { runId, run };
      view.replaceChildren(...batchView(run));
      const running = run.state === "running";
      stopButton.disabled = !running;
      startButton.disabled = running;
      resumeButton.disabled = running;
      if (running) poller = setTimeout(() => poll(runId), 400);
    } catch (error) {
      message.textContent = error.message;
    }
  };

  const start = async (resume) => {
    message.textContent = "";
    state.batchForm = { input: inputField.value.trim(), out: outField.value.trim(), maxCredits: maxField.value, workers: workersField.value };
    if (!state.steps.length) {
      message.textContent = "Add a step first.";
      return;
    }
    if (!state.batchForm.input) {
      message.textContent = "Choose the input: a CSV, a JSONL file or a folder.";
      inputField.focus();
      return;
    }
    try {
      if (!state.flowPath) {
        message.textContent = "Save the flow first: the batch runs the saved file, as flow run does.";
        return;
      }
      await saveFlow(state.flowPath, { quiet: true });
      const options = {};
      if (maxField.value !== "") options.maxCredits = Number(maxField.value);
      if (workersField.value !== "") options.workers = Number(workersField.value);
      const answer = await api.post("/api/batch", {
        flowPath: state.flowPath,
        input: state.batchForm.input,
        out: state.batchForm.out || null,
        resume,
        options,
      });
      poll(answer.runId);
    } catch (error) {
      message.textContent = error.message;
    }
  };
  startButton.addEventListener("click", () => start(false));
  resumeButton.addEventListener("click", () => start(true));
  stopButton.addEventListener("click", async () => {
    if (!state.lastBatch) return;
    stopButton.disabled = true;
    try {
      await api.post(`/api/batch/${state.lastBatch.runId}/stop`, {});
    } catch (error) {
      message.textContent = error.message;
    }
    poll(state.lastBatch.runId);
  });
  const browse = h("button", {
    type: "button",
    class: "btn small",
    onclick: async () => {
      const path = await pickFile("The batch's input", { initial: inputField.value, action: "Use", folders: true });
      if (path) inputField.value = path;
    },
  }, "Browse…");
  container.replaceChildren(
    h("div", { class: "panel" },
      h("p", { class: "small muted" }, "Runs the saved flow over every item, with the same runner, journal and results file as ", h("code", {}, "picsart-flow flow run"), " (so --resume continues it)."),
      h("div", { class: "field" }, h("label", { for: inputId }, "Input (CSV, JSONL or folder)"), h("div", { class: "rename-row" }, inputField, browse)),
      h("div", { class: "field" }, h("label", { for: outId }, "Results file"), outField),
      h("div", { class: "field-pair" },
        h("div", { class: "field" }, h("label", { for: maxId }, "Credit limit (empty: none)"), maxField),
        h("div", { class: "field" }, h("label", { for: workersId }, "Workers (empty: auto)"), workersField),
      ),
      h("div", { class: "button-row" }, startButton, stopButton, resumeButton),
      message,
      view,
    ),
  );
  if (state.lastBatch) poll(state.lastBatch.runId);
}

export async function renderEvents(container) {
  const list = h("ol", { class: "events", "aria-label": "Events of the last run" });
  const reload = h("button", { type: "button", class: "btn small", onclick: () => fill() }, "↻ Refresh");
  const fill = async () => {
    try {
      const answer = await api.get("/api/events");
      list.replaceChildren();
      if (!answer.events.length) list.append(h("li", { class: "muted" }, "No events yet: run a step or a batch."));
      for (const event of answer.events) {
        list.append(
          h("li", { class: `event event-${event.kind}` },
            h("div", { class: "event-head" },
              h("span", { class: `tag tag-event-${event.kind}` }, event.kind),
              event.step ? h("code", {}, event.step) : null,
              event.item !== undefined && event.item !== null ? h("span", { class: "small muted" }, `item ${event.item}`) : null,
              event.time ? h("time", { class: "small muted" }, event.time) : null,
            ),
            h("pre", { class: "json small" }, JSON.stringify(event.payload, null, 2)),
          ),
        );
      }
    } catch (error) {
      list.replaceChildren(h("li", { class: "field-error" }, error.message));
    }
  };
  container.replaceChildren(h("div", { class: "panel" }, h("div", { class: "button-row" }, reload), list));
  await fill();
}

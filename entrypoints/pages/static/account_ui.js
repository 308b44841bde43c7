// What the sections of the account page share: authenticated calls, small DOM builders, problems
// shown on their forms.

import { alarm, call, onSubmit, showProblem, tokens } from "./api.js";

export function byId(id) {
  return document.getElementById(id);
}

// An authenticated call. When the session is over (its refresh was refused), the page goes to the
// sign-in page and the returned promise never settles: nothing is left to show here.
export async function api(path, options = {}) {
  const answer = await call(path, { ...options, auth: true });
  if (answer.status === 401 && !tokens()) {
    location.assign("/login");
    return new Promise(() => {});
  }
  return answer;
}

// Elements showing what differs on every visit (times, keys, codes) carry `data-volatile`: the
// screenshots in the docs mask them.
export function when(timestamp) {
  return timestamp ? new Date(timestamp).toLocaleString() : "never";
}

export function element(tag, { text, className, ...attributes } = {}, children = []) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

// A button running `handler` on click, disabled meanwhile; a failure to reach the service is announced.
export function button(label, handler, className = "secondary") {
  const node = element("button", { text: label, className, type: "button" });
  onClick(node, handler);
  return node;
}

export function onClick(node, handler) {
  node.addEventListener("click", async () => {
    node.disabled = true;
    try {
      await handler();
    } catch {
      alarm("The service could not be reached. Check your connection and try again.");
    } finally {
      node.disabled = false;
    }
  });
}

// `items` rendered into `list`; `empty` (a note) shown when there are none.
export function fillList(list, empty, items, render) {
  list.replaceChildren(...items.map(render));
  if (empty) empty.hidden = items.length > 0;
}

// The problem's code: the last part of its `type` (`urn:bastion:problem:wrong_password`).
export function problemCode(problem) {
  return ((problem && problem.type) || "").split(":").pop();
}

export function problemText(problem, fallback = "Something went wrong. Try again.") {
  return (problem && (problem.detail || problem.title)) || fallback;
}

// The fields that a problem without `errors` is about, by its code.
const FIELDS_OF_CODE = {
  wrong_password: ["password", "current_password"],
  wrong_code: ["code"],
};

// A refused call shown on `form`: validation errors under their fields, a wrong password or code
// under that field, anything else as an alert.
export function showAnswer(form, problem) {
  const names = FIELDS_OF_CODE[problemCode(problem)] || [];
  const field = names.find((name) => form.querySelector(`[name="${name}"]`));
  if (field) {
    showProblem(form, { ...problem, errors: [{ field, message: problemText(problem) }] });
  } else {
    showProblem(form, problem);
  }
}

let inlineForms = 0;

// A small form of one field opened inside a list item (rename, confirm with the password), closed by
// its Cancel button or gone with its item when the list is drawn again.
export function inlineForm(item, { label, name, type = "text", value = "", submit, danger = false, handler }) {
  for (const open of item.querySelectorAll("form")) open.remove();
  inlineForms += 1;
  const id = `inline-${inlineForms}`;
  const input = element("input", { id, name, type, required: "", autocomplete: type === "password" ? "current-password" : "off" });
  input.value = value;
  const cancel = element("button", { text: "Cancel", className: "secondary", type: "button" });
  const form = element("form", { className: "inline", novalidate: "" }, [
    element("div", {}, [element("label", { text: label, for: id }), input]),
    element("div", { className: "row" }, [
      element("button", { text: submit, className: danger ? "danger" : "", type: "submit" }),
      cancel,
    ]),
  ]);
  const opener = document.activeElement;
  cancel.addEventListener("click", () => {
    form.remove();
    if (opener && opener.isConnected) opener.focus();
  });
  onSubmit(form, (fields) => handler(fields, form));
  item.append(form);
  input.focus();
  return form;
}

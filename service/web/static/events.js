"use strict";
const $ = (sel, root = document) => root.querySelector(sel);
const state = { plan: null, partnerNames: {} };
const COMPANY_COLUMNS = ["id", "company_name", "country", "seeking", "asset_name", "modality", "stage", "therapeutic_areas", "indication", "max_meetings", "unavailable"];
const PARTNER_COLUMNS = ["partner_id", "max_meetings", "unavailable"];
const TEMPLATES = {
  companies: COMPANY_COLUMNS.join(",") + "\nacme,Acme Therapeutics,GB,license_out;manufacturing,AC-101,adc,phase1,oncology,HER2-positive breast cancer,8,\n",
  partners: PARTNER_COLUMNS.join(",") + "\nsamsung-biologics,10,\nyuhan,6,\n",
};

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") node.textContent = v;
    else if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? "" : v);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

async function api(method, path, body) {
  const headers = { "Content-Type": "application/json" };
  const key = sessionStorage.getItem("kbio-api-key");
  if (key) headers["X-API-Key"] = key;
  const response = await fetch(path, { method, headers, body: body ? JSON.stringify(body) : undefined });
  let data = null;
  try { data = await response.json(); } catch { data = null; }
  return { status: response.status, data };
}

// RFC 4180 CSV: quoted cells may hold commas, quotes ("") and line breaks
function parseCsv(text) {
  const rows = []; let row = []; let cell = ""; let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") { row.push(cell); cell = ""; }
    else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(cell); rows.push(row); row = []; cell = "";
    } else cell += ch;
  }
  if (cell !== "" || row.length) { row.push(cell); rows.push(row); }
  return rows.filter((r) => r.some((c) => c.trim() !== ""));
}

class CsvError extends Error {
  constructor(file, line, message) { super(`${file} line ${line}: ${message}`); this.file = file; }
}

function records(text, file, required) {
  const rows = parseCsv(text);
  if (!rows.length) throw new CsvError(file, 1, "the file is empty");
  const header = rows[0].map((h) => h.trim().toLowerCase());
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length) throw new CsvError(file, 1, `missing column(s) ${missing.join(", ")}`);
  return rows.slice(1).map((r, i) => {
    if (r.length > header.length) throw new CsvError(file, i + 2, `${r.length} cells for ${header.length} columns`);
    return { line: i + 2, ...Object.fromEntries(header.map((h, k) => [h, (r[k] || "").trim()])) };
  });
}

const list = (v) => (v || "").split(";").map((s) => s.trim()).filter(Boolean);
function count(v, file, line, column) {
  if (!v) return null;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new CsvError(file, line, `${column} '${v}' is not a whole number`);
  return n;
}

function companiesFrom(text) {
  return records(text, "companies CSV", ["id", "company_name", "seeking"]).map((r) => {
    const profile = { company: { name: r.company_name }, seeking: list(r.seeking), assets: [] };
    if (r.country) profile.company.country = r.country;
    if (r.modality || r.stage || r.therapeutic_areas) {
      const asset = { name: r.asset_name || null, modality: r.modality, stage: r.stage, therapeutic_areas: list(r.therapeutic_areas) };
      if (r.indication) asset.indication = r.indication;
      profile.assets.push(asset);
    }
    const company = { id: r.id, profile, unavailable: list(r.unavailable), line: r.line };
    const max = count(r.max_meetings, "companies CSV", r.line, "max_meetings");
    if (max !== null) company.max_meetings = max;
    return company;
  });
}

function partnersFrom(text) {
  return records(text, "partners CSV", ["partner_id"]).map((r) => {
    const partner = { partner_id: r.partner_id, unavailable: list(r.unavailable), line: r.line };
    const max = count(r.max_meetings, "partners CSV", r.line, "max_meetings");
    if (max !== null) partner.max_meetings = max;
    return partner;
  });
}

function slotsFrom(text) {
  const slots = []; const starts = [];
  text.split("\n").map((l) => l.trim()).filter(Boolean).forEach((line) => {
    const [id, start] = line.split(",").map((s) => s.trim());
    slots.push(id);
    if (start) starts.push(start);
  });
  if (starts.length && starts.length !== slots.length) throw Object.assign(new Error("give a start time for every slot, or for none"), { field: "slots" });
  return { slots, starts: starts.length ? starts : null };
}

function showError(field, message) {
  const target = $(`#err-${field}`);
  (target || $("#event-status")).textContent = message;
  const input = { companies: "#companies-file", partners: "#partners-file", slots: "#slots" }[field];
  if (input) $(input).setAttribute("aria-invalid", "true");
}

function clearErrors() {
  document.querySelectorAll(".error").forEach((e) => { e.textContent = ""; });
  document.querySelectorAll("[aria-invalid]").forEach((e) => e.removeAttribute("aria-invalid"));
  $("#event-status").textContent = "";
}

// a 422 names a field such as companies[3].profile.assets[0].modality: point at the CSV line
function showApiErrors(details, body, message) {
  const first = (details || [])[0];
  if (!first) { $("#event-status").textContent = message; return; }
  const m = /^(companies|partners)\[(\d+)\]\.?(.*)$/.exec(first.field || "");
  if (m) {
    const row = body[m[1]][Number(m[2])];
    const column = m[3].replace(/^profile\./, "").replace(/assets\[0\]\./, "") || "row";
    showError(m[1], `${m[1]} CSV line ${row.line}: ${column}: ${first.message}`);
  } else if ((first.field || "").startsWith("slot")) showError("slots", `${first.field}: ${first.message}`);
  else if (first.field === "min_score" || first.field === "slot_minutes") showError(first.field, first.message);
  else $("#event-status").textContent = message;
}

async function readFile(input, field) {
  const file = input.files[0];
  if (!file) throw Object.assign(new Error("choose a CSV file"), { field });
  return file.text();
}

async function submit(event) {
  event.preventDefault();
  clearErrors();
  let body;
  try {
    const companies = companiesFrom(await readFile($("#companies-file"), "companies"));
    const partners = partnersFrom(await readFile($("#partners-file"), "partners"));
    const { slots, starts } = slotsFrom($("#slots").value);
    if (!slots.length) throw Object.assign(new Error("list at least one slot"), { field: "slots" });
    body = { slots, companies, partners, min_score: Number($("#min-score").value || 0), balance: $("#balance").checked };
    if (starts) { body.slot_starts = starts; body.slot_minutes = Number($("#slot-minutes").value || 30); }
  } catch (e) {
    showError(e.file ? (e.file.startsWith("companies") ? "companies" : "partners") : e.field || "event", e.message);
    return;
  }
  $("#event-status").textContent = "Planning…";
  $("#plan").disabled = true;
  try {
    const payload = { ...body, companies: body.companies.map(({ line, ...c }) => c), partners: body.partners.map(({ line, ...p }) => p) };
    const { status, data } = await api("POST", "/v1/events/schedule", payload);
    if (status === 200) { $("#event-status").textContent = ""; render(data, body); }
    else if (data?.error) showApiErrors(data.error.details, body, data.error.message);
    else $("#event-status").textContent = `The service answered ${status}.`;
  } catch {
    $("#event-status").textContent = "The service could not be reached.";
  } finally {
    $("#plan").disabled = false;
  }
}

async function names(ids) {
  const missing = ids.filter((id) => !(id in state.partnerNames));
  await Promise.all(missing.map(async (id) => {
    const { status, data } = await api("GET", `/v1/partners/${encodeURIComponent(id)}`);
    state.partnerNames[id] = status === 200 ? data.name : id;
  }));
}

function ics(owner, meetings, title) {
  const stamp = (iso) => new Date(iso).toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
  const lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//kbio-match//event schedule//EN"];
  for (const m of meetings) {
    lines.push("BEGIN:VEVENT", `UID:${m.slot}-${m.company_id}-${m.partner_id}@kbio-match`, `DTSTAMP:${stamp(new Date().toISOString())}`,
      `DTSTART:${stamp(m.start)}`, ...(m.end ? [`DTEND:${stamp(m.end)}`] : []), `SUMMARY:${title(m)}`,
      `DESCRIPTION:Fit ${m.score.toFixed(2)}. ${m.reasons.join(" ").replace(/[,;\\]/g, (c) => "\\" + c)}`, "END:VEVENT");
  }
  lines.push("END:VCALENDAR");
  return new Blob([lines.join("\r\n") + "\r\n"], { type: "text/calendar" });
}

function agenda(owner, label, meetings, title) {
  const items = meetings.map((m) => el("li", {}, el("strong", { text: `${m.slot}${m.start ? " (" + m.start.slice(11, 16) + ")" : ""}: ${title(m)}` }),
    el("span", { text: ` · fit ${m.score.toFixed(2)}` }), el("ul", { class: "reasons" }, ...m.reasons.slice(0, 3).map((r) => el("li", { text: r })))));
  const box = el("section", { class: "agenda", "aria-label": `Agenda of ${label}` }, el("h4", { text: `${label} (${meetings.length} meeting${meetings.length === 1 ? "" : "s"})` }));
  if (meetings.length && meetings[0].start) {
    const link = el("a", { href: URL.createObjectURL(ics(owner, meetings, title)), download: `${owner}.ics`, text: "Calendar (.ics)" });
    box.append(el("p", {}, link));
  }
  box.append(meetings.length ? el("ol", {}, ...items) : el("p", { text: "No meeting." }));
  return box;
}

async function render(plan, body) {
  state.plan = plan;
  await names(body.partners.map((p) => p.partner_id));
  const s = plan.summary;
  $("#plan-summary").textContent = `${s.meetings} meetings, total fit ${s.total_score.toFixed(2)} (${s.optimal ? "optimal" : "upper bound " + s.upper_bound.toFixed(2)}), planned in ${Math.round(s.solve_ms)} ms. Fewest meetings of a company: ${s.min_company_meetings}.`;
  const table = el("table", { class: "grid", "aria-label": "Meetings by slot and company" });
  table.append(el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "Slot" }), ...body.companies.map((c) => el("th", { scope: "col", text: c.id })))));
  const tbody = el("tbody");
  for (const slot of body.slots) {
    const cells = body.companies.map((c) => {
      const m = plan.meetings.find((x) => x.slot === slot && x.company_id === c.id);
      return el("td", { text: m ? `${state.partnerNames[m.partner_id]} (${m.score.toFixed(2)})` : "" });
    });
    tbody.append(el("tr", {}, el("th", { scope: "row", text: slot }), ...cells));
  }
  table.append(tbody);
  $("#grid-wrap").replaceChildren(table);
  const agendas = [
    ...body.companies.map((c) => agenda(`company-${c.id}`, c.id, plan.meetings.filter((m) => m.company_id === c.id), (m) => `with ${state.partnerNames[m.partner_id]}`)),
    ...body.partners.map((p) => agenda(`partner-${p.partner_id}`, state.partnerNames[p.partner_id], plan.meetings.filter((m) => m.partner_id === p.partner_id), (m) => `with ${m.company_id}`)),
  ];
  $("#agendas").replaceChildren(...agendas);
  $("#agendas-heading").hidden = false;
  $("#plan-tools").hidden = false;
  $("#plan-heading").focus();
}

function csvCell(value) {
  const text = String(value ?? "");
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function download(name, text, type) {
  const link = el("a", { href: URL.createObjectURL(new Blob([text], { type })), download: name });
  document.body.append(link); link.click(); link.remove();
}

function init() {
  $("#companies-template").addEventListener("click", (e) => { e.preventDefault(); download("companies-template.csv", TEMPLATES.companies, "text/csv"); });
  $("#partners-template").addEventListener("click", (e) => { e.preventDefault(); download("partners-template.csv", TEMPLATES.partners, "text/csv"); });
  $("#download-csv").addEventListener("click", () => {
    const rows = [["slot", "start", "end", "company_id", "partner_id", "partner_name", "score", "reasons"]];
    for (const m of state.plan.meetings) rows.push([m.slot, m.start, m.end, m.company_id, m.partner_id, state.partnerNames[m.partner_id], m.score, m.reasons.join(" | ")]);
    download(`kbio-match-event-${state.plan.schedule_id}.csv`, rows.map((r) => r.map(csvCell).join(",")).join("\n") + "\n", "text/csv");
  });
  $("#event-form").addEventListener("submit", submit);
  document.body.dataset.ready = "true";
}

init();

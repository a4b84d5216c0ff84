// kbio-match page: builds the form from /v1/taxonomy, posts /v1/match, shows ranked partners.
"use strict";

const state = { taxonomy: null, clusters: [], last: null };
const $ = (sel, root = document) => root.querySelector(sel);

async function api(method, path, body) {
  const headers = { "Content-Type": "application/json" };
  const key = $("#api-key").value.trim();
  if (key) headers["X-API-Key"] = key;
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  let data = null;
  try { data = await response.json(); } catch (e) { data = null; }
  return { status: response.status, data };
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? "" : v);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function checkboxes(container, name, items) {
  container.replaceChildren();
  for (const item of items) {
    const id = `${name}-${item.id}`.replace(/[^a-zA-Z0-9_-]/g, "-");
    container.append(el("label", { for: id },
      el("input", { type: "checkbox", id, value: item.id, "data-group": name }), item.label));
  }
}

function fillSelect(select, items, placeholder) {
  select.replaceChildren(el("option", { value: "", text: placeholder }));
  for (const item of items) select.append(el("option", { value: item.id, text: item.label }));
}

function renumberAssets() {
  document.querySelectorAll("#assets .asset").forEach((box, i) => {
    $("legend", box).textContent = `Asset ${i + 1}`;
    box.dataset.index = i;
    box.querySelectorAll("[data-key]").forEach((input) => {
      const key = input.dataset.key;
      const id = `asset-${i}-${key}`;
      input.id = id;
      input.setAttribute("aria-describedby", `err-assets[${i}].${key}`);
      const label = input.closest(".field")?.querySelector("label");
      if (label) label.setAttribute("for", id);
    });
    box.querySelectorAll("[data-error]").forEach((p) => { p.id = `err-assets[${i}].${p.dataset.error}`; });
    box.querySelectorAll(".areas input").forEach((input) => { input.id = `asset-${i}-area-${input.value}`; input.parentElement.setAttribute("for", input.id); });
    $(".remove-asset", box).setAttribute("aria-label", `Remove asset ${i + 1}`);
  });
}

function addAsset(values = {}) {
  const box = $("#asset-template").content.firstElementChild.cloneNode(true);
  const t = state.taxonomy;
  fillSelect($('[data-key="modality"]', box), t.modality, "choose a modality");
  fillSelect($('[data-key="stage"]', box), t.stage, "choose a stage");
  const areas = $('[data-key="therapeutic_areas"]', box);
  for (const area of t.therapeutic_area) {
    areas.append(el("label", {}, el("input", { type: "checkbox", value: area.id }), area.label));
  }
  $(".remove-asset", box).addEventListener("click", () => { box.remove(); renumberAssets(); $("#add-asset").focus(); });
  $("#assets").append(box);
  if (values.name) $('[data-key="name"]', box).value = values.name;
  renumberAssets();
  return box;
}

function checked(group) {
  return [...document.querySelectorAll(`input[data-group="${group}"]:checked`)].map((i) => i.value);
}

function collect() {
  const assets = [...document.querySelectorAll("#assets .asset")].map((box) => {
    const asset = {
      name: $('[data-key="name"]', box).value.trim() || null,
      modality: $('[data-key="modality"]', box).value,
      stage: $('[data-key="stage"]', box).value,
      therapeutic_areas: [...box.querySelectorAll('.areas input:checked')].map((i) => i.value),
    };
    const indication = $('[data-key="indication"]', box).value.trim();
    if (indication) asset.indication = indication;
    return asset;
  });
  const topK = $("#top-k").value.trim();
  const body = {
    company: { name: $("#company-name").value, country: $("#company-country").value.trim() || null },
    assets,
    seeking: checked("seeking"),
    preferred_clusters: checked("preferred"),
    filters: {
      categories: checked("category"),
      exclude_partner_ids: $("#exclude-ids").value.split(",").map((s) => s.trim()).filter(Boolean),
    },
    top_k: topK === "" ? 10 : Number(topK),
  };
  const description = $("#company-description").value.trim();
  if (description) body.company.description = description;
  return body;
}

function clearErrors() {
  document.querySelectorAll(".error").forEach((p) => { p.textContent = ""; });
  document.querySelectorAll("[aria-invalid]").forEach((n) => n.removeAttribute("aria-invalid"));
}

function errorTarget(field) {
  // "assets[0].therapeutic_areas[1]" -> the asset's areas; "seeking[0]" -> the seeking group
  const trimmed = field.replace(/\[\d+\]$/, "");
  return document.getElementById(`err-${field}`) || document.getElementById(`err-${trimmed}`)
    || document.getElementById(`err-${trimmed.split(".")[0]}`);
}

function showErrors(details, message) {
  let first = null;
  const unplaced = [];
  for (const d of details || []) {
    const target = errorTarget(d.field || "");
    const text = d.message + (d.closest ? ` (did you mean "${d.closest}"?)` : "");
    if (!target) { unplaced.push(`${d.field}: ${text}`); continue; }
    target.textContent = target.textContent ? `${target.textContent} ${text}` : text;
    const control = document.querySelector(`[aria-describedby~="${CSS.escape(target.id)}"]`);
    if (control) { control.setAttribute("aria-invalid", "true"); first = first || control; }
  }
  $("#form-status").textContent = unplaced.length ? unplaced.join("; ") : (message || "Please correct the highlighted fields.");
  if (first) first.focus();
}

function pct(x) { return `${Math.round(x * 100)}%`; }

function renderMap(matches) {
  const svg = $("#map-svg");
  svg.replaceChildren();
  const counts = {};
  for (const m of matches) if (m.partner.cluster) counts[m.partner.cluster] = (counts[m.partner.cluster] || 0) + 1;
  const x = (lon) => 20 + ((lon - 125.8) / (129.6 - 125.8)) * 260;
  const y = (lat) => 20 + ((38.3 - lat) / (38.3 - 34.6)) * 300;
  const ns = "http://www.w3.org/2000/svg";
  for (const c of state.clusters) {
    const n = counts[c.id] || 0;
    const circle = document.createElementNS(ns, "circle");
    circle.setAttribute("cx", x(c.longitude)); circle.setAttribute("cy", y(c.latitude));
    circle.setAttribute("r", n ? 5 + 4 * Math.sqrt(n) : 3);
    circle.setAttribute("class", n ? "hit" : "cluster");
    const title = document.createElementNS(ns, "title");
    title.textContent = `${c.name}: ${n} of the ranked partners`;
    circle.append(title);
    svg.append(circle);
    if (n) {
      const label = document.createElementNS(ns, "text");
      label.setAttribute("x", x(c.longitude) + 8); label.setAttribute("y", y(c.latitude) + 3);
      label.textContent = `${c.id} (${n})`;
      svg.append(label);
    }
  }
  const outside = matches.filter((m) => !m.partner.cluster).length;
  $("#map-caption").textContent = `Where the ranked partners sit among Korea's bioclusters (circle size: partners in the list). ${outside} of ${matches.length} are outside a listed cluster.`;
  $("#cluster-map").hidden = false;
}

const DECLINE_REASONS = [
  ["wrong_modality", "Wrong modality"], ["wrong_stage", "Wrong stage"], ["wrong_area", "Wrong therapeutic area"],
  ["wrong_partnership", "Wrong kind of partnership"], ["no_capacity", "No capacity"],
  ["not_partnering", "Not partnering now"], ["already_partnered", "Already partnered"], ["other", "Other"],
];

// marks this browser gave, per company, so a partner shows its mark when it comes back in a list
function marksFor(company) {
  try { return JSON.parse(localStorage.getItem(`kbio-marks:${company.trim().toLowerCase()}`) || "{}"); }
  catch { return {}; }
}
function remember(company, partnerId, outcome) {
  const marks = marksFor(company);
  marks[partnerId] = outcome;
  localStorage.setItem(`kbio-marks:${company.trim().toLowerCase()}`, JSON.stringify(marks));
}

async function sendFeedback(requestId, partnerId, outcome, button, status, reason) {
  const body = { request_id: requestId, partner_id: partnerId, outcome };
  if (reason) body.reason = reason;
  const { status: code, data } = await api("POST", "/v1/feedback", body);
  if (code === 201) {
    button.closest(".feedback").querySelectorAll("button[data-outcome]").forEach((b) => b.setAttribute("aria-pressed", "false"));
    button.setAttribute("aria-pressed", "true");
    status.textContent = `Saved: ${outcome.replace("_", " ")}${reason ? " (" + reason.replace("_", " ") + ")" : ""}`;
    remember(state.company, partnerId, outcome);
  } else {
    status.textContent = data?.error?.message || `Feedback failed (${code})`;
  }
}

function declineForm(requestId, partner, button, status) {
  const id = `why-${partner.id}`;
  const select = el("select", { id }, ...DECLINE_REASONS.map(([v, label]) => el("option", { value: v, text: label })));
  const send = el("button", { type: "button", class: "send-decline", text: "Send" });
  const form = el("div", { class: "decline", hidden: "" }, el("label", { for: id, text: "Why not relevant?" }), select, send);
  button.addEventListener("click", () => { form.hidden = false; select.focus(); });
  send.addEventListener("click", async () => {
    await sendFeedback(requestId, partner.id, "not_relevant", button, status, select.value);
    form.hidden = true;
  });
  return form;
}

function partnerAsset(a) {
  if (!a) return null;
  const stage = a.stage ? a.stage.replace("phase", "phase ") : "";
  return el("p", { class: "partner-asset" }, `Their asset: ${a.name} (${[stage, a.modality?.replace("_", " ")].filter(Boolean).join(", ")}) for ${a.indication}${a.stage_as_of ? ", as of " + a.stage_as_of : ""} · `,
    el("a", { href: a.source, target: "_blank", rel: "noopener", text: "source" }));
}

async function openPartner(id, opener) {
  const { status, data } = await api("GET", `/v1/partners/${encodeURIComponent(id)}`);
  const body = $("#partner-body");
  if (status !== 200) { body.replaceChildren(el("p", { text: data?.error?.message || "Not found" })); }
  else {
    const deals = el("table", {}, el("thead", {}, el("tr", {}, ...["Year", "Foreign partner", "Partnership", "Asset", "Source"].map((h) => el("th", { scope: "col", text: h })))));
    const tbody = el("tbody");
    for (const d of data.deals) {
      tbody.append(el("tr", {}, el("td", { text: d.year }), el("td", { text: `${d.foreign_company} (${d.foreign_country})` }),
        el("td", { text: d.partnership.replace("_", " ") }), el("td", { text: d.asset || "" }),
        el("td", {}, el("a", { href: d.source, target: "_blank", rel: "noopener", text: "source" }))));
    }
    deals.append(tbody);
    const pipeline = el("table", {}, el("thead", {}, el("tr", {}, ...["Asset", "Modality", "Stage (as of)", "Indication", "Licensee", "Source"].map((h) => el("th", { scope: "col", text: h })))));
    const pbody = el("tbody");
    for (const a of data.pipeline || []) {
      pbody.append(el("tr", {}, el("td", { text: a.asset }), el("td", { text: a.modality.replace("_", " ") }),
        el("td", { text: `${a.stage}${a.stage_as_of ? " (" + a.stage_as_of + ")" : ""}` }), el("td", { text: a.indication }),
        el("td", { text: a.licensee || "" }), el("td", {}, el("a", { href: a.source, target: "_blank", rel: "noopener", text: "source" }))));
    }
    pipeline.append(pbody);
    body.replaceChildren(
      el("h2", { id: "partner-name", text: data.name }),
      el("p", { text: `${data.category} · ${data.city || "city not recorded"} · ${data.cluster || "no listed cluster"}${data.listing ? " · " + data.listing : ""}` }),
      el("p", { text: data.description }),
      data.highlights.length ? el("ul", {}, ...data.highlights.map((h) => el("li", { text: h }))) : null,
      el("p", { text: `Modalities: ${data.modalities.join(", ") || "not specific"}. Areas: ${data.therapeutic_areas.join(", ") || "not specific"}. Stages: ${data.stages.join(", ")}.` }),
      el("h3", { text: `Foreign deals (${data.deals.length})` }),
      data.deals.length ? deals : el("p", { text: "No foreign deal recorded in the catalog." }),
      el("h3", { text: `Pipeline (${(data.pipeline || []).length})` }),
      (data.pipeline || []).length ? pipeline : el("p", { text: "No pipeline asset recorded in the catalog." }),
      el("h3", { text: "Sources" }),
      el("ul", {}, ...data.sources.map((s) => el("li", {}, el("a", { href: s, target: "_blank", rel: "noopener", text: s })))),
    );
  }
  const dialog = $("#partner-dialog");
  dialog.addEventListener("close", () => opener.focus(), { once: true });
  dialog.showModal();
}

function renderResults(data) {
  state.last = data;
  const marks = marksFor(state.company);
  const list = $("#results");
  list.replaceChildren();
  data.matches.forEach((m) => {
    const status = el("span", { class: "status", role: "status", "aria-live": "polite" });
    const feedback = el("div", { class: "feedback", role: "group", "aria-label": `Feedback on ${m.partner.name}` });
    let decline = null;
    for (const [outcome, label] of [["relevant", "Relevant"], ["not_relevant", "Not relevant"], ["contacted", "Contacted"]]) {
      const b = el("button", { type: "button", "aria-pressed": "false", "data-outcome": outcome, text: label });
      if (outcome === "not_relevant") decline = declineForm(data.request_id, m.partner, b, status);
      else b.addEventListener("click", () => sendFeedback(data.request_id, m.partner.id, outcome, b, status));
      feedback.append(b);
    }
    const earlier = marks[m.partner.id];
    if (earlier) status.textContent = `Marked earlier: ${earlier.replace("_", " ")}`;
    feedback.append(status, decline);
    const components = el("div", { class: "components" }, ...Object.entries(m.components).map(([name, value]) =>
      el("div", {}, el("span", { text: `${name.replace("_", " ")} ${pct(value)}` }),
        el("div", { class: "bar", "aria-hidden": "true" }, el("span", { style: `width:${pct(value)}` })))));
    const nameButton = el("button", { type: "button", class: "linklike", text: m.partner.name,
      "aria-label": `${m.partner.name}: open partner details` });
    nameButton.addEventListener("click", () => openPartner(m.partner.id, nameButton));
    list.append(el("li", { class: "match", "data-partner-id": m.partner.id },
      el("h3", {}, `${m.rank}. `, nameButton),
      el("p", { class: "meta", text: `${m.partner.category} · ${m.partner.city || "city not recorded"} · ${m.partner.cluster || "no listed cluster"}${m.best_asset ? " · best asset: " + m.best_asset : ""}` }),
      el("div", { class: "scorebar", role: "img", "aria-label": `score ${m.score.toFixed(2)}` }, el("span", { style: `width:${pct(m.score)}` })),
      el("p", { class: "score", title: "Share of the real partner choices in past deals whose learned probability this match reaches", text: `Score ${m.score.toFixed(2)}` }),
      partnerAsset(m.partner_asset),
      el("ul", { class: "reasons" }, ...m.reasons.map((r) => el("li", { text: r }))),
      components, feedback));
  });
  $("#results-summary").textContent = `${data.matches.length} partners, model ${data.model_version}, request ${data.request_id}.`;
  const hidden = data.declined_hidden || 0;
  $("#declined-note").hidden = hidden === 0;
  $("#declined-count").textContent = `${hidden} declined partner${hidden === 1 ? "" : "s"} hidden.`;
  $("#results-tools").hidden = data.matches.length === 0;
  renderMap(data.matches);
  $("#results-heading").focus();
}

function csvCell(value) {
  const text = String(value ?? "");
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function exportCsv() {
  const data = state.last;
  if (!data) return;
  const groups = Object.keys(data.matches[0]?.components || {});
  const rows = [["rank", "partner_id", "name", "category", "city", "cluster", "score", ...groups, "best_asset", "partner_asset", "partner_asset_source", "reasons"]];
  for (const m of data.matches) {
    rows.push([m.rank, m.partner.id, m.partner.name, m.partner.category, m.partner.city, m.partner.cluster, m.score,
      ...groups.map((g) => m.components[g]), m.best_asset, m.partner_asset?.name, m.partner_asset?.source, m.reasons.join(" | ")]);
  }
  const blob = new Blob([rows.map((r) => r.map(csvCell).join(",")).join("\n") + "\n"], { type: "text/csv" });
  const link = el("a", { href: URL.createObjectURL(blob), download: `kbio-match-${data.request_id}.csv` });
  document.body.append(link);
  link.click();
  link.remove();
}

async function submit(event, includeDeclined = false) {
  event?.preventDefault();
  clearErrors();
  $("#form-status").textContent = "Ranking partners…";
  $("#submit").disabled = true;
  try {
    const body = collect();
    if (includeDeclined) body.include_declined = true;
    state.company = body.company.name || "";
    const { status, data } = await api("POST", "/v1/match", body);
    if (status === 200) { $("#form-status").textContent = ""; renderResults(data); }
    else if (data?.error) showErrors(data.error.details, data.error.message);
    else $("#form-status").textContent = `The service answered ${status}.`;
  } catch (e) {
    $("#form-status").textContent = "The service could not be reached.";
  } finally {
    $("#submit").disabled = false;
  }
}

async function init() {
  // kept for this tab only, so a key typed before a reload is not lost
  $("#api-key").value = sessionStorage.getItem("kbio-api-key") || "";
  $("#api-key").addEventListener("change", (e) => sessionStorage.setItem("kbio-api-key", e.target.value.trim()));
  const { status, data } = await api("GET", "/v1/taxonomy");
  if (status !== 200) {
    $("#form-status").textContent = status === 401 || status === 403
      ? "This service needs an API key: enter it under Filters and options, then reload." : "Could not load the vocabularies.";
    return;
  }
  state.taxonomy = data;
  const clusters = await api("GET", "/v1/clusters");
  state.clusters = clusters.data?.items || [];
  checkboxes($("#seeking"), "seeking", data.partnership);
  checkboxes($("#preferred-clusters"), "preferred", data.cluster);
  checkboxes($("#filter-categories"), "category", data.category);
  $("#seeking").setAttribute("aria-describedby", "err-seeking");
  $("#seeking").querySelectorAll("input").forEach((i) => i.setAttribute("aria-describedby", "err-seeking"));
  addAsset();
  $("#add-asset").addEventListener("click", () => { const box = addAsset(); $("input", box).focus(); });
  $("#profile-form").addEventListener("submit", submit);
  $("#export-csv").addEventListener("click", exportCsv);
  $("#show-declined").addEventListener("click", () => submit(null, true));
  document.body.dataset.ready = "true";
}

init();
